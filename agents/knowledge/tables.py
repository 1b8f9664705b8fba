"""Spreadsheets (XLSX/XLSM via openpyxl, CSV) as text one row per line, every line carrying its
cell range and the header names, so any chunk of rows is self-describing and citable."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from agents.domain.library import Page

MAX_COLUMNS = 64
# Filled cells read from one workbook: ~100k rows of 20 columns, already tens of thousands of
# chunks to embed. Past it the file is refused, like a file past max_file_mb, rather than
# spending an hour embedding it or the worker's whole memory holding it.
MAX_CELLS = 2_000_000
_READ = 1 << 20  # bytes of a sheet part decompressed at a time when counting its cells
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_REF = re.compile(r"^(?P<sheet>'[^']+'|[^!\s]+)!(?P<first>[A-Z]+\d+):(?P<last>[A-Z]+\d+) \|", re.M)


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) or value.time() == dt.time() else value.isoformat()
    return " ".join(str(value).split())


def sheet_text(sheet: str, rows: list[list[str]]) -> str:
    """The first non-empty row is the header; each later row becomes
    `Sheet!A5:D5 | Account: Cash | Debit: 412300`."""
    name = f"'{sheet}'" if re.search(r"[\s!']", sheet) else sheet
    header: list[str] | None = None
    lines = []
    for r, row in enumerate(rows, 1):
        cells = row[:MAX_COLUMNS]
        if not any(cells):
            continue
        if header is None:
            header = [c or column_letter(i) for i, c in enumerate(cells, 1)]
            lines.append(f"{name}!A{r}:{column_letter(len(cells))}{r} | header | " + " | ".join(header))
            continue
        parts = [f"{header[i] if i < len(header) else column_letter(i + 1)}: {c}" for i, c in enumerate(cells) if c]
        lines.append(f"{name}!A{r}:{column_letter(len(cells))}{r} | " + " | ".join(parts))
    return "\n".join(lines)


def stored_values(path: Path, stop_after: int) -> int:
    """Cells holding a value (<v> or an inline string) in the workbook's sheet parts, counted in
    the compressed stream without parsing, up to `stop_after`. openpyxl reads about 100k cells a
    second, so a sheet past MAX_CELLS would run into the worker's time limit before the count
    inside the read loop refused it; counting first refuses it in about a second."""
    import zipfile

    total = 0
    with zipfile.ZipFile(path) as zf:
        for name in (n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            with zf.open(name) as fh:
                head = fh.read(min(4096, _READ))
                root = _ROOT.search(head)
                prefix = (root.group(1) or b"") if root else b""
                tags = [b"<" + prefix + b"v>", b"<" + prefix + b"is>"]
                # Each read is searched with the previous one's last bytes before it, so a tag split
                # across two reads is found; tags wholly inside those bytes were counted already.
                keep = max(map(len, tags)) - 1
                data, tail = head, b""
                while data:
                    total += sum(data.count(t) - tail.count(t) for t in tags)
                    if total > stop_after:
                        return total
                    more = fh.read(_READ)
                    tail = data[-keep:]
                    data = tail + more if more else b""
    return total


def xlsx_pages(path: Path) -> list[Page]:
    import openpyxl

    from agents.domain.library import DocumentStatus
    from agents.knowledge.parsers import ParseFailure

    if stored_values(path, MAX_CELLS) > MAX_CELLS:
        raise ParseFailure(DocumentStatus.TOO_LARGE, f"more than {MAX_CELLS:,} filled cells in the workbook; "
                           "split it or keep the part that matters")
    # read_only streams rows; data_only reads the values Excel cached, not formulas.
    wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    try:
        pages, filled = [], 0
        for number, ws in enumerate(wb.worksheets, 1):
            # The declared extent (one cell at XFD1048576 in a 5 KB file) would make openpyxl pad
            # every row to 16,384 columns and a million rows: rows as stored, cut to what is read.
            ws.reset_dimensions()
            rows = []
            for row in ws.iter_rows(values_only=True):
                cells = [_cell(v) for v in row[:MAX_COLUMNS]]
                filled += sum(1 for c in cells if c)
                if filled > MAX_CELLS:
                    raise ParseFailure(DocumentStatus.TOO_LARGE, f"more than {MAX_CELLS:,} filled cells (sheet "
                                       f"{ws.title}, row {len(rows) + 1}); split the workbook or keep the part that matters")
                rows.append(cells)
            # Rows as stored end at their last written cell; padded to the widest, every row's
            # range spans the table's columns, as the declared extent used to give.
            width = max(map(len, rows), default=0)
            rows = [r + [""] * (width - len(r)) for r in rows]
            pages.append(Page(number, sheet_text(ws.title, rows)))
        return pages
    finally:
        wb.close()


def csv_rows(path: Path) -> list[list[str]]:
    """Rows of a CSV as written: UTF-8 (with or without BOM) or Windows-1252, and the delimiter
    (comma, semicolon, tab or pipe) sniffed, since firms' exports use all of them."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def csv_pages(path: Path) -> list[Page]:
    rows = [[" ".join(c.split()) for c in row] for row in csv_rows(path)]
    return [Page(1, sheet_text(path.stem, rows))]


def table_locator(chunk_text: str) -> str:
    """`Sheet1!A5:D12` for a chunk of rows (the header line counts as a row)."""
    refs = list(_REF.finditer(chunk_text))
    if not refs:
        return ""
    first, last = refs[0], refs[-1]
    return f"{first['sheet']}!{first['first']}:{last['last']}"
