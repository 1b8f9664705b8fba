from agents.domain.drafts import Citation
from agents.workproducts.verifier import verify_section

PAGE = "8.2 Each party's total aggregate liability shall not exceed the fees paid in the six months before the claim."
CITE = Citation(1, "d:0", "d", "supply.pdf", "h" * 64, 3, 0, len(PAGE), "total aggregate liability shall not exceed the fees paid")


def test_clean_section_has_no_flags():
    body = "Liability is capped at six months of fees [1]."
    assert verify_section(body, (CITE,), {("d", 3): PAGE}, PAGE) == []


def test_unresolved_citation_is_flagged():
    flags = verify_section("Capped [2].", (CITE,), {("d", 3): PAGE}, PAGE)
    assert flags == ["citation [2] does not resolve to any evidence passage"]


def test_quote_not_on_cited_page_is_flagged():
    bad = Citation(1, "d:0", "d", "supply.pdf", "h" * 64, 3, 0, 10, "unlimited liability for all losses")
    flags = verify_section("Capped [1].", (bad,), {("d", 3): PAGE}, PAGE)
    assert flags == ["quote for [1] not found on supply.pdf, p. 3"]


def test_quote_matching_ignores_line_breaks_and_spacing():
    page = PAGE.replace(" aggregate ", "\n  aggregate\n")
    assert verify_section("Capped [1].", (CITE,), {("d", 3): page}, page) == []


def test_invented_figure_is_flagged_but_sourced_ones_are_not():
    page = "The fee is $1,577 per month, payable within 30 days."
    cite = Citation(1, "d:0", "d", "a.pdf", "h" * 64, 1, 0, 10, "")
    flags = verify_section("The fee is 1577.0 [1], due in 30 days; the cap is $2,000,000 [1].", (cite,), {}, page)
    assert flags == ["the figure 2000000 appears in no cited source"]


def test_uncited_finding_is_flagged():
    assert "the finding cites no evidence" in verify_section("Looks fine.", (CITE,), {("d", 3): PAGE}, PAGE)


def test_number_words_and_digits_are_the_same_figure():
    page = "The obligations survive termination for five years."
    cite = Citation(1, "d:0", "d", "a.pdf", "h" * 64, 1, 0, 10, "")
    assert verify_section("They survive for 5 years [1].", (cite,), {}, page) == []
    assert verify_section("They survive for three years [1].", (cite,), {}, page) == ["the figure 3 appears in no cited source"]
