"""Budget against actual: favourable by line type, wide and long layouts, top items, the chart."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from agents.workproducts import budget
from agents.workproducts.chart import bar_chart, chart_size
from agents.workproducts.computed import ComputeError, ComputeInputs

ROOT = Path(__file__).resolve().parents[2]
LINES = [  # line, type, {period: (budget, actual)}
    ("Sales", "Revenue", {"Q1": (1000, 1200), "Q2": (1000, 900)}),
    ("Materials", "Expense", {"Q1": (400, 350), "Q2": (400, 480)}),
    ("Rent", "Expense", {"Q1": (100, 100), "Q2": (0, 20)}),
]


def _save(tmp_path, rows, name):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BvA"
    for r in rows:
        ws.append(list(r))
    path = tmp_path / name
    wb.save(path)
    return path


def wide(tmp_path, lines=LINES, typed=True, extra=()):
    head = ["Line", *(["Type"] if typed else []), "Q1 Budget", "Q1 Actual", "Q2 Budget", "Q2 Actual"]
    rows = [("FY plan",), head]
    for line, kind, per in lines:
        rows.append([line, *([kind] if typed else []), *per["Q1"], *per["Q2"]])
    rows.extend(extra)
    return _save(tmp_path, rows, "wide.xlsx")


def long(tmp_path, lines=LINES):
    rows = [("Line", "Type", "Period", "Budget", "Actual")]
    for period in ("Q1", "Q2"):
        for line, kind, per in lines:
            rows.append((line, kind, period, *per[period]))
    return _save(tmp_path, rows, "long.xlsx")


def run(path, **values):
    return ComputeInputs(tables={"budget": path}, values={k: str(v) for k, v in values.items()})


def test_favourable_depends_on_revenue_or_expense(tmp_path):
    out = budget.variances(run(wide(tmp_path)))
    detail = {(r[0], r[2]): r for r in out.tables[0].rows}
    assert detail[("Sales", "Q1")][3:] == ("1,000", "1,200", "200", "20.0%", "favourable")
    assert detail[("Sales", "Q2")][5:] == ("(100)", "(10.0%)", "unfavourable")
    assert detail[("Materials", "Q1")][5:] == ("(50)", "(12.5%)", "favourable")
    assert detail[("Materials", "Q2")][5:] == ("80", "20.0%", "unfavourable")
    assert detail[("Rent", "Q1")][7] == "favourable"  # on budget
    assert detail[("Rent", "Q2")][6] == "n/m"  # nil budget
    totals = {r[0]: r for r in out.tables[1].rows}
    assert totals["Total revenue"][2:] == ("2,000", "2,100", "100", "5.0%", "favourable")
    assert totals["Total expenses"][2:] == ("900", "950", "50", "5.6%", "unfavourable")
    assert totals["Net result"][2:] == ("1,100", "1,150", "50", "4.5%", "favourable")
    by_period = {r[0]: r for r in out.tables[2].rows}
    assert by_period["Q2"][5:] == ("600", "400", "(200)", "(33.3%)", "unfavourable")
    assert out.warnings == ()


def test_top_items_by_absolute_variance(tmp_path):
    out = budget.variances(run(wide(tmp_path), top_n=3))
    assert [(i["line"], i["period"], i["variance"]) for i in out.items] == [
        ("Sales", "Q1", "200"), ("Sales", "Q2", "(100)"), ("Materials", "Q2", "80")]
    first = out.items[0]
    assert first == {"line": "Sales", "period": "Q1", "budget": "1,000", "actual": "1,200", "variance": "200",
                     "variance_pct": "20.0%", "favourable": "favourable", "type": "revenue",
                     "source": "BvA!A3,C3:D3", "file": "wide.xlsx"}
    assert {Decimal(1200), Decimal(200), Decimal("20.0"), Decimal(1150)} <= set(out.figures)
    by_line = budget.variances(run(wide(tmp_path), top_n=1, explain_by="line"))
    assert [(i["line"], i["period"], i["variance"]) for i in by_line.items] == [("Sales", "all periods", "100")]


def test_wide_and_long_give_the_same_results(tmp_path):
    a, b = budget.variances(run(wide(tmp_path))), budget.variances(run(long(tmp_path)))
    assert [t.rows for t in a.tables] == [t.rows for t in b.tables]
    strip = lambda items: [{k: v for k, v in i.items() if k not in ("source", "file")} for i in items]  # noqa: E731
    assert strip(a.items) == strip(b.items)
    assert b.items[0]["source"] == "BvA!A2:E2"


def test_types_inferred_from_names_with_a_warning(tmp_path):
    lines = [("Product sales", "", LINES[0][2]), ("Cost of sales", "", LINES[1][2]), ("Interest income", "", LINES[2][2])]
    out = budget.variances(run(wide(tmp_path, lines, typed=False)))
    kinds = {r[0]: r[1] for r in out.tables[1].rows}
    assert kinds["Product sales"] == "revenue" and kinds["Cost of sales"] == "expense"
    assert kinds["Interest income"] == "revenue"
    assert len(out.warnings) == 1 and "no Type column" in out.warnings[0] and "Cost of sales (expense)" in out.warnings[0]


def test_total_rows_are_left_out(tmp_path):
    extra = [("Total revenue", "", 1000, 1200, 1000, 900), ("Net profit", "", 500, 750, 600, 400)]
    out = budget.variances(run(wide(tmp_path, extra=extra)))
    assert [r[0] for r in out.tables[1].rows][:3] == ["Sales", "Materials", "Rent"]
    assert len(out.tables[0].rows) == 6
    assert "Total revenue, Net profit" in out.text


def test_unknown_type_and_missing_columns_are_clear_errors(tmp_path):
    bad = [("Sales", "Capex", LINES[0][2])]
    with pytest.raises(ComputeError, match=r"wide.xlsx, sheet BvA, cell B3: type 'Capex' is neither revenue"):
        budget.variances(run(wide(tmp_path, bad)))
    path = _save(tmp_path, [("Line", "Type", "Q1 Budget", "Q1 Forecast"), ("Sales", "Revenue", 1, 2)], "x.xlsx")
    with pytest.raises(ComputeError, match=r"x.xlsx, sheet BvA: no header row with a Line column and Budget and Actual"):
        budget.variances(run(path))
    with pytest.raises(ComputeError, match="top_n 'lots'"):
        budget.variances(run(wide(tmp_path), top_n="lots"))


def test_chart_png_decodes_at_the_expected_size_and_is_deterministic(tmp_path):
    args = ("Variance", ["Sales", "Materials — très longue étiquette", "Rent"],
            [Decimal(100), Decimal(-50), Decimal(0)], [True, False, True])
    png = bar_chart(*args)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == chart_size(3) == (900, chart_size(3)[1])
    assert chart_size(4)[1] - chart_size(3)[1] > 0
    assert bar_chart(*args) == png
    pixels = image.convert("RGB")
    colours = {pixels.getpixel((x, y)) for x in range(0, 900, 3) for y in range(0, image.size[1], 3)}
    assert (46, 125, 50) in colours and (198, 40, 40) in colours  # favourable and unfavourable bars
    with pytest.raises(ValueError, match="same length"):
        bar_chart("x", ["a"], [1, 2], [True])
    out = budget.variances(run(wide(tmp_path)))
    assert Image.open(io.BytesIO(out.charts[0].png)).size == chart_size(3)


def test_sample_budget_reads_and_computes_without_warnings():
    out = budget.variances(run(ROOT / "resources/samples/budget/budget_vs_actual.xlsx"))
    assert out.warnings == ()
    assert len(out.tables[0].rows) == 14 * 4
    totals = {r[0]: r for r in out.tables[1].rows}
    assert totals["Product sales"][2:5] == ("6,300,000", "6,842,000", "542,000")
    assert totals["Total revenue"][3] == "7,272,700"
    assert [(i["line"], i["period"]) for i in out.items] == [
        ("Product sales", "Q4"), ("Product sales", "Q3"), ("Materials", "Q4"), ("Materials", "Q3"),
        ("Professional fees", "Q3")]
    assert out.items[0]["source"] == "'Budget v Actual'!A4,I4:J4"
