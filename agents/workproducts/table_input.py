"""Reading a client's spreadsheet for a computation: the grid of cells, the header row, columns
found by their usual names, and amounts parsed the way accountants type them, each value able to
say which cell it came from. Money is Decimal throughout; a float never touches a figure."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from agents.knowledge.tables import column_letter, csv_rows
from agents.workproducts.computed import ComputeError, ComputeInputs

T = TypeVar("T")

HEADER_SEARCH_ROWS = 30  # a header below this many rows is a report layout, not a table
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_US = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^\.\d+$")
_EU = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+),\d+$")
_DASHES = {"-", "–", "—", "−", "--"}


@dataclass(frozen=True)
class Grid:
    """One sheet as read: rows[i] is sheet row i + 1, so a cell reference is exact."""

    path: Path
    sheet: str
    rows: tuple[tuple[object, ...], ...]

    @property
    def name(self) -> str:
        return self.path.name

    def value(self, row: int, col: int) -> object:
        cells = self.rows[row]
        return cells[col] if col < len(cells) else None

    def text(self, row: int, col: int) -> str:
        return cell_text(self.value(row, col))

    def cell_ref(self, row: int, col: int) -> str:
        return f"{column_letter(col + 1)}{row + 1}"

    def where(self, row: int, col: int) -> str:
        return f"{self.name}, sheet {self.sheet}, cell {self.cell_ref(row, col)}"

    def row_ref(self, row: int, width: int | None = None) -> str:
        """`TB!A5:F5`: the row across `width` columns (a table's header width), else its filled cells."""
        if width is None:
            width = max((i + 1 for i, v in enumerate(self.rows[row]) if cell_text(v)), default=1)
        return f"{self._sheet_ref()}!A{row + 1}:{column_letter(width)}{row + 1}"

    def cells_ref(self, row: int, cols: Collection[int]) -> str:
        """`Budget!C5:D5` for adjacent cells of one row; runs joined by commas (`Budget!A5,C5:D5`)."""
        runs: list[list[int]] = []
        for c in sorted(set(cols)):
            if runs and c == runs[-1][-1] + 1:
                runs[-1].append(c)
            else:
                runs.append([c])
        parts = [self.cell_ref(row, r[0]) + (f":{self.cell_ref(row, r[-1])}" if len(r) > 1 else "") for r in runs]
        return f"{self._sheet_ref()}!" + ",".join(parts)

    def width(self, row: int) -> int:
        return max((i + 1 for i, v in enumerate(self.rows[row]) if cell_text(v)), default=1)

    def range_ref(self, first: int, last: int) -> str:
        width = max((len(r) for r in self.rows[first:last + 1]), default=1)
        return f"{self.name}, {self._sheet_ref()}!A{first + 1}:{column_letter(width)}{last + 1}"

    def _sheet_ref(self) -> str:
        return f"'{self.sheet}'" if re.search(r"[\s!']", self.sheet) else self.sheet

    def amount(self, row: int, col: int) -> Decimal | None:
        """None for a blank or a dash; ComputeError naming the cell for anything not a number."""
        value = self.value(row, col)
        try:
            return to_amount(value)
        except ValueError as exc:
            raise ComputeError(f"{self.where(row, col)}: {exc}") from None


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return " ".join(str(value).split())


def to_amount(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, (bool, dt.date, dt.datetime, dt.time)):
        raise ValueError(f"{cell_text(value)!r} is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # 15 significant digits is what Excel itself stores and shows; beyond that is float noise.
        return Decimal(f"{value:.15g}")
    if isinstance(value, Decimal):
        return value
    return parse_amount(str(value))


def parse_amount(text: str) -> Decimal | None:
    """'1,234.50', '(1,234)', '-1234', '1234-', '$1,234', '£5', '1,234 Cr' -> Decimal; '', '-',
    '—' -> None; anything else raises ValueError quoting the text."""
    original = text
    s = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not s or s in _DASHES:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    upper = s.upper()
    if upper.endswith("CR"):
        negative, s = not negative, s[:-2]
    elif upper.endswith("DR"):
        s = s[:-2]
    s = re.sub(r"^[A-Z]{3}(?=[\d(.\-−$£€¥])|(?<=\d)[A-Z]{3}$", "", s)  # ISO codes: GBP 5, 5 USD
    s = s.strip("$£€¥")
    if s[:1] in "-−":
        negative, s = not negative, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    elif s[-1:] in "-−":
        negative, s = not negative, s[:-1]
    s = s.strip("$£€¥")
    if _US.match(s):
        s = s.replace(",", "")
    elif _EU.match(s):
        s = s.replace(".", "").replace(",", ".")
    else:
        raise ValueError(f"{original.strip()!r} is not an amount")
    try:
        number = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"{original.strip()!r} is not an amount") from None
    return -number if negative else number


def format_amount(value: Decimal, places: int = 0) -> str:
    """12,345 or (12,345): thousands separators, a negative in parentheses, half-up rounding."""
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(q):,.{places}f}"
    return f"({text})" if q < 0 else text


