"""Regenerates the sample files under resources/samples: the Northwind supply agreement PDF from its
text source, and the Larkspur Components trial balance and budget workbooks with the matter
documents that explain some of their movements. Same bytes on every run (fixed zip timestamps and
document properties), so a regenerated sample shows no diff unless its content changed."""
from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pdfgen import write_pdf  # noqa: E402

SAMPLES = ROOT / "resources/samples"
STAMP = dt.datetime(2026, 1, 15, 9, 0, 0)
MATERIALITY = 50_000

# (code, name, 2025, 2024): debit positive, credit negative. Cash and retained earnings are
# worked out below so both years balance and retained earnings roll forward.
TB = [
    ("1000", "Cash at bank", None, None),
    ("1100", "Trade receivables", 1_151_050, 1_104_200),
    ("1150", "Allowance for doubtful debts", -41_300, -38_900),
    ("1200", "Inventory - raw materials", 434_100, 389_100),
    ("1210", "Inventory - finished goods", 345_750, 301_750),
    ("1300", "Prepayments", 78_400, 58_400),
    ("1500", "Plant and machinery", 1_184_000, 906_000),
    ("1510", "Accumulated depreciation - plant", -512_300, -468_500),
    ("1520", "Motor vehicles", 86_000, 86_000),
    ("1530", "Accumulated depreciation - vehicles", -51_600, -34_400),
    ("2000", "Trade payables", -712_350, -702_350),
    ("2100", "Accruals", -101_200, -96_200),
    ("2200", "VAT payable", -64_300, -58_900),
    ("2300", "PAYE and social security", -38_700, -36_100),
    ("2500", "Bank loan", -750_000, -500_000),
    ("2600", "Corporation tax payable", -78_800, -46_700),
    ("3000", "Share capital", -250_000, -250_000),
    ("3100", "Retained earnings brought forward", None, -1_216_300),
    ("3200", "Dividends paid", 140_000, 100_000),
    ("4000", "Revenue - product sales", -6_842_000, -6_115_000),
    ("4100", "Revenue - service and repairs", -412_500, -398_200),
    ("4900", "Other income", -18_200, -21_400),
    ("5000", "Cost of sales - materials", 3_284_000, 2_905_000),
    ("5100", "Cost of sales - direct labour", 1_098_000, 1_052_000),
    ("5200", "Production overheads", 1_205_000, 1_161_000),
    ("6000", "Administrative salaries", 684_300, 662_900),
    ("6100", "Rent and rates", 216_000, 216_000),
    ("6200", "Depreciation", 61_000, 58_700),
    ("6300", "Professional fees", 148_600, 61_200),
    ("6400", "Repairs and maintenance", 74_200, 69_800),
    ("6500", "Marketing", 96_300, 88_700),
    ("6600", "Insurance", 48_900, 45_100),
    ("6700", "Interest expense", 41_300, 27_500),
    ("6800", "Corporation tax", 78_800, 46_700),
]


def trial_balance() -> list[tuple[str, str, int, int]]:
    rows = {code: [name, cy, py] for code, name, cy, py in TB}
    profit_2024 = -sum(py for code, _, _, py in TB if code >= "4000")
    rows["3100"][1] = rows["3100"][2] - profit_2024 + rows["3200"][2]  # credit grows by profit less dividends
    for year in (1, 2):
        rows["1000"][year] = 0
        rows["1000"][year] = -sum(r[year] for r in rows.values())
    out = [(code, name, cy, py) for code, (name, cy, py) in rows.items()]
    assert sum(r[2] for r in out) == 0 and sum(r[3] for r in out) == 0
    return out


def _freeze_zip(path: Path) -> None:
    """Rewrites an Office file with fixed member timestamps so its bytes depend on content only."""
    with zipfile.ZipFile(path) as zin:
        members = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members:
            if name == "docProps/core.xml":  # openpyxl stamps the save time over our date
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
                              data)
            info = zipfile.ZipInfo(name, date_time=STAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)


def _save_workbook(wb, path: Path) -> None:
    wb.properties.creator = "Larkspur Components Ltd finance"
    wb.properties.created = STAMP
    wb.properties.modified = STAMP
    wb.save(path)
    _freeze_zip(path)


