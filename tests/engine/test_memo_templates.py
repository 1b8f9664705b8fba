"""The tax research memo and the credit memo through the engine with a scripted model: what code
quotes and computes, where each sentence's citation points, and what is flagged."""
import pytest
from financial_filing import INCOME_PAGE, write_filing

from agents.domain.events import Finished
from agents.engine.runner import run_template
from agents.engine.steps import ResolvedInputs
from agents.llm.protocol import GenerationParams
from agents.runtime.cancel import CancelToken
from agents.runtime.resources import resource
from agents.services import Countersign
from agents.workproducts.templates import load_template
from tests.engine.test_runner import ScriptedModel
from tests.engine.test_templates_run import doc, passage

QUESTION = "How much of the client's 2025 staff party spending is deductible?"
EMAIL = ("The client held a holiday party for all 40 employees on 12 December 2025. The catering invoice was "
         "$18,400 and the venue hire was $6,200, both paid by the company.")
LAW = ("Section 274(n)(1) provides that the amount allowable as a deduction for any expense for food or beverages "
       "shall not exceed 50 percent of the amount of such expense. Section 274(e)(4) provides that the limitation "
       "does not apply to expenses for recreational, social, or similar activities primarily for the benefit of "
       "employees.")


class ScopedRetriever:
    """Returns the passages of the document a section is scoped to, or all of them."""

    def __init__(self, passages):
        self.passages = passages

    def search(self, query, matter_id, k=5, document_id=None, pages=None):
        return [p for p in self.passages if document_id in (None, p.chunk.document_id)][:k]


class Store:
    def __init__(self, passages):
        self.pages = {p.chunk.document_id: p.chunk.text for p in passages}

    def page_text(self, document_id, page):
        return self.pages[document_id]


def tax_memo(model, passages, authorities):
    inputs = ResolvedInputs(documents={"facts": [doc("client_email.md", "markdown")], "authorities": authorities},
                            values={"question": QUESTION})
    events = list(run_template(load_template(resource("workproducts", "tax_memo.toml")), "mat", inputs,
                               Store(passages), ScopedRetriever(passages), model, GenerationParams(), CancelToken()))
    return {s.key: s for s in next(e for e in events if isinstance(e, Finished)).result.sections}


def test_tax_memo_quotes_the_authorities_verbatim_and_cites_each_statement_of_law_to_one():
    passages = [passage("client_email.md", EMAIL), passage("irc_274.md", LAW)]
    model = ScriptedModel("Section 274(n)(1) limits the deduction for food or beverages to 50 percent of the expense. "
                          "The exception in section 274(e)(4) applies to social activities primarily for employees.")
    sections = tax_memo(model, passages, [doc("irc_274.md", "markdown")])
    assert list(sections) == ["issue", "facts", "authorities", "analysis", "conclusion", "caveats"]
    assert sections["issue"].body == QUESTION
    authorities = sections["authorities"]
    assert "“Section 274(n)(1) provides that the amount allowable" in authorities.body
    assert {c.filename for c in authorities.citations} == {"irc_274.md"}
    assert all(c.quote in LAW for c in authorities.citations)
    analysis = sections["analysis"]
    # Both sentences state law: each is cited, and to the authority, not to the client's email.
    assert analysis.body.count("[") >= 2 and {c.filename for c in analysis.citations} == {"irc_274.md"}
    assert not [f for f in analysis.flags if f.kind == "uncited_sentence"]


def test_tax_memo_without_authorities_in_the_library_says_research_is_needed():
    passages = [passage("client_email.md", EMAIL)]
    sections = tax_memo(ScriptedModel("The party cost $18,400 for catering."), passages, [])
    authorities = sections["authorities"]
    assert "research needed" in authorities.body and authorities.citations == ()
    assert any(f.kind == "no_evidence" and f.severity == "warning" for f in authorities.flags)


def test_an_invented_figure_in_the_tax_analysis_is_an_error():
    passages = [passage("client_email.md", EMAIL), passage("irc_274.md", LAW)]
    model = ScriptedModel("Section 274(n)(1) allows 80 percent of the food expense.")
    analysis = tax_memo(model, passages, [doc("irc_274.md", "markdown")])["analysis"]
    assert any(f.kind == "unsupported_number" and f.severity == "error" and "80" in f.message for f in analysis.flags)


@pytest.fixture(scope="module")
def credit_memo(tmp_path_factory):
    root = tmp_path_factory.mktemp("credit")
    pdf = write_filing(root / "harbor_10k.pdf")
    app = Countersign.open(str(root / "data"))
    app.create_matter("Harbor")
    list(app.ingest("Harbor", [pdf]))
    app._model = ScriptedModel("Net sales grew to $12,500 million and operating cash flow supports the facility.")
    draft = next(e for e in app.draft("Harbor", "credit-memo", "harbor_10k.pdf") if isinstance(e, Finished)).result
    yield {s.key: s for s in draft.sections}
    app.close()


def test_credit_memo_reads_line_items_with_page_citations_and_computes_ratios(credit_memo):
    financials = credit_memo["financials"]
    lines, ratio_table = financials.tables[0], financials.tables[1]
    revenue = next(r for r in lines.rows if r[0].lower().startswith(("revenue", "net sales")))
    assert "12,500" in " ".join(revenue) and "11,000" in " ".join(revenue)
    cited = [c for c in financials.citations if "Net sales" in c.quote]
    assert cited and cited[0].page == INCOME_PAGE and cited[0].filename == "harbor_10k.pdf"
    # Gross margin = (12,500 - 7,500) / 12,500, computed by code and shown with its formula.
    margin = next(r for r in ratio_table.rows if "gross margin" in r[0].lower())
    assert "40.0%" in " ".join(margin)
    assert not [f for f in financials.flags if f.severity == "error"]


def test_credit_memo_prose_is_checked_and_the_recommendation_is_left_to_the_officer(credit_memo):
    assert "[Credit officer to conclude" in credit_memo["recommendation"].body
    assert credit_memo["risks"].citations or any(f.kind == "no_evidence" for f in credit_memo["risks"].flags)
