"""Line items read from an ingested 10-K-like PDF: the right figure, page and verbatim line; a
model's invented figure dropped; units; page selection; the real model in model mode."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from financial_filing import BALANCE, EXPECTED, INCOME, INCOME_PAGE, write_filing

from agents.llm.protocol import GenerationParams, ModelUnavailable, Usage
from agents.services import Countersign
from agents.workproducts.computed import ComputeError
from agents.workproducts.financial_lines import candidates, extract_line_items
from agents.workproducts.line_labels import BY_KEY
from agents.workproducts.statement_rows import (
    collapse,
    core_pages,
    detect_unit,
    parse_page,
)

PARAMS = GenerationParams()


class FakeModel:
    """Replies with canned JSON, one reply per call, and records the questions it was asked."""

    model_id, sha256, n_ctx = "fake", "0" * 64, 4096
    last_usage = Usage(0, 0)

    def __init__(self, *replies: dict) -> None:
        self.replies, self.questions = list(replies), []

    def stream_chat(self, messages, params, cancel):
        self.questions.append(messages[-1].content)
        yield json.dumps(self.replies.pop(0))

    def count_tokens(self, text: str) -> int:
        return len(text) // 4


class Pages:
    """A store holding one document's page texts (only what extraction reads)."""

    def __init__(self, pages: list[str]) -> None:
        self.pages = list(enumerate(pages, 1))

    def page_texts(self, document_id: str):
        return self.pages


@pytest.fixture(scope="module")
def filing(tmp_path_factory):
    root = tmp_path_factory.mktemp("filing")
    pdf = write_filing(root / "harbor_10k.pdf")
    app = Countersign.open(str(root / "data"))
    app.create_matter("Harbor credit")
    list(app.ingest("Harbor credit", [pdf]))
    doc = app.find_document("Harbor credit", "harbor_10k.pdf")
    yield app, doc
    app.close()


def test_code_reads_every_line_with_its_page_and_verbatim_line(filing):
    app, doc = filing
    items = extract_line_items(app.library, doc, None, PARAMS, mode="code")
    assert items.periods == ("2024", "2023")
    assert items.missing == () and items.warnings == ()
    for key, (page, now, before, line) in EXPECTED.items():
        for period, printed in (("2024", now), ("2023", before)):
            item = items.get(key, period)
            assert item is not None, f"{key} {period} not found"
            assert (item.page, item.printed, item.quote, item.unit, item.method) == (page, printed, line, "millions", "code"), key
            assert item.value == Decimal(printed.strip("()").replace(",", "")) * (-1 if "(" in printed else 1)
            assert item.document_id == doc.id
            assert collapse(line) in collapse(app.library.page_text(doc.id, page))


def test_to_computed_lists_items_with_citations_and_figures(filing):
    app, doc = filing
    computed = extract_line_items(app.library, doc, None, PARAMS, keys=["revenue", "capex"], mode="code").to_computed()
    rows = computed.tables[0].rows
    assert ("Revenue", "2024", "12,500", "millions", "harbor_10k.pdf, p. 2", "Net sales $ 12,500 $ 11,000") in rows
    assert ("Capital expenditure", "2023", "(600)", "millions", "harbor_10k.pdf, p. 4",
            "Purchases of property and equipment (750) (600)") in rows
    assert Decimal(-750) in computed.figures and Decimal(12500) in computed.figures
    assert {"line_item": "Revenue", "key": "revenue", "period": "2024", "value": "12,500", "unit": "millions",
            "document": "harbor_10k.pdf", "page": "2", "quote": "Net sales $ 12,500 $ 11,000"} in computed.items


def test_a_figure_the_model_invents_is_dropped_and_reported(filing):
    app, doc = filing
    # Line A of the revenue candidates is "Net sales"; 9,876 is printed nowhere in the filing.
    model = FakeModel({"line": "A) Net sales", "current": "9,876", "prior": "11,000"})
    items = extract_line_items(app.library, doc, model, PARAMS, keys=["revenue"], mode="model")
    assert "A) Net sales: 12,500 | 11,000" in model.questions[0]
    assert items.get("revenue", "2024") is None
    kept = items.get("revenue", "2023")
    assert (kept.printed, kept.page, kept.method) == ("11,000", INCOME_PAGE, "model")
    assert len(items.warnings) == 1
    assert "9,876 does not appear on p. 2" in items.warnings[0] and "Revenue 2024: not found" in items.warnings[0]


def test_a_figure_from_the_wrong_column_or_line_is_dropped(filing):
    app, doc = filing
    swapped = FakeModel({"line": "A) Net sales", "current": "11,000", "prior": "7,500"})
    items = extract_line_items(app.library, doc, swapped, PARAMS, keys=["revenue"], mode="model")
    assert items.items == () and items.missing == ("revenue",)
    assert "11,000 is the 2023 figure of 'Net sales', not the 2024 one" in items.warnings[0]
    assert "7,500 is on p. 2 but not on the line 'Net sales'" in items.warnings[1]