def write_trial_balance(path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TB"
    ws.append(["Larkspur Components Ltd"])
    ws.append(["Trial balance at 31 December 2025 with comparatives (GBP)"])
    ws.append([])
    ws.append(["Code", "Account", "2025 Debit", "2025 Credit", "2024 Debit", "2024 Credit"])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    dr = [0, 0, 0, 0]
    for code, name, cy, py in trial_balance():
        cells = [cy if cy > 0 else None, -cy if cy < 0 else None, py if py > 0 else None, -py if py < 0 else None]
        dr = [a + (b or 0) for a, b in zip(dr, cells)]
        ws.append([code, name, *cells])
    ws.append([None, "Total", *dr])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=5, min_col=3, max_col=6):
        for cell in row:
            cell.number_format = "#,##0;(#,##0)"
    ws.column_dimensions["B"].width = 38
    for col in "CDEF":
        ws.column_dimensions[col].width = 14
    _save_workbook(wb, path)


# Budget FY2025 by quarter. Actual annual totals equal the 2025 trial balance; the quarterly
# split and the budget are the management accounts'.
BUDGET = [  # line, type, budget by quarter, actual by quarter
    ("Product sales", "Revenue", (1_500_000, 1_550_000, 1_600_000, 1_650_000),
     (1_482_000, 1_561_000, 1_843_000, 1_956_000)),
    ("Service and repairs", "Revenue", (100_000, 105_000, 105_000, 110_000), (98_400, 101_900, 104_600, 107_600)),
    ("Other income", "Revenue", (5_000, 5_000, 5_000, 5_000), (4_100, 4_600, 4_300, 5_200)),
    ("Materials", "Expense", (705_000, 728_000, 752_000, 775_000), (712_000, 768_000, 869_000, 935_000)),
    ("Direct labour", "Expense", (270_000, 275_000, 280_000, 285_000), (268_500, 272_300, 276_900, 280_300)),
    ("Production overheads", "Expense", (300_000, 300_000, 300_000, 300_000),
     (296_000, 301_500, 302_800, 304_700)),
    ("Administrative salaries", "Expense", (170_000, 170_000, 172_000, 172_000), (169_800, 170_400, 171_600, 172_500)),
    ("Rent and rates", "Expense", (54_000, 54_000, 54_000, 54_000), (54_000, 54_000, 54_000, 54_000)),
    ("Depreciation", "Expense", (15_000, 15_000, 16_000, 16_000), (14_600, 14_700, 15_700, 16_000)),
    ("Professional fees", "Expense", (16_000, 16_000, 16_000, 16_000), (17_200, 15_900, 58_300, 57_200)),
    ("Repairs and maintenance", "Expense", (18_000, 18_000, 18_000, 18_000), (17_400, 19_100, 18_300, 19_400)),
    ("Marketing", "Expense", (40_000, 40_000, 40_000, 40_000), (38_600, 36_900, 10_400, 10_400)),
    ("Insurance", "Expense", (12_000, 12_000, 12_500, 12_500), (12_000, 12_000, 12_400, 12_500)),
    ("Interest expense", "Expense", (8_000, 8_000, 12_000, 12_000), (7_100, 7_200, 13_300, 13_700)),
]
QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def check_budget() -> None:
    tb = {name: -cy if cy < 0 else cy for _, name, cy, _ in trial_balance()}
    names = {"Product sales": "Revenue - product sales", "Service and repairs": "Revenue - service and repairs",
             "Materials": "Cost of sales - materials", "Direct labour": "Cost of sales - direct labour"}
    for line, _, _, actual in BUDGET:
        assert sum(actual) == tb[names.get(line, line)], (line, sum(actual), tb[names.get(line, line)])


