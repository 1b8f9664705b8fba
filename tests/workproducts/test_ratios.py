"""Ratios computed by code from line items: values, stated rounding, formulas with operands and
page citations, and a missing operand named instead of a number."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from financial_filing import BALANCE, CASH_FLOW, INCOME

from agents.domain.library import Document, DocumentStatus
from agents.llm.protocol import GenerationParams
from agents.workproducts.financial_lines import extract_line_items
from agents.workproducts.ratios import compute, ratios


class Pages:
    def __init__(self, pages: list[str]) -> None:
        self.pages = list(enumerate(pages, 1))

    def page_texts(self, document_id: str):
        return self.pages


DOC = Document("doc_1", "mat_1", "harbor_10k.pdf", "/tmp/harbor_10k.pdf", "pdf", "0" * 64, DocumentStatus.INDEXED,
               "", 3, 1, "")


@pytest.fixture(scope="module")
def items():
    return extract_line_items(Pages([INCOME, BALANCE, CASH_FLOW]), DOC, None, GenerationParams(), mode="code")


@pytest.mark.parametrize("key, shown", [
    ("gross_margin", "40.0%"),           # (12,500 - 7,500) / 12,500
    ("operating_margin", "12.6%"),       # 1,577 / 12,500 = 12.616
    ("net_margin", "8.0%"),
    ("revenue_growth", "13.6%"),         # 1,500 / 11,000 = 13.636
    ("current_ratio", "2.16x"),          # 5,400 / 2,500
    ("debt_to_equity", "0.82x"),         # (300 + 200 + 4,000) / 5,500 = 0.818
    ("liabilities_to_assets", "0.56x"),  # 7,100 / 12,600 = 0.5635
    ("interest_coverage", "4.26x"),      # 1,577 / |(370)| = 4.262
    ("free_cash_flow", "600"),           # 1,350 - |(750)|
    ("fcf_margin", "4.8%"),
    ("ebitda", "2,027"),                 # 1,577 + 450
])
def test_ratio_values_and_rounding(items, key, shown):
    assert compute(items, key).display == shown


def test_the_unrounded_value_is_exact_decimal(items):
    assert compute(items, "operating_margin").value == Decimal(1577) / Decimal(12500) * 100
    assert compute(items, "free_cash_flow").value == Decimal(600)
    assert compute(items, "free_cash_flow").unit == "millions"


def test_each_row_shows_the_formula_operands_and_their_pages(items):
    computed = ratios(items)
    table = computed.tables[0]
    row = next(r for r in table.rows if r[0] == "Interest coverage" and r[1] == "2024")
    assert row[2] == "4.26x"
    assert row[3] == ("Operating income / |Interest expense|: Operating income 2024 = 1,577 (p. 1); "
                      "Interest expense 2024 = (370) (p. 1)")
    assert row[4] == "harbor_10k.pdf, p. 1"
    fcf = next(r for r in table.rows if r[0] == "Free cash flow" and r[1] == "2023")
    assert fcf[2] == "310 (millions)" and "Capital expenditure 2023 = (600) (p. 3)" in fcf[3]
    assert "rounded half-up" in table.note
    assert Decimal("4.26") in computed.figures


def test_a_missing_operand_is_named_and_no_number_is_given(items):
    without = replace(items, items=tuple(i for i in items.items if i.key != "total_liabilities"),
                      missing=("total_liabilities",))
    r = compute(without, "liabilities_to_assets")
    assert r.value is None
    assert r.display == "not computed: Total liabilities 2024 not found"
    computed = ratios(without)
    row = next(r for r in computed.tables[0].rows if r[0] == "Liabilities to assets" and r[1] == "2024")
    assert row[2] == "not computed: Total liabilities 2024 not found"
    assert "Liabilities to assets 2024 not computed: Total liabilities 2024 not found" in computed.warnings


def test_prior_period_ratios_need_the_year_before_it(items):
    # Balance sheets print two years, so an average for 2023 needs 2022, which is not in the filing.
    assert compute(items, "inventory_turnover", "2024").display == "4.17x"  # 7,500 / ((1,900 + 1,700) / 2)
    assert compute(items, "inventory_turnover", "2023").display == "not computed: Inventory (prior period) not found"


def test_zero_denominator_is_reported():
    income = INCOME.replace("Interest expense (370) (350)", "Interest expense — (350)")
    items = extract_line_items(Pages([income, BALANCE, CASH_FLOW]), DOC, None, GenerationParams(), mode="code")
    assert compute(items, "interest_coverage").display == "not computed: interest expense is zero"
    assert compute(items, "interest_coverage", "2023").display == "2.86x"  # 1,000 / 350
