"""Budget against actual: the variance of every line in every period and in total, favourable or
not by whether the line is revenue or expense, the largest variances as items to explain, and a
chart of the variance by line. Reads a wide sheet (Q1 Budget, Q1 Actual, ...) or a long one
(Line, Type, Period, Budget, Actual)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from agents.workproducts.chart import bar_chart
from agents.workproducts.computed import (
    Chart,
    Computed,
    ComputeError,
    ComputeInputs,
    Table,
)
from agents.workproducts.table_input import (
    first_readable,
    Grid,
    format_amount,
    format_pct,
    header_rows,
    match_columns,
    norm,
    places_for,
    printed,
)

LINE = ["line", "line item", "account", "description", "item", "account name", "name", "category"]
TYPE = ["type", "line type", "kind", "class", "classification", "nature"]
PERIOD = ["period", "quarter", "month", "qtr"]
BUDGET, ACTUAL = ["budget", "bud", "plan", "budgeted"], ["actual", "actuals", "act"]
_REVENUE = {"revenue", "revenues", "income", "sales", "turnover", "other income", "rev", "inc"}
_EXPENSE = {"expense", "expenses", "cost", "costs", "cogs", "opex", "cost of sales", "expenditure", "exp",
            "overhead", "overheads"}
_SUBTOTAL = re.compile(r"^(total|subtotal|sub-total|net (profit|income|loss|result)|gross (profit|margin)|"
                       r"operating (profit|income|loss|result)|ebitda?|profit (before|after|for))\b", re.IGNORECASE)
_TOTAL_PERIOD = {"total", "fy", "full year", "year", "ytd", "annual", "year to date", "fy total", "total year"}
_BA = re.compile(r"\b(budget(ed)?|bud|plan|actuals?|act)\b", re.IGNORECASE)


@dataclass
class Entry:
    line: str
    kind: str  # "revenue" or "expense"
    period: str
    budget: Decimal
    actual: Decimal
    refs: list[str] = field(default_factory=list)

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget

    @property
    def pct(self) -> Decimal | None:
        return None if self.budget == 0 else self.variance / abs(self.budget) * 100

    @property
    def favourable(self) -> bool:
        # On budget counts as favourable: nothing adverse to explain.
        return self.variance >= 0 if self.kind == "revenue" else self.variance <= 0


@dataclass
class BudgetData:
    grid: Grid
    header: int
    last: int
    entries: list[Entry]
    periods: list[str]
    lines: list[str]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _kind(text: str) -> str | None:
    t = norm(text)
    if t in _REVENUE or ("revenue" in t.split() or "income" in t.split()) and "expense" not in t:
        return "revenue"
    if t in _EXPENSE or {"expense", "expenses", "cost", "costs"} & set(t.split()):
        return "expense"
    return None


def _guess(line: str) -> str:
    words = set(norm(line).split())
    if words & {"cost", "costs", "expense", "expenses", "tax", "cogs", "purchases"}:
        return "expense"
    return "revenue" if words & {"revenue", "revenues", "sales", "income", "turnover"} else "expense"


def _wide_pairs(headers: list[str], skip: set[int]) -> dict[str, dict[str, int]]:
    pairs: dict[str, dict[str, int]] = {}
    for c, h in enumerate(headers):
        words = set(norm(h).split())
        if c in skip or words & {"variance", "var", "diff", "difference", "%"} or "%" in h:
            continue
        side = "B" if words & {"budget", "budgeted", "bud", "plan"} else "A" if words & {"actual", "actuals", "act"} else None
        if side:
            period = " ".join(_BA.sub(" ", h).split()).strip(" -:/") or "Total"
            pairs.setdefault(period, {}).setdefault(side, c)
    return {p: s for p, s in pairs.items() if len(s) == 2}


def read_budget(grid: Grid) -> BudgetData:
    for h in header_rows(grid):
        headers = [grid.text(h, c) for c in range(len(grid.rows[h]))]
        cols = match_columns(headers, {"line": LINE, "type": TYPE, "period": PERIOD})
        if "line" not in cols:
            continue
        if "period" in cols:
            ba = match_columns(headers, {"budget": BUDGET, "actual": ACTUAL})
            if len(ba) == 2 and not set(ba.values()) & set(cols.values()):
                return _read(grid, h, cols, {"": {"B": ba["budget"], "A": ba["actual"]}})
        pairs = _wide_pairs(headers, set(cols.values()))
        if pairs:
            return _read(grid, h, cols, pairs)
    raise ComputeError(
        f"{grid.name}, sheet {grid.sheet}: no header row with a Line column and Budget and Actual columns "
        "(wide: 'Q1 Budget', 'Q1 Actual', ...; long: Line, Type, Period, Budget, Actual). Rename the headers.")


def _read(grid: Grid, h: int, cols: dict[str, int], pairs: dict[str, dict[str, int]]) -> BudgetData:
    notes: list[str] = []
    totals = {p: s for p, s in pairs.items() if norm(p) in _TOTAL_PERIOD}
    if totals and len(totals) < len(pairs):
        for p in totals:
            del pairs[p]
        notes.append(f"Columns for {', '.join(totals)} are taken as totals of the periods and not added again.")
    by_key: dict[tuple[str, str], Entry] = {}
    excluded, guessed = [], []
    last = h
    for r in range(h + 1, len(grid.rows)):
        line = grid.text(r, cols["line"])
        amounts = {p: (grid.amount(r, s["B"]), grid.amount(r, s["A"])) for p, s in pairs.items()}
        if not line or all(b is None and a is None for b, a in amounts.values()):
            continue
        last = r
        typed = grid.text(r, cols["type"]) if "type" in cols else ""
        if _SUBTOTAL.match(line) or norm(typed) in {"total", "subtotal", "sub total"}:
            excluded.append(line)
            continue
        kind = _kind(typed) if typed else None
        if typed and kind is None:
            raise ComputeError(f"{grid.where(r, cols['type'])}: type {typed!r} is neither revenue/income "
                               "nor expense/cost")
        if kind is None:
            kind = _guess(line)
            guessed.append(f"{line} ({kind})")
        for p, (b, a) in amounts.items():
            period = grid.text(r, cols["period"]) if "period" in cols else p
            period = period or "Total"
            entry = by_key.setdefault((line, period), Entry(line, kind, period, Decimal(0), Decimal(0)))
            entry.budget += b or 0
            entry.actual += a or 0
            entry.refs.append(grid.row_ref(r, grid.width(h)) if "period" in cols
                              else grid.cells_ref(r, (cols["line"], pairs[p]["B"], pairs[p]["A"])))
    if not by_key:
        raise ComputeError(f"{grid.name}, sheet {grid.sheet}: the header is on row {h + 1} but no budget lines "
                           "with amounts follow it")
    entries = list(by_key.values())
    total_like = {e.period for e in entries if norm(e.period) in _TOTAL_PERIOD}
    if total_like and total_like != {e.period for e in entries}:
        entries = [e for e in entries if e.period not in total_like]
        notes.append(f"Periods {', '.join(sorted(total_like))} are taken as totals and not added again.")
    periods = list(dict.fromkeys(e.period for e in entries))
    lines = list(dict.fromkeys(e.line for e in entries))
    # Line by line, periods in file order, whichever layout the file uses.
    entries.sort(key=lambda e: (lines.index(e.line), periods.index(e.period)))
    data = BudgetData(grid, h, last, entries, periods, lines, notes)
    if excluded:
        notes.append("Total and subtotal rows left out (they are recomputed): " + ", ".join(excluded) + ".")
    if guessed:
        where = "there is no Type column" if "type" not in cols else "their Type cell is blank"
        data.warnings.append(f"{where}, so these lines were classed from their names: " + "; ".join(guessed)
                             + " — add a Type (revenue or expense) if any is wrong")
    for kind in ("revenue", "expense"):
        values = [v for e in entries if e.kind == kind for v in (e.budget, e.actual) if v]
        if values and all(v < 0 for v in values):
            for e in entries:
                if e.kind == kind:
                    e.budget, e.actual = -e.budget, -e.actual
            notes.append(f"All {kind} amounts were entered as negatives; they are shown as positive amounts.")
    return data


def load(inputs: ComputeInputs, name: str = "budget") -> BudgetData:
    return first_readable(inputs, name, "budget variance analysis", read_budget)


def _top_n(inputs: ComputeInputs) -> int:
    raw = inputs.values.get("top_n", "").strip() or "5"
    if not raw.isdigit() or int(raw) < 1:
        raise ComputeError(f"top_n {raw!r} must be a whole number of 1 or more")
    return int(raw)


def _sum(entries: list[Entry], line: str, kind: str, period: str) -> Entry:
    total = Entry(line, kind, period, Decimal(0), Decimal(0))
    for e in entries:
        total.budget += e.budget
        total.actual += e.actual
        total.refs += e.refs
    return total


def variances(inputs: ComputeInputs) -> Computed:
    data = load(inputs)
    top_n = _top_n(inputs)
    by = inputs.values.get("explain_by", "period").strip().lower() or "period"
    if by not in ("period", "line"):
        raise ComputeError(f"explain_by {by!r} must be 'period' (each line in each period) or 'line' (whole year)")
    entries = data.entries
    places = places_for([v for e in entries for v in (e.budget, e.actual)])
    fmt = partial(format_amount, places=places)
    figures: list[Decimal] = []
    everything = "all periods" if len(data.periods) > 1 else data.periods[0]

    def row(label: str, e: Entry, *lead: str) -> tuple[str, ...]:
        figures.extend(printed(v, places) for v in (e.budget, e.actual, e.variance))
        if e.pct is not None:
            figures.append(printed(e.pct, 1))
        fav = "favourable" if e.favourable else "unfavourable"
        return (label, *lead, fmt(e.budget), fmt(e.actual), fmt(e.variance), format_pct(e.pct), fav)

    detail = tuple(row(e.line, e, e.kind, e.period) for e in entries)
    line_totals = [_sum([e for e in entries if e.line == line], line, _kind_of(entries, line), everything)
                   for line in data.lines]
    revenue = _sum([e for e in entries if e.kind == "revenue"], "Total revenue", "revenue", everything)
    expense = _sum([e for e in entries if e.kind == "expense"], "Total expenses", "expense", everything)
    net = Entry("Net result", "revenue", everything, revenue.budget - expense.budget,
                revenue.actual - expense.actual)
    by_line = tuple(row(t.line, t, t.kind) for t in line_totals) + tuple(
        row(t.line, t, "") for t in (revenue, expense, net))
    period_rows = []
    for period in data.periods:
        rev = _sum([e for e in entries if e.period == period and e.kind == "revenue"], "", "revenue", period)
        exp = _sum([e for e in entries if e.period == period and e.kind == "expense"], "", "expense", period)
        p_net = Entry("Net result", "revenue", period, rev.budget - exp.budget, rev.actual - exp.actual)
        figures.extend(printed(v, places) for v in (rev.budget, rev.actual, exp.budget, exp.actual))
        period_rows.append(row(period, p_net, fmt(rev.budget), fmt(rev.actual), fmt(exp.budget), fmt(exp.actual)))
    source = data.grid.range_ref(data.header, data.last)
    note = ("Variance is actual minus budget; a bracketed variance is actual below budget. Revenue over budget "
            "and expense under budget are favourable. % is the variance as a share of budget (n/m where the "
            "budget is nil).")
    money = ("Budget", "Actual", "Variance", "% of budget", "Favourable?")
    tables = (
        Table("Budget against actual by line and period", ("Line", "Type", "Period", *money), detail, source, note),
        Table(f"Budget against actual by line, {everything}", ("Line", "Type", *money), by_line, source, note),
        Table("Net result by period", ("Period", "Revenue budget", "Revenue actual", "Expense budget",
                                       "Expense actual", "Net budget", "Net actual", "Net variance",
                                       "% of budget", "Favourable?"), tuple(period_rows), source, note),
    )
    pool = line_totals if by == "line" else entries
    order = {id(e): i for i, e in enumerate(pool)}
    top = sorted(pool, key=lambda e: (-abs(e.variance), order[id(e)]))[:top_n]
    items = tuple({
        "line": e.line, "period": e.period, "budget": fmt(e.budget), "actual": fmt(e.actual),
        "variance": fmt(e.variance), "variance_pct": format_pct(e.pct),
        "favourable": "favourable" if e.favourable else "unfavourable", "type": e.kind,
        "source": ", ".join(e.refs), "file": data.grid.name,
    } for e in top if e.variance != 0)
    chart = Chart(f"Variance to budget by line, {everything} (actual minus budget)", bar_chart(
        f"Variance to budget by line, {everything} (actual minus budget)", [t.line for t in line_totals],
        [t.variance for t in line_totals], [t.favourable for t in line_totals], note="0 = on budget"))
    text = (f"Revenue: actual {fmt(revenue.actual)} against budget {fmt(revenue.budget)}, a variance of "
            f"{fmt(revenue.variance)} ({'favourable' if revenue.favourable else 'unfavourable'}). "
            f"Expenses: actual {fmt(expense.actual)} against budget {fmt(expense.budget)}, a variance of "
            f"{fmt(expense.variance)} ({'favourable' if expense.favourable else 'unfavourable'}). "
            f"Net result: actual {fmt(net.actual)} against budget {fmt(net.budget)}. "
            f"{len(data.lines)} lines over {len(data.periods)} period(s) read from {source}. "
            + " ".join(data.notes))
    figures += [Decimal(len(data.lines)), Decimal(len(data.periods)), Decimal(top_n)]
    return Computed(text.strip(), tables, (chart,), items, _unique(figures), tuple(data.warnings))


def _kind_of(entries: list[Entry], line: str) -> str:
    return next(e.kind for e in entries if e.line == line)


def _unique(values: list[Decimal]) -> tuple[Decimal, ...]:
    out: dict[Decimal, None] = {}
    for v in values:
        out.setdefault(v, None)
        out.setdefault(abs(v), None)
    return tuple(out)
