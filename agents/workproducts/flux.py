"""Analytical review (flux) of a trial balance with a current and a prior period: the tie-out of
debits and credits per period, and the movement of every account against materiality. The model
only explains the flagged movements; every figure here is computed by code."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from agents.workproducts.computed import Computed, ComputeError, ComputeInputs, Table
from agents.workproducts.table_input import (
    first_readable,
    Grid,
    format_amount,
    format_pct,
    header_rows,
    match_columns,
    match_score,
    norm,
    parse_amount,
    places_for,
    printed,
    year_of,
)

DEFAULT_MATERIALITY = Decimal(50000)
ACCOUNT = ["account", "account name", "description", "account description", "name", "particulars",
           "ledger account", "gl account", "nominal"]
CODE = ["code", "account code", "account no", "account number", "acct", "acct no", "no", "number",
        "gl code", "nominal code", "ref", "#"]
CURRENT = ["current", "cy", "current year", "current period", "this year", "balance cy", "cy balance"]
PRIOR = ["prior", "py", "prior year", "prior period", "last year", "previous year", "comparative"]
_DEBIT, _CREDIT = {"debit", "debits", "dr"}, {"credit", "credits", "cr"}
_FILLER = {"balance", "balances", "amount", "closing", "net", "gbp", "usd", "eur", "£", "$"}
_TOTAL = re.compile(r"^(grand\s+)?totals?\b", re.IGNORECASE)
_GRAND = {"total", "totals", "grand total", "trial balance total", "total trial balance", "tb total", "net total"}


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    row: int
    balance: tuple[Decimal, Decimal]  # (current, prior), debit positive
    debits: tuple[Decimal, Decimal]
    credits: tuple[Decimal, Decimal]


@dataclass(frozen=True)
class TotalRow:
    row: int
    label: str
    debits: tuple[Decimal | None, Decimal | None]  # signed layouts state only a net, kept in debits
    credits: tuple[Decimal | None, Decimal | None]


@dataclass(frozen=True)
class TrialBalance:
    grid: Grid
    header: int
    periods: tuple[str, str]  # (current, prior) labels as the file names them
    paired: bool  # Debit/Credit columns per period rather than one signed balance
    accounts: tuple[Account, ...]
    totals: tuple[TotalRow, ...]
    subtotals: tuple[str, ...]  # "Total current assets" and the like: excluded, not checked
    last: int

    @property
    def source(self) -> str:
        return self.grid.range_ref(self.header, self.last)


def _order(labels: list[str]) -> tuple[int, int] | None:
    """Which of the period labels is current and which prior: by keyword, else the later year."""
    cur = [i for i, label in enumerate(labels) if match_score(label, CURRENT)]
    pri = [i for i, label in enumerate(labels) if match_score(label, PRIOR)]
    if len(cur) == 1 and len(pri) == 1 and cur != pri:
        return cur[0], pri[0]
    years = {}
    for i, label in enumerate(labels):
        y = year_of(label)
        if y is not None:
            years.setdefault(y, i)
    if len(years) >= 2:
        latest = sorted(years, reverse=True)
        return years[latest[0]], years[latest[1]]
    return None


def _layout(grid: Grid, row: int):
    headers = [grid.text(row, c) for c in range(len(grid.rows[row]))]
    cols = match_columns(headers, {"account": ACCOUNT, "code": CODE})
    if "account" not in cols:
        return None
    others = [c for c in range(len(headers)) if c not in cols.values()]
    above = _filled_above(grid, row)
    pairs: dict[str, dict[str, int]] = {}
    for c in others:
        words = norm(headers[c]).split()
        side = "D" if _DEBIT & set(words) else "C" if _CREDIT & set(words) else None
        if side:
            period = " ".join(w for w in words if w not in _DEBIT | _CREDIT | _FILLER) or norm(above[c])
            pairs.setdefault(period, {}).setdefault(side, c)
    full = [(p, s) for p, s in pairs.items() if p and len(s) == 2]
    if len(full) >= 2:
        order = _order([p for p, _ in full])
        if order:
            cur, pri = full[order[0]], full[order[1]]
            return cols, (cur[0], pri[0]), True, ((cur[1]["D"], cur[1]["C"]), (pri[1]["D"], pri[1]["C"]))
    labels = [headers[c] for c in others]
    order = _order(labels)
    if order:
        return cols, (labels[order[0]], labels[order[1]]), False, (others[order[0]], others[order[1]])
    return None


def _filled_above(grid: Grid, row: int) -> list[str]:
    """The row over a Debit/Credit header with merged period cells carried right."""
    width = len(grid.rows[row])
    if row == 0:
        return [""] * width
    out, last = [], ""
    for c in range(width):
        last = grid.text(row - 1, c) or last
        out.append(last)
    return out


def read_trial_balance(grid: Grid) -> TrialBalance:
    for h in header_rows(grid):
        found = _layout(grid, h)
        if found:
            break
    else:
        raise ComputeError(
            f"{grid.name}, sheet {grid.sheet}: no header row with an account column and a current and a "
            "prior period (signed balances headed e.g. '2025' and '2024' or 'Current' and 'Prior', or "
            "Debit and Credit columns for each period). Add or rename the column headers.")
    cols, periods, paired, where = found
    zero = Decimal(0)
    accounts, totals, subtotals, last = [], [], [], h
    for r in range(h + 1, len(grid.rows)):
        name, code = grid.text(r, cols["account"]), grid.text(r, cols["code"]) if "code" in cols else ""
        if paired:
            cells = [[grid.amount(r, c) for c in pair] for pair in where]
        else:
            cells = [[grid.amount(r, c)] for c in where]
        if all(v is None for pair in cells for v in pair) or not (name or code or _any(cells)):
            continue
        last = r
        label = name or code
        if not (name or code) or _TOTAL.match(name) or _TOTAL.match(code):
            if not label or norm(label) in _GRAND:
                if paired:
                    totals.append(TotalRow(r, label, (cells[0][0], cells[1][0]), (cells[0][1], cells[1][1])))
                else:
                    totals.append(TotalRow(r, label, (cells[0][0], cells[1][0]), (None, None)))
            else:
                subtotals.append(f"{label} (row {r + 1})")
            continue
        if paired:
            dr = tuple(p[0] or zero for p in cells)
            cr = tuple(p[1] or zero for p in cells)
        else:
            bal = [p[0] or zero for p in cells]
            dr = tuple(max(b, zero) for b in bal)
            cr = tuple(max(-b, zero) for b in bal)
        accounts.append(Account(code, name or code, r, (dr[0] - cr[0], dr[1] - cr[1]), dr, cr))
    if not accounts:
        raise ComputeError(f"{grid.name}, sheet {grid.sheet}: the header is on row {h + 1} but no account "
                           "rows with amounts follow it")
    return TrialBalance(grid, h, periods, paired, tuple(accounts), tuple(totals), tuple(subtotals), last)


def _any(cells) -> bool:
    return any(v not in (None, Decimal(0)) for pair in cells for v in pair)


def load(inputs: ComputeInputs, name: str = "trial_balance") -> TrialBalance:
    """The trial balance input (by name, or the only table given), on the sheet named by the
    `sheet` value or else the first sheet laid out like a trial balance."""
    return first_readable(inputs, name, "analytical review", read_trial_balance)


def tie_out(inputs: ComputeInputs) -> Computed:
    tb = load(inputs)
    amounts = [v for a in tb.accounts for v in (*a.debits, *a.credits)]
    places = places_for(amounts)
    fmt = lambda v: format_amount(v, places)
    rows, lines, warnings, figures = [], [], [], []
    for p, label in enumerate(tb.periods):
        dr = sum((a.debits[p] for a in tb.accounts), Decimal(0))
        cr = sum((a.credits[p] for a in tb.accounts), Decimal(0))
        diff = dr - cr
        figures += [printed(dr, places), printed(cr, places), printed(diff, places)]
        stated = _stated(tb, p, dr, cr, fmt, warnings, figures, places)
        rows.append((label, fmt(dr), fmt(cr), fmt(diff), stated))
        if diff == 0:
            lines.append(f"{label}: debits {fmt(dr)} equal credits {fmt(cr)}.")
        else:
            lines.append(f"{label}: debits {fmt(dr)} and credits {fmt(cr)} differ by {fmt(abs(diff))}.")
            hint = "" if tb.paired else " (if credits were entered as positive numbers, enter them as negatives)"
            warnings.append(f"{label}: debits do not equal credits; the difference is {fmt(diff)}{hint}")
    if tb.subtotals:
        lines.append("Subtotal rows left out of the accounts: " + "; ".join(tb.subtotals) + ".")
    lines.append(f"{len(tb.accounts)} accounts read from {tb.source}.")
    figures.append(Decimal(len(tb.accounts)))
    table = Table("Trial balance tie-out", ("Period", "Total debits", "Total credits", "Difference",
                                             "Per the TB's total row"), tuple(rows), tb.source)
    return Computed(" ".join(lines), (table,), figures=_unique(figures), warnings=tuple(warnings))


def _stated(tb: TrialBalance, p: int, dr: Decimal, cr: Decimal, fmt, warnings: list[str],
            figures: list[Decimal], places: int) -> str:
    """Compares the file's own Total row with the sum of the accounts."""
    if not tb.totals:
        return "no total row"
    total = tb.totals[-1]
    label, where = tb.periods[p], f"row {total.row + 1}"
    if tb.paired:
        sdr, scr = total.debits[p] or Decimal(0), total.credits[p] or Decimal(0)
        figures += [printed(sdr, places), printed(scr, places)]
        if sdr != dr or scr != cr:
            warnings.append(f"{label}: the total row ({where}) shows debits {fmt(sdr)} and credits {fmt(scr)} "
                            f"but the accounts add up to {fmt(dr)} and {fmt(cr)}")
        return f"{fmt(sdr)} / {fmt(scr)}"
    net = total.debits[p] or Decimal(0)
    figures.append(printed(net, places))
    if net != dr - cr:
        warnings.append(f"{label}: the total row ({where}) shows {fmt(net)} but the accounts net to {fmt(dr - cr)}")
    return fmt(net)


