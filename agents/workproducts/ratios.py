"""Credit ratios computed by code from the extracted line items, each with its formula, operands
and their page citations; a ratio whose operand is missing says which one, never a number.

Arithmetic is Decimal on the figures as printed, converted to one unit when pages differ.
Rounding (ROUND_HALF_UP) happens only for display: percentages and days to one decimal place,
multiples to two, amounts to whole units of the statement."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from agents.workproducts.computed import Computed, Table
from agents.workproducts.financial_lines import UNIT_SCALE, LineItem, LineItems
from agents.workproducts.line_labels import BY_KEY

DEBT_KEYS = ("short_term_debt", "current_debt", "long_term_debt")
_PLACES = {"%": Decimal("0.1"), "days": Decimal("0.1"), "x": Decimal("0.01"), "amount": Decimal(1)}


class _Missing(Exception):
    pass


class _Calc:
    """Fetches operands for one period and remembers which line items a ratio used."""

    def __init__(self, items: LineItems, period: str) -> None:
        self.items, self.period, self.used = items, period, []
        i = items.periods.index(period) if period in items.periods else -1
        self.prior = items.periods[i + 1] if 0 <= i < len(items.periods) - 1 else None

    def item(self, key: str, prior: bool = False) -> LineItem:
        period = self.prior if prior else self.period
        found = self.items.get(key, period) if period else None
        if found is None:
            raise _Missing(f"{BY_KEY[key].name} {period or '(prior period)'} not found")
        self.used.append(found)
        return found

    def v(self, key: str, prior: bool = False) -> Decimal:
        return self.item(key, prior).in_unit("")  # in units, so pages printed in different units agree

    def avg(self, key: str) -> Decimal:
        return (self.v(key) + self.v(key, prior=True)) / 2

    def debt(self) -> Decimal:
        parts = [self.items.get(k, self.period) for k in DEBT_KEYS]
        if not any(parts):
            raise _Missing(f"no debt line (short-term borrowings, current or long-term debt) {self.period} found")
        return sum((self.v(k) for k, p in zip(DEBT_KEYS, parts) if p), Decimal(0))


def _div(a: Decimal, b: Decimal, what: str) -> Decimal:
    if b == 0:
        raise _Missing(f"{what} is zero")
    return a / b


def _fcf(c: _Calc) -> Decimal:
    return c.v("operating_cash_flow") - abs(c.v("capex"))  # capex is printed as an outflow, (1,234)


@dataclass(frozen=True)
class RatioDef:
    key: str
    name: str
    kind: str  # "%", "x", "days" or "amount"
    formula: str
    fn: Callable[[_Calc], Decimal]


DEFINITIONS: tuple[RatioDef, ...] = (
    RatioDef("gross_margin", "Gross margin", "%", "(Revenue − Cost of revenue) / Revenue",
             lambda c: _div(c.v("revenue") - c.v("cost_of_revenue"), c.v("revenue"), "revenue") * 100),
    RatioDef("operating_margin", "Operating margin", "%", "Operating income / Revenue",
             lambda c: _div(c.v("operating_income"), c.v("revenue"), "revenue") * 100),
    RatioDef("net_margin", "Net margin", "%", "Net income / Revenue",
             lambda c: _div(c.v("net_income"), c.v("revenue"), "revenue") * 100),
    RatioDef("revenue_growth", "Revenue growth", "%", "(Revenue − prior Revenue) / |prior Revenue|",
             lambda c: growth(c, "revenue")),
    RatioDef("operating_income_growth", "Operating income growth", "%",
             "(Operating income − prior Operating income) / |prior Operating income|",
             lambda c: growth(c, "operating_income")),
    RatioDef("current_ratio", "Current ratio", "x", "Current assets / Current liabilities",
             lambda c: _div(c.v("current_assets"), c.v("current_liabilities"), "current liabilities")),
    RatioDef("debt_to_equity", "Debt to equity", "x", "(Short-term borrowings + Current and Long-term debt found) / "
             "Total equity", lambda c: _div(c.debt(), c.v("total_equity"), "total equity")),
    RatioDef("liabilities_to_assets", "Liabilities to assets", "x", "Total liabilities / Total assets",
             lambda c: _div(c.v("total_liabilities"), c.v("total_assets"), "total assets")),
    RatioDef("interest_coverage", "Interest coverage", "x", "Operating income / |Interest expense|",
             lambda c: _div(c.v("operating_income"), abs(c.v("interest_expense")), "interest expense")),
    RatioDef("free_cash_flow", "Free cash flow", "amount", "Operating cash flow − |Capital expenditure|", _fcf),
    RatioDef("fcf_margin", "FCF margin", "%", "Free cash flow / Revenue",
             lambda c: _div(_fcf(c), c.v("revenue"), "revenue") * 100),
    RatioDef("capex_to_revenue", "Capex to revenue", "%", "|Capital expenditure| / Revenue",
             lambda c: _div(abs(c.v("capex")), c.v("revenue"), "revenue") * 100),
    RatioDef("ebitda", "EBITDA (unadjusted)", "amount", "Operating income + Depreciation and amortization",
             lambda c: c.v("operating_income") + c.v("depreciation_amortization")),
    RatioDef("ebitda_margin", "EBITDA margin", "%", "(Operating income + Depreciation and amortization) / Revenue",
             lambda c: _div(c.v("operating_income") + c.v("depreciation_amortization"), c.v("revenue"), "revenue") * 100),
    RatioDef("ebitda_less_capex", "EBITDA less capex", "amount",
             "Operating income + Depreciation and amortization − |Capital expenditure|",
             lambda c: c.v("operating_income") + c.v("depreciation_amortization") - abs(c.v("capex"))),
    RatioDef("fixed_asset_turnover", "Fixed asset turnover", "x", "Revenue / average Property and equipment, net",
             lambda c: _div(c.v("revenue"), c.avg("ppe_net"), "average PP&E")),
    RatioDef("inventory_turnover", "Inventory turnover", "x", "Cost of revenue / average Inventory",
             lambda c: _div(c.v("cost_of_revenue"), c.avg("inventory"), "average inventory")),
    RatioDef("days_payable", "Days payable outstanding", "days",
             "365 × average Accounts payable / (Cost of revenue + change in Inventory)",
             lambda c: _div(365 * c.avg("accounts_payable"),
                            c.v("cost_of_revenue") + c.v("inventory") - c.v("inventory", prior=True), "the denominator")),
)
BY_RATIO = {d.key: d for d in DEFINITIONS}


def growth(c: _Calc, key: str) -> Decimal:
    """Year-over-year change of one line item, in percent of the prior year's absolute value."""
    now, before = c.v(key), c.v(key, prior=True)
    return _div(now - before, abs(before), f"prior {BY_KEY[key].name}") * 100


