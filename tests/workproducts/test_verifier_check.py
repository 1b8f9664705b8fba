"""check(): each check positive and negative, and every normalisation a figure or quote goes through."""
from decimal import Decimal

import pytest

from agents.domain.drafts import Citation
from agents.workproducts.verifier import (
    Finding,
    check,
    normalise_quote,
    quote_match,
    quote_on,
    sentences,
)

PAGE = "8.2 Each party’s total aggregate liability shall not exceed the fees paid in the six months before the claim."


def cite(number=1, chunk="d:0", quote="", page=3, doc="d"):
    return Citation(number, chunk, doc, "supply.pdf", "h" * 64, page, 0, 10, quote)


def run(text, evidence="", citations=None, context=None, pages=None, computed=(), every=False):
    citations = (cite(),) if citations is None else citations
    context = {c.chunk_id for c in citations} if context is None else context
    return check(text, citations, context, pages or {}, evidence, computed, every)


def kinds(findings):
    return [f.kind for f in findings]


def figure_flags(text, evidence, computed=()):
    return [text[f.start:f.end] for f in run(text, evidence, computed=computed) if f.kind == "unsupported_number"]


# 1. citations -----------------------------------------------------------------------------------

def test_marker_without_a_citation_is_a_dangling_error_with_its_span():
    text = "Capped at six months of fees [1] and uncapped for fraud [2]."
    [f] = run(text, PAGE)
    assert (f.kind, f.severity, text[f.start:f.end]) == ("dangling_citation", "error", "[2]")
    assert "[2]" in str(f) and isinstance(f, Finding)


def test_grouped_and_ranged_markers_resolve_each_number():
    two = (cite(1), cite(2, "d:1"))
    assert run("Capped [1, 2] and again [1-2].", PAGE, two) == []
    assert kinds(run("Capped [1-3].", PAGE, two)) == ["dangling_citation"]


def test_citation_to_a_chunk_the_model_never_saw_is_flagged():
    text = "Capped at six months of fees [1]."
    [f] = run(text, PAGE, (cite(chunk="other:9"),), context={"d:0"})
    assert f.kind == "citation_not_in_context" and "other:9" in f.message and text[f.start:f.end] == "[1]"
    assert run(text, PAGE, (cite(chunk="d:0"),), context={"d:0"}) == []


# 2. quotes --------------------------------------------------------------------------------------

def test_citation_quote_must_be_on_its_page():
    good = cite(quote="total aggregate liability shall not exceed the fees paid")
    bad = cite(quote="unlimited liability for all losses")
    assert run("Capped [1].", PAGE, (good,), pages={("d", 3): PAGE}) == []
    [f] = run("Capped [1].", PAGE, (bad,), pages={("d", 3): PAGE})
    assert f.kind == "quote_not_on_page" and "supply.pdf, p. 3" in f.message


def test_quote_on_another_page_of_the_same_document_does_not_count():
    quote = cite(quote="total aggregate liability shall not exceed", page=4)
    [f] = run("Capped [1].", "", (quote,), pages={("d", 3): PAGE, ("d", 4): "Schedule 2: prices."})
    assert f.kind == "quote_not_on_page"


@pytest.mark.parametrize("page, quote", [
    ("shall not\n   exceed the fees", "shall not exceed the fees"),
    ("each party’s total liability", "each party's total liability"),
    ("the “Fees” paid", 'the "Fees" paid'),
    ("a long–term agreement", "a long-term agreement"),
    ("a long—term agreement", "a long-term agreement"),
    ("the termi\u00adnation fee", "the termination fee"),
    ("the ﬁnal ﬂat fee", "the final flat fee"),
    ("the termi-\nnation fee is due", "the termination fee is due"),
])
def test_quote_matching_normalises_typography(page, quote):
    assert quote_on(quote, page)


def test_quote_matching_is_case_and_word_sensitive():
    assert not quote_on("Total aggregate liability", "total aggregate liability")
    assert not quote_on("total liability", "total aggregate liability")
    assert normalise_quote("a\u00a0b  c") == "a b c"


def test_elided_quote_matches_its_pieces_in_order():
    assert quote_on("Each party’s total … shall not exceed the fees", PAGE)
    assert not quote_on("shall not exceed the fees … Each party’s total", PAGE)


def test_quoted_prose_of_four_words_or_more_must_be_on_a_cited_page():
    pages = {("d", 3): PAGE}
    ok = "The clause says “shall not exceed the fees paid” [1]."
    wrong = 'The clause says "shall not exceed twice the fees" [1].'
    assert run(ok, "", pages=pages) == []
    [f] = run(wrong, "", pages=pages)
    assert f.kind == "quote_not_on_page" and wrong[f.start:f.end] == "shall not exceed twice the fees"
    assert run("The term “Fees” is defined [1].", "", pages=pages) == []  # a defined term, not a quotation


