"""Rows of a primary financial statement page, read from its extracted text by code.

PDF text extraction keeps a statement's reading order but not its grid: some filings come out
as "Total assets $ 59,268 $ 55,556" on one line, others as a label followed by a line starting
with its figures and ending in the next row's label ("$ 83,402  $ 131,310 LIABILITIES AND ...").
Both are a stream of label text and runs of figures, so a row is a label followed by a run of as
many figures as the statement has columns; a shorter run ("see Notes 1 and 4") is label text."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from agents.knowledge.statements import BALANCE, CASH_FLOW, CORE, INCOME, page_statement

# A printed figure: "1,577", "$ 14,557", "(370)", "(20 )", "0.44"; or a dash for nil. A figure may
# be glued to the label before it ("equivalents1,333") but not to a following word or digit.
_FIGURE = re.compile(r"(?<![\d.,])(\(\s*\$?\s*)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?(1)\s*\))(?![\d,]*[\w%)])"
                     r"|(?<!\S)[—–](?!\S)")
_YEAR = re.compile(r"(?<![\d,.$])(19[89]\d|20[0-4]\d)(?!\d|,\d)")
_DATA = re.compile(r"\$\s*\(?\d|\d{1,3},\d{3}")  # the first real figure ends the column headings
_UNIT = re.compile(r"\bin\s+(millions|thousands|billions)\b", re.IGNORECASE)
_JOIN = re.compile(r"[\s$]*")  # what may separate the figures of one run
MAX_WINDOW = 8  # pages spanned by the three core statements when printed together


@dataclass(frozen=True)
class Figure:
    printed: str  # exactly as on the page, e.g. "(1,837 )"
    value: Decimal  # in the page's unit; a dash is zero


@dataclass(frozen=True)
class Row:
    label: str  # whitespace-collapsed, as printed
    figures: tuple[Figure, ...]  # one per column, in column order
    quote: str  # label and figures, whitespace-collapsed; a substring of the collapsed page text


@dataclass(frozen=True)
class StatementPage:
    page: int
    kind: str  # statements.INCOME / BALANCE / CASH_FLOW
    unit: str  # "millions", "thousands", "billions" or "" when the page does not say
    periods: tuple[str, ...]  # column headings, e.g. ("2017", "2016"); unique
    rows: tuple[Row, ...]
    text: str


def collapse(text: str) -> str:
    return " ".join(text.split())


def figure_value(printed: str) -> Decimal:
    digits = re.sub(r"[^\d.]", "", printed)
    if not digits:
        return Decimal(0)
    value = Decimal(digits)
    return -value if "(" in printed else value


def printed_figures(text: str) -> list[Figure]:
    """Every figure printed in the text, for checking that a figure read elsewhere is on the page."""
    return [Figure(m.group(0), figure_value(m.group(0))) for m in _FIGURE.finditer(text)]


def detect_unit(text: str) -> str:
    """The unit the page states in its heading ("in millions, except per share data")."""
    m = _UNIT.search(text[:1500])
    return m.group(1).lower() if m else ""


def _runs(text: str, start: int) -> list[list[re.Match]]:
    runs: list[list[re.Match]] = []
    for m in _FIGURE.finditer(text, start):
        if runs and _JOIN.fullmatch(text, runs[-1][-1].end(), m.start()):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _label_start(text: str, start: int, end: int) -> int:
    # Section headings ("Current assets:") run into the label; the row's own label is after them.
    colons = list(re.finditer(r":\s", text[start:end]))
    start += colons[-1].end() if colons else 0
    while start < end and text[start].isspace():
        start += 1
    return start


def parse_page(page: int, text: str, kind: str) -> StatementPage:
    data = _DATA.search(text)
    head_end = data.start() if data else len(text)
    years = list(_YEAR.finditer(text, 0, head_end))
    body = years[-1].end() if years else 0
    runs = [r for r in _runs(text, body) if len(r) >= 2]
    counts = Counter(len(r) for r in runs)
    ncols = counts.most_common(1)[0][0] if counts else 0
    # The column headings are the last years before the figures; dates above them
    # ("Fiscal years ended December 31, 2022, December 25, 2021 ...") repeat them.
    labels = [y.group(1) for y in years][-ncols:] if ncols else []
    if len(labels) != ncols:
        labels = [f"column {i + 1}" for i in range(ncols)]
    periods = tuple(p if labels.count(p) == 1 else f"{p} (column {i + 1})" for i, p in enumerate(labels))
    rows: list[Row] = []
    cursor = body
    for run in runs:
        if len(run) < ncols:
            continue  # figures inside a label; it stays part of the next row's label text
        # A total printed without a label continues the run of the row above it.
        chunks = [run[i:i + ncols] for i in range(0, len(run), ncols)] if len(run) % ncols == 0 else [run[-ncols:]]
        values = chunks[0]
        start = _label_start(text, cursor, values[0].start())
        label = collapse(text[start:values[0].start()]).strip(" $")
        cursor = run[-1].end()
        if not re.search(r"[A-Za-z]", label):
            continue
        figures = tuple(Figure(m.group(0), figure_value(m.group(0))) for m in values)
        rows.append(Row(label, figures, collapse(text[start:values[-1].end()])))
    return StatementPage(page, kind, detect_unit(text), periods, tuple(rows), text)


def core_pages(labels: dict[int, str]) -> list[int]:
    """Pages of the primary statements: the first run of pages, at most MAX_WINDOW long, that
    holds all three core statements. Condensed parent-company statements in the notes repeat the
    titles, sometimes on fewer pages, so the earliest compact run wins, not the tightest."""
    pages = sorted(p for p, k in labels.items() if k in CORE)
    for i, start in enumerate(pages):
        seen: set[str] = set()
        for end in pages[i:]:
            if end - start > MAX_WINDOW:
                break
            seen.add(labels[end])
            if seen == set(CORE):
                last = max(p for p in pages if p <= start + MAX_WINDOW)
                return [p for p in pages if start <= p <= last]
    return pages  # an earnings release or a filing without the full set: every statement page


def statement_pages(page_texts: list[tuple[int, str]]) -> list[StatementPage]:
    """The primary income, balance sheet and cash flow pages of a filing, parsed."""
    labels = {n: k for n, t in page_texts if (k := page_statement(t)) in (INCOME, BALANCE, CASH_FLOW)}
    keep = set(core_pages(labels))
    return [parse_page(n, t, labels[n]) for n, t in page_texts if n in keep]
