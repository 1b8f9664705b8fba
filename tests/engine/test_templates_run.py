"""Each accounting/finance template's deterministic parts, run through the engine with a
scripted model: tables computed by code, explanations quoted from the evidence or marked for
inquiry, the model's invented figures flagged."""
from agents.domain.events import Finished
from agents.domain.library import Chunk, Document, DocumentStatus, Passage
from agents.engine.evidence import best_sentences, mentions
from agents.engine.runner import run_template
from agents.engine.steps import ResolvedInputs
from agents.llm.protocol import GenerationParams
from agents.runtime.cancel import CancelToken
from agents.runtime.resources import resource
from agents.workproducts.templates import load_template
from tests.engine.test_runner import ScriptedModel

# Paragraphs separated by blank lines, as the DOCX reader writes them.
MINUTES = ("1. Capital expenditure: CNC machining line\n\nThe board approved the purchase of a second CNC machining "
           "line at a cost of £278,000 including installation. The line was brought into use in August 2025.\n\n"
           "2. Financing\n\nThe loan was drawn on 1 July 2025, taking bank borrowings from £500,000 to £750,000.")
COMMENTARY = ("Product sales were £6,842,000 in 2025 against £6,115,000 in 2024, an increase of £727,000. Two things "
              "drove it. First, the distribution agreement with Meridian Retail Group signed in June 2025 took "
              "£512,000 of product in the second half.")


def doc(name, kind, path="/x"):
    return Document(f"d-{name}", "mat", name, path, kind, "c" * 64, DocumentStatus.INDEXED, "", 1, 1, "now")


def passage(name, text, n=0):
    return Passage(Chunk(f"d-{name}:{n}", f"d-{name}", "mat", 1, 0, len(text), text, 60), name, "c" * 64, 0.5)


class Store:
    def __init__(self, pages):
        self.pages = pages

    def page_text(self, document_id, page):
        return self.pages[document_id]


class Retriever:
    def __init__(self, passages):
        self.passages = passages

    def search(self, query, matter_id, k=5, document_id=None, pages=None):
        return self.passages


def run(template_file, inputs, passages, model):
    store = Store({p.chunk.document_id: p.chunk.text for p in passages})
    events = list(run_template(load_template(resource("workproducts", template_file)), "mat", inputs, store,
                               Retriever(passages), model, GenerationParams(), CancelToken()))
    return {s.key: s for s in next(e for e in events if isinstance(e, Finished)).result.sections}


def flux_inputs():
    tb = resource("samples", "flux", "trial_balance.xlsx")
    return ResolvedInputs(tables={"trial_balance": doc("trial_balance.xlsx", "spreadsheet", str(tb))},
                          values={"materiality": "50000"})


def test_mentions_matches_account_names_by_word_stems():
    assert mentions("a second CNC machining line", "Plant and machinery")
    assert mentions("Product sales were up", "Revenue - product sales")
    assert not mentions("The board declared a dividend", "Professional fees")


def test_best_sentences_prefers_whole_causal_sentences_about_the_item():
    chosen = best_sentences([passage("c.md", COMMENTARY + " Materials were 48.0% of product sales in")],
                            "Revenue - product sales", "product sales increase")
    quotes = [s for _, s in chosen]
    assert quotes[0].startswith("Product sales were") and any("Meridian" in q for q in quotes)
    assert not any(q.endswith("sales in") for q in quotes)


def test_flux_workpaper_computes_in_code_quotes_evidence_and_marks_the_unexplained():
    passages = [passage("minutes.docx", MINUTES), passage("commentary.md", COMMENTARY)]
    sections = run("flux_workpaper.toml", flux_inputs(), passages,
                   ScriptedModel("The increase follows the new machining line costing £278,000."))
    assert "debits 11,129,550 equal credits 11,129,550" in sections["tie_out"].body
    flagged = sections["variances"].tables[1]
    assert [r[1] for r in flagged.rows] == ["Plant and machinery", "Bank loan", "Revenue - product sales",
                                            "Cost of sales - materials", "Professional fees"]
    plant = sections["explanation_1"]
    assert plant.heading == "Plant and machinery: increase of 278,000"
    assert "“The board approved the purchase of a second CNC machining line" in plant.body
    assert plant.citations[0].quote.startswith("The board approved") and plant.citations[0].filename == "minutes.docx"
    assert not [f for f in plant.flags if f.severity == "error"]
    fees = sections["explanation_5"]
    assert "No explanation found" in fees.body and fees.citations == ()
    assert [f.kind for f in fees.flags] == ["no_evidence"]
    assert "Prepared by:" in sections["signoff"].body and "Reviewed by:" in sections["signoff"].body


def test_an_invented_figure_in_an_explanation_is_an_error_flag():
    sections = run("flux_workpaper.toml", flux_inputs(), [passage("minutes.docx", MINUTES)],
                   ScriptedModel("The line cost £999,000."))
    assert any(f.kind == "unsupported_number" and f.severity == "error" for f in sections["explanation_1"].flags)


def test_budget_variance_has_a_chart_and_explains_the_largest_variances():
    budget = resource("samples", "budget", "budget_vs_actual.xlsx")
    inputs = ResolvedInputs(tables={"budget": doc("budget_vs_actual.xlsx", "spreadsheet", str(budget))},
                            values={"top_n": "3"})
    sections = run("budget_variance.toml", inputs, [passage("commentary.md", COMMENTARY)], ScriptedModel("Fine."))
    variances = sections["variances"]
    assert variances.charts and variances.charts[0].png_base64
    assert len(variances.tables) >= 2
    drivers = [s for k, s in sections.items() if k.startswith("driver_")]
    assert len(drivers) == 3 and "favourable" in drivers[0].heading