def test_auto_mode_asks_the_model_only_between_equally_good_lines():
    page = INCOME.replace("Net income $ 1,000 $ 560", "Net income $ 1,000 $ 560\nNet income $ 990 $ 555")
    quiet = FakeModel()
    one = extract_line_items(Pages([page, BALANCE]), _doc(), quiet, PARAMS, keys=["revenue"], mode="auto")
    assert quiet.questions == [] and one.get("revenue").method == "code"
    picker = FakeModel({"line": "B) Net income"})
    two = extract_line_items(Pages([page, BALANCE]), _doc(), picker, PARAMS, keys=["net_income"], mode="auto")
    assert "A) Net income: 1,000 | 560\nB) Net income: 990 | 555" in picker.questions[0]
    assert two.get("net_income").printed == "990" and two.get("net_income").method == "model"


def test_a_document_without_statements_is_an_error_naming_it():
    with pytest.raises(ComputeError, match="memo.pdf: no income statement"):
        extract_line_items(Pages(["Just a letter about 12 things."]), _doc("memo.pdf"), None, PARAMS)


@pytest.mark.parametrize("heading, unit", [
    ("(in millions, except per share data)", "millions"), ("(In thousands, except share data)", "thousands"),
    ("(Amounts in millions)", "millions"), ("(dollars in billions)", "billions"), ("December 31,", ""),
])
def test_unit_is_read_from_the_page_heading(heading, unit):
    assert detect_unit(f"ACME CORP\nCONSOLIDATED BALANCE SHEETS\n{heading}\n2024 2023\nTotal assets 5 4") == unit


def test_a_shifted_layout_parses_and_a_run_in_heading_is_cut_from_the_label():
    # Some PDFs put a row's figures at the start of the next line, before the next label.
    text = ("ACME CORP\nCONSOLIDATED BALANCE SHEETS\n(In thousands)\nDecember 31,\n2020\n2019 Assets\nCash and cash "
            "equivalents\n$ 3,158,058  $ 1,047,118  Total assets\n$ 9,869,550  $ 4,551,258  Total liabilities\n"
            "(7,187 ) 2,836,208")
    page = parse_page(7, text, "balance")
    assert page.periods == ("2020", "2019") and page.unit == "thousands"
    assert [(r.label, [f.printed for f in r.figures]) for r in page.rows] == [
        ("Assets Cash and cash equivalents", ["3,158,058", "1,047,118"]), ("Total assets", ["9,869,550", "4,551,258"]),
        ("Total liabilities", ["(7,187 )", "2,836,208"])]
    assert page.rows[2].figures[0].value == Decimal(-7187)
    cash = candidates(BY_KEY["cash"], page)[0]
    assert (cash.label, cash.quote) == ("Cash and cash equivalents", "Cash and cash equivalents $ 3,158,058 $ 1,047,118")
    assert cash.quote in collapse(text)


def test_amounts_keep_the_printed_unit_and_convert_on_request():
    thousands = BALANCE.replace("(in millions)", "(in thousands)")
    items = extract_line_items(Pages([INCOME, thousands]), _doc(), None, PARAMS, keys=["total_assets", "revenue"])
    assets, revenue = items.get("total_assets"), items.get("revenue")
    assert (assets.unit, assets.value, assets.in_unit("millions")) == ("thousands", Decimal(12600), Decimal("12.6"))
    assert (revenue.unit, revenue.in_unit("thousands")) == ("millions", Decimal(12500000))


def test_primary_statements_are_the_first_compact_run_not_later_lookalikes():
    labels = {50: "income", 52: "balance", 54: "cash_flow", 113: "income", 114: "balance", 115: "cash_flow"}
    assert core_pages(labels) == [50, 52, 54]


@pytest.mark.integration
def test_the_real_model_reads_lines_that_code_confirms(filing):
    app, doc = filing
    try:
        model = app.model()
    except ModelUnavailable as exc:
        pytest.skip(f"model files absent: {exc}")
    keys = ["revenue", "total_assets", "operating_cash_flow"]
    items = extract_line_items(app.library, doc, model, app.params(), keys=keys, mode="model")
    assert items.items, f"the model found nothing: {items.warnings}"
    for item in items.items:  # whatever the model read survived the check, so it is the printed figure
        page, now, before, line = EXPECTED[item.key]
        assert (item.page, item.printed, item.quote) == (page, {"2024": now, "2023": before}[item.period], line)
    # Every figure is either read or reported as not found, never silently missing.
    for key in keys:
        if not (items.get(key, "2024") and items.get(key, "2023")):
            assert any(w.startswith(BY_KEY[key].name) for w in items.warnings), (key, items.warnings)


def _doc(name: str = "acme_10k.pdf"):
    from agents.domain.library import Document, DocumentStatus
    return Document("doc_1", "mat_1", name, f"/tmp/{name}", "pdf", "0" * 64, DocumentStatus.INDEXED, "", 2, 1, "")