def _unique(values: list[Decimal]) -> tuple[Decimal, ...]:
    out: dict[Decimal, None] = {}
    for v in values:
        out.setdefault(v, None)
        out.setdefault(abs(v), None)
    return tuple(out)


def threshold(inputs: ComputeInputs) -> tuple[Decimal, Decimal | None, bool]:
    """(materiality amount, percentage threshold or None, whether the default amount was used)."""
    raw, raw_pct = inputs.values.get("materiality", "").strip(), inputs.values.get("materiality_pct", "").strip()
    try:
        amount = _scaled(raw) if raw else None
    except ValueError:
        raise ComputeError(f"materiality {raw!r} is not an amount (write e.g. 50,000 or 50k)") from None
    try:
        pct = parse_amount(raw_pct.rstrip("%").strip()) if raw_pct else None
    except ValueError:
        raise ComputeError(f"materiality_pct {raw_pct!r} is not a percentage (write e.g. 10 or 10%)") from None
    if amount is not None and amount < 0 or pct is not None and pct < 0:
        raise ComputeError("materiality and materiality_pct must not be negative")
    return (DEFAULT_MATERIALITY if amount is None else amount), pct, amount is None


def _scaled(text: str) -> Decimal:
    m = re.fullmatch(r"(.*?)\s*([kKmM])", text)
    base = parse_amount(m.group(1) if m else text)
    if base is None:
        raise ValueError(text)
    return base * (1000 if m and m.group(2) in "kK" else 1_000_000 if m else 1)