def format_pct(value: Decimal | None) -> str:
    """'12.5%', '(3.0%)', or 'n/m' (not meaningful) when there is no base to divide by."""
    if value is None:
        return "n/m"
    return format_amount(value, 1) + "%" if value >= 0 else f"({format_amount(-value, 1)}%)"


def printed(value: Decimal, places: int = 0) -> Decimal:
    """The figure as the workpaper prints it, for Computed.figures."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def places_for(values: Collection[Decimal]) -> int:
    """Whole currency units unless some amount has pence/cents."""
    return 2 if any(v != v.to_integral_value() for v in values) else 0


def year_of(header: str) -> int | None:
    """The year a period header names ('2025', 'FY2025', '31 Dec 2024', '2024-12-31'), if one."""
    years = _YEAR.findall(header)
    return int(years[-1]) if len(set(years)) == 1 else None


def norm(header: str) -> str:
    return " ".join(re.sub(r"[^\w%#&/]+", " ", header.lower()).split())


def is_header_like(cells: tuple[object, ...]) -> bool:
    """Mostly text: labels, or years (a header of 2025 arrives as the number 2025)."""
    filled = [v for v in cells if cell_text(v)]
    if len(filled) < 2:
        return False
    texty = 0
    for v in filled:
        if isinstance(v, int) and not isinstance(v, bool) and 1950 <= v <= 2099:
            texty += 1
        elif isinstance(v, (str, dt.date)):
            try:
                texty += to_amount(v) is None if isinstance(v, str) else 1
            except ValueError:
                texty += 1
    return texty * 2 >= len(filled)


def header_rows(grid: Grid) -> Iterator[int]:
    for i, cells in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if is_header_like(cells):
            yield i


def match_score(header: str, synonyms: Collection[str]) -> int:
    """2 for an exact synonym, 1 for a synonym appearing as whole words, 0 otherwise."""
    h = norm(header)
    if not h:
        return 0
    best = 0
    for syn in synonyms:
        s = norm(syn)
        if h == s:
            return 2
        if s and re.search(rf"(?<![\w]){re.escape(s)}(?![\w])", h):
            best = 1
    return best


def match_columns(headers: list[str], wanted: dict[str, list[str]]) -> dict[str, int]:
    """Each wanted key to its best column, an exact synonym beating a partial one and each column
    used once ('Account number' goes to code, not account, when both are asked for)."""
    pairs = []
    for k_order, (key, synonyms) in enumerate(wanted.items()):
        for col, header in enumerate(headers):
            score = match_score(header, synonyms)
            if score:
                pairs.append((-score, k_order, col, key))
    found: dict[str, int] = {}
    for _, _, col, key in sorted(pairs):
        if key not in found and col not in found.values():
            found[key] = col
    return found


def find_header(grid: Grid, wanted: dict[str, list[str]],
                optional: Collection[str] = ()) -> tuple[int, dict[str, int]]:
    """The first header-like row holding every required column, and where each column is."""
    required = [k for k in wanted if k not in optional]
    best: tuple[int, int, dict[str, int]] | None = None
    for i in header_rows(grid):
        headers = [grid.text(i, c) for c in range(len(grid.rows[i]))]
        found = match_columns(headers, wanted)
        if all(k in found for k in required):
            return i, found
        hits = sum(k in found for k in required)
        if best is None or hits > best[1]:
            best = (i, hits, found)
    if best is None:
        raise ComputeError(f"{grid.name}, sheet {grid.sheet}: no header row found in the first "
                           f"{HEADER_SEARCH_ROWS} rows (a row of column names such as "
                           f"{', '.join(repr(wanted[k][0]) for k in required)})")
    row, _, found = best
    missing = [k for k in required if k not in found]
    seen = " | ".join(grid.text(row, c) for c in range(len(grid.rows[row])) if grid.text(row, c))
    looked = "; ".join(f"{k}: {', '.join(wanted[k])}" for k in missing)
    raise ComputeError(f"{grid.name}, sheet {grid.sheet}: no column for {', '.join(missing)} "
                       f"(headers tried: {looked}). Row {row + 1} has: {seen}")


def find_columns(grid: Grid, wanted: dict[str, list[str]],
                 optional: Collection[str] = ()) -> dict[str, int]:
    return find_header(grid, wanted, optional)[1]


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of an XLSX/XLSM, or the one table of a CSV (named for the file)."""
    path = Path(path)
    if not path.is_file():
        raise ComputeError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_grids(path)
    if suffix in (".csv", ".txt"):
        return [_csv_grid(path)]
    raise ComputeError(f"{path.name}: a table must be .xlsx, .xlsm or .csv, not {suffix or 'no extension'}")


