import openpyxl

from agents.domain.library import Page
from agents.knowledge.chunking import chunk_page
from agents.knowledge.parsers import parse
from agents.knowledge.tables import column_letter, table_locator


def _workbook(path, rows=200):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ledger"
    ws.append(["Account", "Code", "Debit", "Credit"])
    for i in range(2, rows + 1):
        ws.append([f"Account {i}", 1000 + i, i * 10.5, None])
    wb.create_sheet("Notes").append(["Note", "Prepared by the client. Not audited."])
    wb.save(path)
    return path


def test_each_sheet_is_a_page_and_each_row_names_its_cells_and_headers(tmp_path):
    pages = parse(_workbook(tmp_path / "tb.xlsx"), 10_000_000).pages
    assert len(pages) == 2
    lines = pages[0].text.splitlines()
    assert lines[0] == "Ledger!A1:D1 | header | Account | Code | Debit | Credit"
    assert lines[179] == "Ledger!A180:D180 | Account: Account 180 | Code: 1180 | Debit: 1890"
    assert pages[1].text.startswith("Notes!A1:B1 | header")


def test_row_chunks_stay_whole_and_cite_their_cell_range(tmp_path):
    page = parse(_workbook(tmp_path / "tb.xlsx"), 10_000_000).pages[0]
    spans = chunk_page(page, lambda t: len(t.split()), max_tokens=60, by_line=True)
    assert len(spans) > 10
    for s in spans:
        assert all(line.startswith("Ledger!A") for line in s.text.splitlines())
    hit = next(s for s in spans if "Account 180 " in s.text)
    first, last = table_locator(hit.text).split("!")[1].split(":")
    assert int(first[1:]) <= 180 <= int(last[1:])


def test_csv_with_semicolons_and_a_sheet_name_with_spaces(tmp_path):
    (tmp_path / "fixed assets.csv").write_text("Asset;Cost\nVan;12500\nLathe;8200\n", encoding="utf-8")
    page = parse(tmp_path / "fixed assets.csv", 1_000_000).pages[0]
    assert page.text.splitlines()[2] == "'fixed assets'!A3:B3 | Asset: Lathe | Cost: 8200"
    assert table_locator(page.text) == "'fixed assets'!A1:B3"


def test_column_letters():
    assert [column_letter(i) for i in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_locator_is_empty_for_prose():
    assert table_locator(Page(1, "Just words.").text) == ""