@dataclass(frozen=True)
class Ratio:
    key: str
    name: str
    period: str
    value: Decimal | None  # unrounded; an amount is in the unit of its first operand
    kind: str
    unit: str  # the statement unit of an amount ("millions"), else ""
    formula: str  # the definition, then each operand with its value and page
    sources: tuple[str, ...]
    reason: str = ""  # why it was not computed

    @property
    def display(self) -> str:
        if self.value is None:
            return f"not computed: {self.reason}"
        shown = self.value.quantize(_PLACES[self.kind], rounding=ROUND_HALF_UP)
        return {"%": f"{shown}%", "x": f"{shown}x", "days": f"{shown} days"}.get(self.kind, f"{shown:,}")


def compute(items: LineItems, key: str, period: str | None = None) -> Ratio:
    d = BY_RATIO[key]
    period = period or (items.periods[0] if items.periods else "")
    calc = _Calc(items, period)
    try:
        value, reason = d.fn(calc), ""
    except _Missing as exc:
        value, reason = None, str(exc)
    used = list(dict.fromkeys(calc.used))
    unit = used[0].unit if used and d.kind == "amount" else ""
    if value is not None and unit:
        value = value / UNIT_SCALE[unit]
    operands = "; ".join(f"{i.name} {i.period} = {i.printed.replace(' ', '')} (p. {i.page})" for i in used)
    return Ratio(key, d.name, period, value, d.kind, unit, f"{d.formula}: {operands}" if operands else d.formula,
                 tuple(dict.fromkeys(i.source for i in used)), reason)


def ratios(items: LineItems, periods: tuple[str, ...] | None = None) -> Computed:
    """Every ratio for the current and prior period (or the given ones), as a table with formulas."""
    periods = periods or items.periods[:2]
    rows, figures, warnings = [], [], []
    for d in DEFINITIONS:
        for p in periods:
            r = compute(items, d.key, p)
            unit = f" ({r.unit})" if r.unit else ""
            rows.append((r.name, r.period, r.display + unit, r.formula, "; ".join(r.sources)))
            if r.value is not None:
                figures.append(r.value.quantize(_PLACES[r.kind], rounding=ROUND_HALF_UP))
            elif p == periods[0]:
                warnings.append(f"{r.name} {p} not computed: {r.reason}")
    note = ("Computed by code with Decimal arithmetic from the line items above; rounded half-up for display: "
            "percentages and days to 0.1, multiples to 0.01, amounts to whole units.")
    table = Table("Ratios", ("Ratio", "Period", "Value", "Formula and operands", "Sources"), tuple(rows),
                  source=items.filename, note=note)
    return Computed(tables=(table,), figures=tuple(figures), warnings=tuple(warnings))