def read_grid(path: Path, sheet: str | None = None) -> Grid:
    """The named sheet, or the first one with anything in it."""
    grids = read_grids(path)
    if sheet is not None:
        for g in grids:
            if g.sheet.lower() == sheet.strip().lower():
                return g
        raise ComputeError(f"{Path(path).name}: no sheet named {sheet!r}; "
                           f"sheets are {', '.join(g.sheet for g in grids)}")
    for g in grids:
        if any(cell_text(v) for r in g.rows for v in r):
            return g
    raise ComputeError(f"{Path(path).name}: the file has no cells with values")


def _xlsx_grids(path: Path) -> list[Grid]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors alike
        raise ComputeError(f"{path.name}: not a readable Excel workbook ({exc})") from None
    try:
        return [Grid(path, ws.title, tuple(tuple(r) for r in ws.iter_rows(values_only=True)))
                for ws in wb.worksheets]
    finally:
        wb.close()


def _csv_grid(path: Path) -> Grid:
    return Grid(path, path.stem, tuple(tuple(c.strip() or None for c in row) for row in csv_rows(path)))


def first_readable(inputs: ComputeInputs, name: str, what: str, reader: Callable[[Grid], T]) -> T:
    """The table input `name` (or the only table given), read by `reader` from the sheet named
    by the `sheet` value, or else from the first sheet the reader accepts."""
    path = inputs.tables.get(name)
    if path is None and len(inputs.tables) == 1:
        path = next(iter(inputs.tables.values()))
    if path is None:
        raise ComputeError(f"the {what} needs a table input named {name!r} (an .xlsx, .xlsm or .csv file)")
    sheet = inputs.values.get("sheet", "").strip()
    grids = [g for g in read_grids(path) if not sheet or g.sheet.lower() == sheet.lower()]
    if not grids:
        raise ComputeError(f"{path.name}: no sheet named {sheet!r}" if sheet else f"{path.name}: the workbook has no sheets")
    first_error = None
    for g in grids:
        try:
            return reader(g)
        except ComputeError as exc:
            first_error = first_error or exc
    raise first_error