def write_budget(path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Font

    check_budget()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget v Actual"
    ws.append(["Larkspur Components Ltd - management accounts FY2025 (GBP)"])
    ws.append([])
    ws.append(["Line", "Type", *[f"{q} {kind}" for q in QUARTERS for kind in ("Budget", "Actual")]])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for kind in ("Revenue", "Expense"):
        first = ws.max_row + 1
        for line, typ, budget, actual in BUDGET:
            if typ == kind:
                ws.append([line, typ, *[v for pair in zip(budget, actual) for v in pair]])
        last = ws.max_row
        label = "Total revenue" if kind == "Revenue" else "Total expenses"
        ws.append([label, None, *[f"=SUM({c}{first}:{c}{last})" for c in "CDEFGHIJ"]])
    _cache_totals(ws)
    for row in ws.iter_rows(min_row=4, min_col=3, max_col=10):
        for cell in row:
            cell.number_format = "#,##0;(#,##0)"
    ws.column_dimensions["A"].width = 28
    _save_workbook(wb, path)


def _cache_totals(ws) -> None:
    # openpyxl writes formulas without cached values and the app reads cached values, so the
    # total rows carry plain numbers; the totals are still recognised and left out by the reader.
    for row in ws.iter_rows(min_row=4):
        if isinstance(row[2].value, str) and row[2].value.startswith("=SUM("):
            for cell in row[2:]:
                a, b = cell.value[5:-1].split(":")
                col = cell.column_letter
                cell.value = sum(ws[f"{col}{r}"].value for r in range(int(a[1:]), int(b[1:]) + 1))


BOARD_MINUTES = [
    ("title", "Larkspur Components Ltd"),
    ("heading", "Minutes of a meeting of the board of directors held on 14 May 2025"),
    ("p", "Present: A. Okafor (chair), R. Lindqvist (managing director), J. Parry (finance director), "
          "S. Mehta (non-executive). In attendance: T. Briggs (company secretary)."),
    ("heading", "1. Capital expenditure: CNC machining line"),
    ("p", "The managing director presented the proposal to buy a second five-axis CNC machining line "
          "from Hallam Machine Tools at a cost of £278,000 including installation, to add capacity "
          "for the expected Meridian Retail Group volumes. The board approved the purchase. The line "
          "was delivered and brought into use in August 2025 and is depreciated over ten years."),
    ("heading", "2. Financing"),
    ("p", "The finance director reported that Eastbay Bank had offered a five-year term loan of "
          "£250,000 at 6.4% to fund most of the new line. The board approved the facility and "
          "authorised the finance director to sign it. The loan was drawn on 1 July 2025, taking "
          "bank borrowings from £500,000 to £750,000."),
    ("heading", "3. Dividend"),
    ("p", "The board declared an interim dividend of £140,000, payable in June 2025."),
    ("heading", "4. Any other business"),
    ("p", "None. The meeting closed at 11:40."),
]


def write_board_minutes(path: Path) -> None:
    import docx

    document = docx.Document()
    for kind, text in BOARD_MINUTES:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind == "heading":
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    props = document.core_properties
    props.author = props.last_modified_by = "T. Briggs"
    props.title = "Board minutes 14 May 2025"
    props.created = props.modified = STAMP
    props.revision = 1
    document.save(str(path))
    _freeze_zip(path)


def main() -> None:
    source = SAMPLES / "source/northwind_supply_agreement.txt"
    target = SAMPLES / "matter/northwind_supply_agreement.pdf"
    pages = source.read_text(encoding="utf-8").split("\\f\n")
    write_pdf(target, pages)
    print(f"wrote {target} ({len(pages)} pages)")
    (SAMPLES / "contracts").mkdir(exist_ok=True)
    for name in ("kestrel_distribution_agreement", "wren_saas_agreement"):
        text = (SAMPLES / f"source/{name}.txt").read_text(encoding="utf-8").split("\\f\n")
        write_pdf(SAMPLES / f"contracts/{name}.pdf", text)
    print("wrote resources/samples/contracts/ (with the Northwind agreement: a due-diligence set)")
    (SAMPLES / "credit").mkdir(exist_ok=True)
    filing = (SAMPLES / "source/harbor_instruments_10k.txt").read_text(encoding="utf-8").split("\\f\n")
    write_pdf(SAMPLES / "credit/harbor_instruments_10k.pdf", filing)
    print(f"wrote resources/samples/credit/harbor_instruments_10k.pdf ({len(filing)} pages)")
    (SAMPLES / "flux").mkdir(exist_ok=True)
    (SAMPLES / "budget").mkdir(exist_ok=True)
    write_trial_balance(SAMPLES / "flux/trial_balance.xlsx")
    write_board_minutes(SAMPLES / "flux/board_minutes_2025-05-14.docx")
    write_budget(SAMPLES / "budget/budget_vs_actual.xlsx")
    print("wrote resources/samples/flux/trial_balance.xlsx, board_minutes_2025-05-14.docx and "
          "resources/samples/budget/budget_vs_actual.xlsx")


if __name__ == "__main__":
    main()