# 3. figures -------------------------------------------------------------------------------------

def test_currency_and_thousands_separators():
    assert figure_flags("Revenue was $1,577 [1].", "Revenue 1,577") == []
    assert figure_flags("Revenue was 1,577.0 [1].", "Revenue 1577") == []
    assert figure_flags("Revenue was $1,578 [1].", "Revenue 1,577") == ["$1,578"]


@pytest.mark.parametrize("evidence", ["Revenue (in millions) 1,577", "($ in millions)\nRevenue $ 1,577",
                                      "Revenue 1,577,000,000", "Revenue of 1.577 billion"])
def test_scale_words_match_units_stated_by_the_evidence(evidence):
    assert figure_flags("Revenue was $1.6 billion [1].", evidence) == []
    assert figure_flags("Revenue was $1.58 billion [1].", evidence) == []
    assert figure_flags("Revenue was $1.7 billion [1].", evidence) == ["$1.7 billion"]


def test_a_stated_unit_is_not_overridden_by_a_guess():
    assert figure_flags("Revenue was $1.6 billion [1].", "(in thousands) 1,577") == ["$1.6 billion"]
    assert figure_flags("Revenue was $1,577,000,000 [1].", "Revenue 1,577") == ["$1,577,000,000"]
    # a table chunk cut off from its "(in millions)" heading: the draft's own scale word is trusted
    assert figure_flags("Revenue was $1.6 billion [1].", "Revenue 1,577") == []


def test_scaling_by_ten_is_caught():
    assert figure_flags("Revenue was $15.8 billion [1].", "(in millions) 1,577") == ["$15.8 billion"]
    assert figure_flags("Revenue was $15,770 million [1].", "(in millions) 1,577") == ["$15,770 million"]


def test_signs_parentheses_and_decreases():
    assert figure_flags("The loss was (370) [1].", "Net change -370") == []
    assert figure_flags("Cash decreased by 370 [1].", "Net change (370)") == []
    assert figure_flags("A charge of -$42 [1].", "Impairment (42)") == []
    assert figure_flags("A charge of (42) [1].", "Impairment -$42") == []
    assert figure_flags("A charge of -$43 [1].", "Impairment (42)") == ["-$43"]


def test_percentages_against_evidence_and_computed_ratios():
    assert figure_flags("Margin was 12.5% [1].", "Margin 12.5 %") == []
    assert figure_flags("Margin was 12.5% [1].", "", computed=[Decimal("0.125")]) == []
    assert figure_flags("Margin was 12.5% [1].", "", computed=[Decimal("12.5")]) == []
    assert figure_flags("Margin was 12.6% [1].", "Margin 12.5 %", computed=[Decimal("0.125")]) == ["12.6%"]
    assert figure_flags("Margin was 12.5 percent [1].", "Margin 12.5%") == []


def test_a_percentage_is_never_read_in_millions():
    assert figure_flags("Margin grew 1.6% [1].", "(in millions) 1,577") == ["1.6%"]
    assert figure_flags("Margin grew 1,577% [1].", "(in millions) 1,577") == []
    assert figure_flags("Margin grew 1,577,000,000% [1].", "(in millions) 1,577") == ["1,577,000,000%"]


def test_rounding_to_the_precision_the_draft_states():
    assert figure_flags("The ratio is 1.6 [1].", "ratio 1.577") == []
    assert figure_flags("The ratio is 1.58 [1].", "ratio 1.577") == []
    assert figure_flags("The ratio is 1.57 [1].", "ratio 1.577") == ["1.57"]
    assert figure_flags("The ratio is 1.600 [1].", "ratio 1.577") == ["1.600"]  # more digits than the source has
    assert figure_flags("DPO was 93.86 days [1].", "", computed=[Decimal("93.8571")]) == []
    assert figure_flags("DPO was 93.87 days [1].", "", computed=[Decimal("93.8571")]) == ["93.87"]


def test_coverage_ratios():
    assert figure_flags("Interest cover is 1.5x [1].", "", computed=[Decimal("1.4837")]) == []
    assert figure_flags("Interest cover is 1.5 times [1].", "coverage 1.5x") == []
    assert figure_flags("Interest cover is 2.5x [1].", "", computed=[Decimal("1.4837")]) == ["2.5x"]


def test_other_currencies():
    assert figure_flags("Fees are €1,200, £5 and USD 7 [1].", "1,200 EUR; GBP 5; $7") == []
    assert figure_flags("Fees are €1,300 [1].", "EUR 1,200") == ["€1,300"]


def test_an_amount_of_money_is_not_supported_by_a_period_of_time():
    # "limited to the fees paid in the twelve months before the claim" does not cap liability at $12.
    assert figure_flags("Liability is capped at $12 [1].", "the fees paid in the twelve months before the claim") == ["$12"]
    assert figure_flags("Liability is capped at $30 [1].", "within thirty (30) days of notice") == ["$30"]
    assert figure_flags("Fees paid in the 12 months before [1].", "the twelve months before the claim") == []
    assert figure_flags("A cap of $12 million [1].", "capped at 12 million dollars, for twelve months") == []


