"""Key line items of a filing, read from its primary statements with a page citation each.

Code finds the statement pages, splits them into rows and matches row labels against each
item's known labels. When that is unambiguous code reads the figures; when several rows fit,
the model is asked one small question — which of these few lines is the item — and in "model"
mode it also reads the two figures. Whatever the model says is checked against the page: a
figure not printed on the line it cites is dropped and reported, never kept as a guess."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from agents.domain.library import Document, place
from agents.llm.protocol import ChatModel, GenerationParams
from agents.runtime.cancel import NEVER, CancelToken
from agents.workproducts.computed import Computed, ComputeError, Table
from agents.workproducts.line_labels import BY_KEY, SPECS, ItemSpec, normalise
from agents.workproducts.line_questions import Candidate, pick_line, read_values
from agents.workproducts.statement_rows import StatementPage, statement_pages

MODES = ("auto", "code", "model")
UNIT_SCALE = {"": Decimal(1), "thousands": Decimal(10) ** 3, "millions": Decimal(10) ** 6, "billions": Decimal(10) ** 9}


@dataclass(frozen=True)
class LineItem:
    key: str  # e.g. "revenue"
    name: str  # e.g. "Revenue"
    label: str  # the row label as printed, e.g. "Total net sales"
    period: str  # the column heading, e.g. "2017"
    value: Decimal  # in the unit printed on the page; negative when printed in parentheses
    printed: str  # the figure exactly as on the page, e.g. "(1,837 )"
    unit: str  # "millions", "thousands", "billions" or "" when the page states none
    document_id: str
    filename: str
    page: int
    quote: str  # the row, whitespace-collapsed, verbatim from the page
    method: str  # "code" read the row; "model" picked the line (and, in model mode, read it)

    @property
    def source(self) -> str:
        return place(self.filename, self.page, "")

    def in_unit(self, unit: str) -> Decimal:
        """The value converted to another unit ("millions"); a page without a unit counts as units."""
        return self.value * UNIT_SCALE[self.unit] / UNIT_SCALE[unit]


@dataclass(frozen=True)
class LineItems:
    document_id: str
    filename: str
    periods: tuple[str, ...]  # current first
    items: tuple[LineItem, ...]
    missing: tuple[str, ...]  # keys of items not found
    warnings: tuple[str, ...] = ()

    def get(self, key: str, period: str | None = None) -> LineItem | None:
        period = period or (self.periods[0] if self.periods else None)
        return next((i for i in self.items if i.key == key and i.period == period), None)

    def to_computed(self) -> Computed:
        rows = [(i.name, i.period, i.printed.replace(" ", ""), i.unit, i.source, i.quote) for i in self.items]
        rows += [(BY_KEY[k].name, "", "not found", "", "", f"no {BY_KEY[k].kind.replace('_', ' ')} line matched")
                 for k in self.missing]
        table = Table("Key line items", ("Line item", "Period", "Amount", "Unit", "Source", "Line as printed"),
                      tuple(rows), source=self.filename,
                      note="Amounts as printed on the cited page; parentheses are negative.")
        items = tuple({"line_item": i.name, "key": i.key, "period": i.period, "value": i.printed.replace(" ", ""),
                       "unit": i.unit, "document": i.filename, "page": str(i.page), "quote": i.quote} for i in self.items)
        return Computed(tables=(table,), items=items, figures=tuple(i.value for i in self.items),
                        warnings=self.warnings)


def period_order(periods: tuple[str, ...]) -> list[int]:
    """Column indexes, current period first: by year when the headings are years, else as printed."""
    years = [p[:4] for p in periods]
    if all(y.isdigit() for y in years):
        return sorted(range(len(periods)), key=lambda i: (-int(years[i]), i))
    return list(range(len(periods)))


# Words a run-in section heading ends with ("Investing Activities Capital spending"); any other
# prefix is part of the label ("Current portion of long-term debt" is not long-term debt).
_HEADING_ENDS = {"activities", "assets", "liabilities", "equity", "revenues", "revenue", "expenses", "(expense)",
                 "operations", "deficit"}


def _heading(words: list[str]) -> bool:
    letters = "".join(ch for w in words for ch in w if ch.isalpha())
    return letters.isupper() or words[-1].lower().strip(":,") in _HEADING_ENDS


def candidates(spec: ItemSpec, page: StatementPage) -> list[Candidate]:
    """Rows of the page whose label (or the label after a run-in heading) is one of the item's."""
    found = []
    for row in page.rows:
        words = row.label.split()
        for k in range(len(words)):  # "CURRENT LIABILITIES Accounts payable" -> "Accounts payable"
            if k and not _heading(words[:k]):
                continue
            norm = normalise(" ".join(words[k:]))
            rank = next((i for i, p in enumerate(spec.labels) if p.fullmatch(norm)), None)
            if rank is not None:
                skip = len(" ".join(words[:k])) + 1 if k else 0
                found.append(Candidate(page, row, " ".join(words[k:]), row.quote[skip:], (rank, k > 0)))
                break
    return found


