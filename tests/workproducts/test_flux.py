"""The flux workpaper's code: tie-out, variances against materiality, both TB layouts."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from agents.workproducts import flux
from agents.workproducts.computed import ComputeError, ComputeInputs

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = [  # code, name, current, prior (debit positive)
    ("1000", "Cash", 150_000, 100_000),
    ("1100", "Receivables", 80_000, 0),
    ("2000", "Payables", -60_000, -49_999),
    ("3000", "Share capital", -100_000, -100_000),
    ("4000", "Revenue", -900_000, -800_000),
    ("5000", "Cost of sales", 830_000, 849_999),
]


def _save(tmp_path: Path, rows, name="tb.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TB"
    for r in rows:
        ws.append(list(r))
    path = tmp_path / name
    wb.save(path)
    return path


def signed(tmp_path, accounts=ACCOUNTS, headers=("Code", "Account", "2025", "2024"), total=True):
    rows = [("Test Co",), (), headers, *accounts]
    if total:
        rows.append(("", "Total", sum(a[2] for a in accounts), sum(a[3] for a in accounts)))
    return _save(tmp_path, rows, "signed.xlsx")


def paired(tmp_path, accounts=ACCOUNTS):
    rows = [(None, None, "2024", None, "2025", None), ("Code", "Account", "Debit", "Credit", "Debit", "Credit")]
    for code, name, cy, py in accounts:
        rows.append((code, name, max(py, 0) or None, max(-py, 0) or None, max(cy, 0) or None, max(-cy, 0) or None))
    dr = lambda i: sum(max(a[i], 0) for a in accounts)  # noqa: E731
    cr = lambda i: sum(max(-a[i], 0) for a in accounts)  # noqa: E731
    rows.append((None, "Total", dr(3), cr(3), dr(2), cr(2)))
    return _save(tmp_path, rows, "paired.xlsx")


def run(path, **values):
    return ComputeInputs(tables={"trial_balance": path}, values={k: str(v) for k, v in values.items()})


def test_tie_out_balanced(tmp_path):
    out = flux.tie_out(run(signed(tmp_path)))
    assert out.warnings == ()
    assert out.tables[0].rows[0] == ("2025", "1,060,000", "1,060,000", "0", "0")
    assert "2025: debits 1,060,000 equal credits 1,060,000." in out.text
    assert Decimal(1060000) in out.figures


def test_unbalanced_tb_warns_and_still_computes(tmp_path):
    accounts = [*ACCOUNTS[:-1], ("5000", "Cost of sales", 827_000, 849_999)]
    path = signed(tmp_path, accounts, total=False)
    out = flux.tie_out(run(path))
    assert len(out.warnings) == 1
    assert out.warnings[0].startswith("2025: debits do not equal credits; the difference is (3,000)")
    assert out.tables[0].rows[1][3] == "0"
    assert len(flux.variances(run(path, materiality=50000)).tables[0].rows) == 6


def test_total_row_that_disagrees_with_the_accounts_is_flagged(tmp_path):
    rows = [("Code", "Account", "2025", "2024"), *ACCOUNTS, ("", "Total", 5, 0)]
    out = flux.tie_out(run(_save(tmp_path, rows)))
    assert out.warnings == ("2025: the total row (row 8) shows 5 but the accounts net to 0",)


def test_total_and_subtotal_rows_are_not_accounts(tmp_path):
    accounts = [*ACCOUNTS[:2], ("", "Total current assets", 230_000, 100_000), *ACCOUNTS[2:]]
    out = flux.variances(run(signed(tmp_path, accounts), materiality=50000))
    names = [r[1] for r in out.tables[0].rows]
    assert "Total" not in names and "Total current assets" not in names and len(names) == 6
    assert "Total current assets (row 6)" in flux.tie_out(run(signed(tmp_path, accounts))).text


def test_variances_materiality_boundary_and_nil_prior(tmp_path):
    out = flux.variances(run(signed(tmp_path), materiality="50,000"))
    rows = {r[1]: r for r in out.tables[0].rows}
    assert rows["Cash"][3:] == ("150,000", "100,000", "50,000", "50.0%", "Yes")  # exactly at materiality
    assert rows["Payables"][2:] == ("Cr", "60,000", "49,999", "10,001", "20.0%", "")
    assert rows["Receivables"][6] == "n/m"
    assert rows["Revenue"][2:7] == ("Cr", "900,000", "800,000", "100,000", "12.5%")  # credit shown positive
    assert rows["Cost of sales"][5] == "(19,999)"
    flagged = {i["account"]: i for i in out.items}
    assert set(flagged) == {"Cash", "Receivables", "Revenue"}
    assert flagged["Receivables"]["change_pct"] == "n/m"
    assert flagged["Revenue"] == {
        "account": "Revenue", "code": "4000", "current": "900,000", "prior": "800,000", "change": "100,000",
        "change_pct": "12.5%", "direction": "increase", "source": "TB!A8:D8", "side": "Cr",
        "current_period": "2025", "prior_period": "2024", "file": "signed.xlsx",
        "reason": "the change of 100,000 is at or above materiality of 50,000"}
    assert out.warnings == ()
    assert {Decimal(900000), Decimal(100000), Decimal("12.5"), Decimal(19999), Decimal(-19999)} <= set(out.figures)


def test_one_below_materiality_is_not_flagged(tmp_path):
    out = flux.variances(run(signed(tmp_path), materiality=50001))
    assert {i["account"] for i in out.items} == {"Receivables", "Revenue"}


def test_percentage_threshold_adds_flags(tmp_path):
    out = flux.variances(run(signed(tmp_path), materiality="100k", materiality_pct="20%"))
    assert {i["account"] for i in out.items} == {"Cash", "Payables", "Revenue"}
    assert "20.0%" in {i["account"]: i for i in out.items}["Payables"]["reason"]


def test_default_materiality_is_stated(tmp_path):
    out = flux.variances(run(signed(tmp_path)))
    assert "default of 50,000" in out.text and "default of 50,000" in out.warnings[0]


def test_debit_credit_pairs_give_the_same_variances_as_signed(tmp_path):
    a = flux.variances(run(signed(tmp_path), materiality=50000))
    b = flux.variances(run(paired(tmp_path), materiality=50000))
    assert a.tables[0].rows == b.tables[0].rows
    strip = lambda items: [{k: v for k, v in i.items() if k not in ("source", "file")} for i in items]  # noqa: E731
    assert strip(a.items) == strip(b.items)
    tie = flux.tie_out(run(paired(tmp_path)))
    assert tie.warnings == () and tie.tables[0].rows[0][4] == "1,060,000 / 1,060,000"


@pytest.mark.parametrize("headers", [("Code", "Account", "Current", "Prior"), ("Code", "Description", "CY", "PY"),
                                     ("Code", "Account", "FY2024", "FY2025")])
def test_period_headers_by_keyword_or_later_year(tmp_path, headers):
    accounts = ACCOUNTS if headers[2] != "FY2024" else [(c, n, p, q) for c, n, q, p in ACCOUNTS]
    out = flux.variances(run(signed(tmp_path, accounts, headers), materiality=50000))
    assert {i["account"] for i in out.items} == {"Cash", "Receivables", "Revenue"}


def test_missing_prior_period_is_a_clear_error(tmp_path):
    path = _save(tmp_path, [("Account", "2025"), ("Cash", 10)])
    with pytest.raises(ComputeError, match=r"tb.xlsx, sheet TB: no header row with an account column and a current and a prior"):
        flux.variances(run(path))


def test_text_in_an_amount_cell_names_the_cell(tmp_path):
    path = signed(tmp_path, [*ACCOUNTS[:3], ("3000", "Share capital", "n/a", -100_000)], total=False)
    with pytest.raises(ComputeError, match=r"signed.xlsx, sheet TB, cell C7: 'n/a' is not an amount"):
        flux.tie_out(run(path))


def test_bad_materiality(tmp_path):
    with pytest.raises(ComputeError, match="materiality 'lots' is not an amount"):
        flux.variances(run(signed(tmp_path), materiality="lots"))


def test_sample_trial_balance_balances_and_flags_five_movements():
    path = ROOT / "resources/samples/flux/trial_balance.xlsx"
    tie = flux.tie_out(run(path))
    assert tie.warnings == ()
    out = flux.variances(run(path, materiality=50000))
    assert out.warnings == ()
    assert len(out.tables[0].rows) == 34
    assert [i["account"] for i in out.items] == ["Plant and machinery", "Bank loan", "Revenue - product sales",
                                                 "Cost of sales - materials", "Professional fees"]
    assert out.items[2]["change"] == "727,000" and out.items[2]["source"] == "TB!A24:F24"