def test_number_words_and_digits():
    assert figure_flags("They survive for 5 years [1].", "for five (5) years") == []
    assert figure_flags("They survive for five years [1].", "for 5 years") == []
    assert figure_flags("Notice within thirty (30) days [1].", "within 30 days") == []
    assert figure_flags("A twenty-four month term [1].", "a term of 24 months") == []
    assert figure_flags("They survive for three years [1].", "for five years") == ["three"]
    assert figure_flags("One of the parties may assign [1].", "either party") == []


def test_years_in_evidence_pass_and_others_are_warnings():
    assert figure_flags("In 2019 revenue rose [1].", "Fiscal 2019 revenue") == []
    assert figure_flags("In FY 2019 revenue rose [1].", "FY2019") == []
    [f] = [f for f in run("In 2018 revenue rose [1].", "Fiscal 2019 revenue") if f.kind == "unsupported_number"]
    assert f.severity == "warning" and "year 2018" in f.message


def test_dates_are_read_whole_not_as_stray_numbers():
    ev = "This Agreement shall continue until December 31, 2020."
    assert figure_flags("It ends on December 31, 2020 [1].", ev) == []
    assert figure_flags("It ends on 12/31/2020 [1].", ev) == []
    [f] = [f for f in run("It ends on December 31, 2021 [1].", ev) if f.kind == "unsupported_number"]
    assert f.severity == "warning" and "December 31, 2021" in f.message


def test_references_markers_and_list_numbers_are_not_figures():
    text = ("1. Liability\n(2) the buyer pays under Section 4.2 and Sections 7.1 and 9.3, see Note 23 and "
            "Form 10-K for Q2; the 3rd amendment [12].")
    assert figure_flags(text, "") == []
    assert figure_flags("A fee of 12 is due [1].", "") == ["12"]


def test_invented_amount_is_an_error_with_its_span():
    text = "The cap is $2,000,000 [1]."
    [f] = run(text, PAGE)
    assert (f.kind, f.severity, text[f.start:f.end]) == ("unsupported_number", "error", "$2,000,000")
    assert "$2,000,000" in f.message


def test_figures_on_the_cited_page_count_as_evidence():
    pages = {("d", 3): "Fees: $1,577 per month."}
    assert figure_flags("Fees are $1,577 [1].", "") == ["$1,577"]
    assert [f for f in run("Fees are $1,577 [1].", "", pages=pages)] == []


# 4. uncited sentences ---------------------------------------------------------------------------

def test_every_sentence_mode_flags_uncited_claims_only():
    text = ("Liability\n"
            "Liability is capped at six months of fees [1]. The cap excludes fraud and wilful misconduct. "
            "See below.\nIn summary:")
    findings = run(text, PAGE + " fraud and wilful misconduct", every=True)
    [f] = findings
    assert (f.kind, f.severity) == ("uncited_sentence", "warning")
    assert text[f.start:f.end] == "The cap excludes fraud and wilful misconduct."
    assert run(text, PAGE + " fraud and wilful misconduct") == []


def test_marker_after_the_full_stop_belongs_to_its_sentence():
    text = "Liability is capped at six months of fees. [1] The supplier, Acme Inc. of Ohio, signed it [1]."
    assert run(text, PAGE + " Acme", every=True) == []
    assert len(sentences(text)) == 2


def test_findings_are_ordered_by_position():
    text = "The cap is $9 [2]. It also says “unlimited liability for any and all losses” [1]."
    found = run(text, PAGE, pages={("d", 3): PAGE})
    assert kinds(found) == ["unsupported_number", "dangling_citation", "quote_not_on_page"]
    assert [f.start for f in found] == sorted(f.start for f in found)


def test_same_words_with_other_punctuation_is_a_warning_not_an_error():
    page = 'Common stock and paid-in capital - shares authorized 24,000 ; words such as "aim," "believe,"'
    near = cite(quote="Common stock and paid-in capital shares authorized 24,000;")
    [f] = run("Stock [1].", page, (near,), pages={("d", 3): page})
    assert (f.kind, f.severity) == ("quote_not_on_page", "warning") and "punctuation" in f.message
    assert quote_match("words such as aim, believe", page) == "wording"
    assert quote_match("words such as aim, expect", page) == ""
    assert quote_match("paid-in capital - shares authorized 24,000 ;", page) == "exact"


def test_spaces_an_extractor_dropped_do_not_break_a_quote():
    assert quote_on("STATEMENTS OF OPERATIONS (in millions)", "STATEMENTS OF OPERATIONS(in millions)")
