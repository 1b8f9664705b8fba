"""Retrieval over a generated filing with the real embedder, FTS5 and chromadb."""
from __future__ import annotations

import pytest

from agents.services import Countersign
from pdfgen import write_pdf

pytestmark = pytest.mark.integration


def figures(labels: list[str]) -> str:
    return "\n".join(f"{label} {1200 + 97 * i:,} {1100 + 89 * i:,}" for i, label in enumerate(labels))


FILING = [
    "ITEM 7. MANAGEMENT'S DISCUSSION AND ANALYSIS\nTotal assets grew as the company expanded. Total assets "
    "were driven by acquisitions; our balance sheet remains strong and total assets reflect the new plants.",
    "ACME INDUSTRIES, INC.\nCONSOLIDATED BALANCE SHEETS\n(in millions)\nDecember 31, 2023 2022\n"
    + figures(["Cash and cash equivalents", "Accounts receivable", "Inventories", "Prepaid expenses",
               "Property, plant and equipment, net", "Goodwill", "Total assets", "Accounts payable",
               "Accrued liabilities", "Long-term debt", "Total liabilities", "Total equity"]),
    "ACME INDUSTRIES, INC.\nCONSOLIDATED STATEMENTS OF OPERATIONS\n(in millions)\nYear ended December 31, 2023 2022\n"
    + figures(["Net sales", "Cost of sales", "Gross profit", "Selling, general and administrative", "Research",
               "Operating income", "Interest expense", "Income before taxes", "Income taxes", "Net income",
               "Basic shares", "Diluted shares"]),
    "ACME INDUSTRIES, INC.\nCONSOLIDATED STATEMENTS OF CASH FLOWS\n(in millions)\nYear ended December 31, 2023 2022\n"
    + figures(["Net income", "Depreciation and amortization", "Stock compensation", "Receivables", "Inventories",
               "Net cash provided by operating activities", "Capital expenditures", "Acquisitions",
               "Net cash used in investing activities", "Repayment of debt", "Dividends paid", "Net change in cash"]),
    "NOTE 12. SEGMENTS\nThe zircon division sells industrial sensors. Every chunk of this filing mentions Acme.",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("filing")
    write_pdf(root / "acme_10k.pdf", FILING)
    app = Countersign.open(str(tmp_path_factory.mktemp("data")))
    app.create_matter("Acme")
    list(app.ingest("Acme", [root]))
    yield app
    app.close()


def test_a_question_naming_a_statement_is_answered_from_that_statement_first(app):
    top = app.search("Acme", "Using the balance sheet, what were total assets at year end?", top_k=3)
    assert top[0].chunk.page == 2
    both = app.search("Acme", "From the income statement and the cash flow statement, what was net income?", top_k=4)
    assert {p.chunk.page for p in both[:2]} == {3, 4}


def test_statement_preference_respects_the_page_filter(app):
    top = app.search("Acme", "Using the balance sheet, what were total assets?", top_k=3, pages=(3, 5))
    assert top and all(3 <= p.chunk.page <= 5 for p in top)


def test_keyword_search_skips_words_that_are_in_most_chunks_and_finds_rare_ones(app):
    matter = app.library.matter("Acme").id
    assert app.library.keyword_search("acme", matter, 5) == []  # in every chunk: no BM25 weight
    hits = app.library.chunks(app.library.keyword_search("zircon acme", matter, 5))
    assert [c.page for c in hits.values()] == [5]


def test_a_word_rare_in_the_matter_finds_its_passage_ahead_of_every_dense_match(tmp_path):
    # Fusion alone ranks a keyword-only hit (0.5 / 61) below the dense list's 40th (1 / 100): a
    # side letter's reference number, in one passage about something else, was lost among
    # passages that merely sound like the question (benchmarks/adversarial.py's canary).
    letters = [f"Side letter {n}: the client pays GBP {10_000 + n:,} to supplier {n} on signing of the settlement."
               for n in range(45)]
    write_pdf(tmp_path / "letters.pdf", letters)
    write_pdf(tmp_path / "memo.pdf", ["Weather in the hills: rain by noon, ref Quillfeather7731, clear by evening."])
    # In another matter the word is everywhere; counting within the matter keeps it rare here.
    (tmp_path / "other").mkdir()
    write_pdf(tmp_path / "other" / "notes.pdf", [f"Quillfeather7731 minute {n}" for n in range(8)])
    app = Countersign.open(str(tmp_path / "data"))
    try:
        app.create_matter("Letters")
        app.create_matter("Other")
        list(app.ingest("Letters", [tmp_path / "letters.pdf", tmp_path / "memo.pdf"]))
        list(app.ingest("Other", [tmp_path / "other"]))
        matter = app.library.matter("Letters").id
        query = "Quillfeather7731 side letter payment"
        plain = app.retriever.search(query, matter, 10, rare_terms=False)
        assert all("Quillfeather7731" not in p.chunk.text for p in plain)  # the defect this fixes
        top = app.search("Letters", query, top_k=3)
        assert "Quillfeather7731" in top[0].chunk.text and top[0].filename == "memo.pdf"
        assert all(p.chunk.matter_id == matter for p in top)
    finally:
        app.close()
