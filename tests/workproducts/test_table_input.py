"""Reading client spreadsheets: amounts as accountants type them, header rows, column synonyms."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from agents.workproducts.computed import ComputeError
from agents.workproducts.table_input import (find_columns, find_header, format_amount, format_pct, parse_amount,
                                             read_grid, to_amount, year_of)


@pytest.mark.parametrize("text, expected", [
    ("1,234.50", "1234.50"), ("(1,234)", "-1234"), ("-1234", "-1234"), ("1234-", "-1234"),
    ("$1,234", "1234"), ("£5,000.25", "5000.25"), ("€12", "12"), ("($1,234.00)", "-1234.00"),
    ("−75", "-75"), ("1 234 567", "1234567"), ("1,234 Cr", "-1234"), ("1,234 Dr", "1234"),
    ("GBP 1,000", "1000"), ("1.234,50", "1234.50"), ("+42", "42"), ("0.5", "0.5"),
])
def test_amounts_as_typed(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "   ", "-", "—", "–"])
def test_blank_and_dashes_are_no_amount(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("text", ["n/a", "12,34,5", "1.2.3", "abc", "$", "()"])
def test_non_numbers_are_refused(text):
    with pytest.raises(ValueError, match="is not an amount"):
        parse_amount(text)


def test_cell_values_become_decimals_without_float_noise():
    assert to_amount(0.1 + 0.2) == Decimal("0.3")
    assert to_amount(1234) == Decimal(1234)
    with pytest.raises(ValueError):
        to_amount(dt.date(2025, 1, 1))


def test_formatting():
    assert format_amount(Decimal("-1234567.5")) == "(1,234,568)"
    assert format_amount(Decimal("1234.5"), 2) == "1,234.50"
    assert format_pct(Decimal("-3.04")) == "(3.0%)"
    assert format_pct(None) == "n/m"
    assert year_of("FY2025") == 2025 and year_of("31 Dec 2024") == 2024 and year_of("2024 vs 2025") is None


def _xlsx(tmp_path, rows, title="TB"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    path = tmp_path / "trial_balance.xlsx"
    wb.save(path)
    return path


WANTED = {"account": ["account", "account name", "description"], "current": ["current", "cy", "2025"],
          "prior": ["prior", "py", "2024"]}


def test_header_row_is_found_below_a_title_and_numbers_headers_count_as_text(tmp_path):
    path = _xlsx(tmp_path, [["Acme Ltd"], ["Trial balance", None, None], [], ["Account name", 2025, 2024],
                            ["Cash", 10, 5]])
    grid = read_grid(path)
    row, cols = find_header(grid, WANTED)
    assert row == 3 and cols == {"account": 0, "current": 1, "prior": 2}


def test_exact_synonym_beats_partial_one(tmp_path):
    path = _xlsx(tmp_path, [["Account number", "Account", "CY", "PY"], ["1000", "Cash", 1, 2]])
    cols = find_columns(read_grid(path), {**WANTED, "code": ["code", "account number"]})
    assert cols["account"] == 1 and cols["code"] == 0


def test_missing_column_names_file_sheet_and_what_was_looked_for(tmp_path):
    path = _xlsx(tmp_path, [["Account", "2025"], ["Cash", 10]])
    with pytest.raises(ComputeError, match=r"trial_balance.xlsx, sheet TB: no column for prior .*Row 1 has: Account \| 2025"):
        find_columns(read_grid(path), WANTED)


def test_bad_amount_names_the_cell(tmp_path):
    path = _xlsx(tmp_path, [["Account", "Code", "2025", "2024"]] + [["A", "1", 1, 2]] * 12 + [["B", "2", 3, "n/a"]])
    grid = read_grid(path)
    with pytest.raises(ComputeError) as exc:
        grid.amount(13, 3)
    assert str(exc.value) == "trial_balance.xlsx, sheet TB, cell D14: 'n/a' is not an amount"


def test_row_references(tmp_path):
    path = _xlsx(tmp_path, [["Account", "2025", "2024", "Note"], ["Cash", 1, 2]], title="My TB")
    grid = read_grid(path)
    assert grid.row_ref(1) == "'My TB'!A2:C2"
    assert grid.row_ref(1, grid.width(0)) == "'My TB'!A2:D2"
    assert grid.cells_ref(1, [2, 1]) == "'My TB'!B2:C2"
    assert grid.cells_ref(1, [0, 2]) == "'My TB'!A2,C2"
    assert grid.cells_ref(1, [0, 2, 3]) == "'My TB'!A2,C2:D2"


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ","), ("cp1252", ";"), ("utf-8", "\t")])
def test_csv_delimiter_and_encoding(tmp_path, encoding, delimiter):
    text = delimiter.join(["Account", "CY", "PY"]) + "\n" + delimiter.join(["Café £", '"1,200"' if delimiter == "," else "1200", "(300)"]) + "\n"
    path = tmp_path / "tb.csv"
    path.write_bytes(text.encode(encoding))
    grid = read_grid(path)
    cols = find_columns(grid, WANTED)
    assert grid.text(1, cols["account"]) == "Café £"
    assert grid.amount(1, cols["current"]) == Decimal(1200) and grid.amount(1, cols["prior"]) == Decimal(-300)
    assert grid.sheet == "tb"


def test_unknown_sheet_and_file_type(tmp_path):
    path = _xlsx(tmp_path, [["Account", "2025"]])
    with pytest.raises(ComputeError, match="no sheet named 'Other'; sheets are TB"):
        read_grid(path, "Other")
    other = tmp_path / "tb.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(ComputeError, match="must be .xlsx, .xlsm or .csv"):
        read_grid(other)