def variances(inputs: ComputeInputs) -> Computed:
    """Every account's movement; those at or over materiality become items to explain."""
    tb = load(inputs)
    materiality, pct_limit, defaulted = threshold(inputs)
    cur_label, pri_label = tb.periods
    places = places_for([v for a in tb.accounts for v in a.balance])
    fmt = lambda v: format_amount(v, places)
    rows, flagged_rows, items, figures = [], [], [], [printed(materiality, places)]
    if pct_limit is not None:
        figures.append(printed(pct_limit, 1))
    for a in tb.accounts:
        cur, pri = a.balance
        # An account is shown on the side it normally sits (revenue and liabilities as positive
        # credits), so "increase" means the balance grew, whichever side that is.
        side = "Cr" if cur < 0 or (cur == 0 and pri < 0) else "Dr"
        sign = -1 if side == "Cr" else 1
        shown_cur, shown_pri = sign * cur, sign * pri
        change = shown_cur - shown_pri
        pct = None if shown_pri == 0 else change / abs(shown_pri) * 100
        over_amount = change != 0 and abs(change) >= materiality
        over_pct = pct_limit is not None and pct is not None and change != 0 and abs(pct) >= pct_limit
        flag = over_amount or over_pct
        direction = "increase" if change > 0 else "decrease" if change < 0 else "no change"
        figures += [printed(v, places) for v in (shown_cur, shown_pri, change)]
        if pct is not None:
            figures.append(printed(pct, 1))
        cells = (a.code, a.name, side, fmt(shown_cur), fmt(shown_pri), fmt(change), format_pct(pct))
        rows.append((*cells, "Yes" if flag else ""))
        if not flag:
            continue
        source = tb.grid.row_ref(a.row, tb.grid.width(tb.header))
        flagged_rows.append((*cells, direction, source))
        reasons = []
        if over_amount:
            reasons.append(f"the change of {fmt(abs(change))} is at or above materiality of {fmt(materiality)}")
        if over_pct:
            reasons.append(f"the change of {format_pct(abs(pct))} is at or above {format_pct(pct_limit)}")
        items.append({
            "account": a.name, "code": a.code, "current": fmt(shown_cur), "prior": fmt(shown_pri),
            "change": fmt(change), "change_pct": format_pct(pct), "direction": direction, "source": source,
            "side": side, "current_period": cur_label, "prior_period": pri_label, "file": tb.grid.name,
            "reason": " and ".join(reasons),
        })
    columns = ("Code", "Account", "Dr/Cr", cur_label, pri_label, "Change", "% change")
    note = ("Each balance is shown as a positive amount on its usual side: debit (Dr) for assets and "
            "expenses, credit (Cr) for liabilities, equity and revenue, so revenue appears as a positive "
            "figure. A change is an increase when the balance grew on that side; a bracketed balance "
            "sits on the other side. % change is against the prior balance; n/m where the prior is nil.")
    all_table = Table(f"Analytical review: {cur_label} against {pri_label}", (*columns, "Over threshold"),
                      tuple(rows), tb.source, note)
    flag_table = Table("Movements at or over the threshold", (*columns, "Direction", "Source rows"),
                       tuple(flagged_rows), tb.source, note)
    rule = f"a change of {fmt(materiality)} or more"
    if pct_limit is not None:
        rule += f", or of {format_pct(pct_limit)} or more of the prior balance"
    text = (f"Materiality for this review: {fmt(materiality)}. An account is flagged for {rule}. "
            f"{len(items)} of {len(tb.accounts)} accounts are flagged.")
    figures += [Decimal(len(items)), Decimal(len(tb.accounts))]
    warnings: tuple[str, ...] = ()
    if defaulted:
        text = f"No materiality was given, so the default of {fmt(materiality)} was used. " + text
        warnings = ((f"materiality was not given; the default of {fmt(materiality)} was used — confirm it "
                     "against the engagement's materiality"),)
    return Computed(text, (all_table, flag_table), items=tuple(items), figures=_unique(figures),
                    warnings=warnings)