def _hinted(spec: ItemSpec, page: StatementPage, taken: list[Candidate]) -> list[Candidate]:
    rows = {id(c.row) for c in taken}
    return [Candidate(page, r, r.label, r.quote, (len(spec.labels), True)) for r in page.rows
            if id(r) not in rows and spec.hint.search(r.label)]


def _from_row(spec: ItemSpec, c: Candidate, doc: Document, method: str, columns: Iterable[int]) -> list[LineItem]:
    p = c.page
    return [LineItem(spec.key, spec.name, c.label, p.periods[i], c.row.figures[i].value, c.row.figures[i].printed,
                     p.unit, doc.id, doc.filename, p.page, c.quote, method) for i in columns]


def _extract_one(spec: ItemSpec, pages: list[StatementPage], doc: Document, model: ChatModel | None,
                 params: GenerationParams, mode: str, cancel: CancelToken) -> tuple[list[LineItem], list[str]]:
    mine = [p for p in pages if p.kind == spec.kind and p.periods]
    page, found = next(((p, c) for p in mine if (c := candidates(spec, p))), (mine[0] if mine else None, []))
    if page is None:
        return [], [f"{spec.name}: no {spec.kind.replace('_', ' ')} page found"]
    order = period_order(page.periods)
    if mode == "model":
        shown = sorted(found + _hinted(spec, page, found), key=lambda c: page.rows.index(c.row))
        if model is None or not shown:
            return [], [f"{spec.name}: no candidate line on p. {page.page}" if model else "model mode needs a model"]
        return read_values(spec, shown, order[:2], model, params, cancel, lambda c, cols: _from_row(spec, c, doc, "model", cols))
    if not found:
        return [], []
    best = min(c.rank for c in found)
    top = [c for c in found if c.rank == best]
    if mode == "code" or len({c.row.figures for c in top}) == 1 or model is None:
        return _from_row(spec, top[0], doc, "code", order), []
    chosen, warnings = pick_line(spec, found, model, params, cancel)
    if chosen is None:
        return [], warnings
    return _from_row(spec, chosen, doc, "model", order), warnings


def extract_line_items(store, document: Document, model: ChatModel | None, params: GenerationParams,
                       cancel: CancelToken = NEVER, keys: Iterable[str] | None = None,
                       mode: str = "auto") -> LineItems:
    """Read the key line items of an ingested filing. `store` is the LibraryStore holding its pages.

    mode "auto": code reads a row whose label matches unambiguously; the model only chooses
    between rows that match equally well. "code": never the model. "model": the model picks the
    line and reads the current and prior figures from a few candidate lines; code checks them."""
    if mode not in MODES:
        raise ValueError(f"unknown extraction mode '{mode}'; use one of {', '.join(MODES)}")
    specs = [BY_KEY[k] if k in BY_KEY else _unknown(k) for k in keys] if keys is not None else list(SPECS)
    pages = statement_pages(store.page_texts(document.id))
    if not pages:
        raise ComputeError(f"{document.filename}: no income statement, balance sheet or cash flow statement page "
                           "was recognised (their titles must be printed at the top of the page)")
    items: list[LineItem] = []
    warnings: list[str] = []
    missing: list[str] = []
    for spec in specs:
        cancel.check()
        got, notes = _extract_one(spec, pages, document, model, params, mode, cancel)
        items += got
        warnings += notes
        if not got:
            missing.append(spec.key)
    income = next((p for p in pages if p.kind == "income" and p.periods), pages[0])
    periods = tuple(income.periods[i] for i in period_order(income.periods))
    return LineItems(document.id, document.filename, periods, tuple(items), tuple(missing), tuple(warnings))


def _unknown(key: str) -> ItemSpec:
    raise ValueError(f"unknown line item '{key}'; known: {', '.join(BY_KEY)}")
