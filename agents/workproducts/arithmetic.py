"""Arithmetic questions over printed figures: which operation a question asks for, which operands it
needs, and the computation in Decimal. Pure code: the model never chooses the operation or does
the sums, it only points at the figures (see agents/engine/ask_numbers.py).

Detection is deliberately conservative. A change needs two periods or "between A and B"; a total
needs "sum", "combined" or "total of", because "What were total sales in 2019 and 2018?" asks
for two figures, not their sum. A question that does not match goes the plain Ask path."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

OPERATIONS = ("difference", "percent_change", "ratio", "percent_of", "average", "sum")
TWO_DP = Decimal("0.01")

_NOT_ARITHMETIC = re.compile(r"^\s*(?:why|explain|describe|list|which|in\s+which|when|who|where|what\s+does|"
                             r"what\s+(?:caused|drove|led|were\s+the\s+reasons?|is\s+the\s+reason|was\s+the\s+reason|"
                             r"factors?|accounted|contributed|resulted|are\s+the\s+components))\b|\breasons?\b|\bcaused?\b|"
                             r"\bdriven\s+by\b|\bdue\s+to\b|\brepresents?\b|\bwhy\b", re.IGNORECASE)
_CHANGE = re.compile(r"\b(?:change[sd]?|difference|differ|increase[sd]?|decrease[sd]?|variance|grow(?:th|n)?|"
                     r"rise|rose|fall|fell|decline[sd]?|movement)\b", re.IGNORECASE)
_PERCENT = re.compile(r"\bpercent(?:age)?\b|%|\brate\s+of\s+(?:change|growth)\b|\bgrowth\s+rate\b", re.IGNORECASE)
_AVERAGE = re.compile(r"\b(?:average|mean)\b", re.IGNORECASE)
_SUM = re.compile(r"\bsum\b|\bcombined\b|\btotal\s+of\b|\baltogether\b|\bin\s+total\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:FY\s?|fiscal\s+(?:year\s+)?)?((?:19|20)\d{2})\b|\bFY\s?(\d{2})\b", re.IGNORECASE)
_RANGE = re.compile(r"((?:19|20)\d{2})\s*(?:-|–|to|through|until)\s*(?:FY\s?)?((?:19|20)\d{2})", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?(.+?)\s+and\s+(?:the\s+)?(.+?)(?=\s+(?:in|for|at|as\s+of|during)\s|[?.]|$)",
                      re.IGNORECASE)
_SHARE = re.compile(r"^(?P<a>.+?)\s+as\s+an?\s+(?:percentage|percent|proportion|share|fraction|%)\s+of\s+"
                    r"(?:the\s+)?(?P<b>.+)$", re.IGNORECASE)
_SHARE_IN = re.compile(r"^(?:the\s+)?(?:percentage|percent|proportion|share|%)\s+of\s+(?:the\s+)?(?P<a>.+?)\s+"
                       r"(?:in|of|to)\s+(?:the\s+)?(?P<b>total\b.+)$", re.IGNORECASE)
_RATIO = re.compile(r"\bratio\s+of\s+(?:the\s+)?(?P<a>.+?)\s+to\s+(?:the\s+)?(?P<b>.+)$|"
                    r"(?P<a2>\b[\w ]+?)[- ]to[- ](?P<b2>[\w ]+?)\s+ratio\b", re.IGNORECASE)
_MARGIN = re.compile(r"\b(gross|operating|net|ebitda|ebit)\s+(?:profit\s+)?margin\b", re.IGNORECASE)
_MARGIN_OF = {"gross": "gross profit", "operating": "operating income", "net": "net income",
              "ebitda": "EBITDA", "ebit": "EBIT"}
_LEAD = re.compile(r"^\s*(?:(?:what|how\s+much)\s+(?:is|was|were|are|did|does|has|had)?\s*|by\s+how\s+much\s+|"
                   r"calculate\s+|compute\s+|find\s+)?(?:the\s+|a\s+)?", re.IGNORECASE)
# Where the subject ends: a period phrase ("in 2019", "for fiscal 2018", "at 31 December") or a comparison.
_TAIL = re.compile(r"\s+(?:(?:from|between|over|compared|vs\.?|versus|year\s+on\s+year)\b|"
                   r"(?:in|for|at|as\s+of|during|of)\s+(?:the\s+)?(?:(?:fiscal\s+)?(?:years?|periods?|quarters?)\b|"
                   r"fy|fiscal\b|(?:19|20)\d{2}\b|\d{1,2}\s+[a-z]+|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
                   r"\s+\d)).*$|\s*\?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Slot:
    """One operand the question needs: a schema field name and what the model must find for it."""

    key: str  # "y2019", "numerator", "first"
    describe: str  # "operating income in 2019"
    period: str = ""  # "2019" when the slot is a period's value


@dataclass(frozen=True)
class Plan:
    operation: str  # one of OPERATIONS
    subject: str  # what the answer is about: "operating income"
    slots: tuple[Slot, ...]


def _years(question: str) -> list[str]:
    found: list[str] = []
    for m in _YEAR.finditer(question):
        year = m.group(1) or "20" + m.group(2)
        if year not in found:
            found.append(year)
    return found


def _clean(phrase: str) -> str:
    phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(" ?.,"), flags=re.IGNORECASE)
    return _TAIL.sub("", phrase).strip(" ?.,")


def _subject(question: str, keyword: re.Pattern[str]) -> str:
    m = keyword.search(question)
    rest = question[m.end():] if m else _LEAD.sub("", question)
    rest = re.sub(r"^\s*/\s*\(?\s*(?:increase|decrease)\s*\)?", "", rest, flags=re.IGNORECASE)  # "increase / (decrease) in"
    rest = re.sub(r"\b(?:FY\s?)?(?:19|20)\d{2}\s+and\s+(?:FY\s?)?(?:19|20)\d{2}\s+", "", rest, flags=re.IGNORECASE)
    rest = re.sub(r"^\s*(?:in|of|for|on)\s+", "", rest, flags=re.IGNORECASE)
    rest = re.sub(r"^\s*(?:the|a|an)\s+", "", rest, flags=re.IGNORECASE)
    subject = _TAIL.sub("", rest).strip(" ?.,")
    if not subject and m:  # "How much did revenue grow from 2018 to 2019?"
        subject = _clean(re.sub(r"^.*?\bdid\s+", "", question[:m.start()], flags=re.IGNORECASE))
    return subject or "the figure"


def _period_slots(subject: str, years: list[str]) -> tuple[Slot, ...]:
    return tuple(Slot(f"y{y}", f"{subject} in {y}", y) for y in years)


def _qualified(phrase: str, year: str) -> str:
    return f"{phrase} in {year}" if year and year not in phrase else phrase


def plan(question: str) -> Plan | None:
    """The operation and operands a question needs, or None when it is not an arithmetic question."""
    q = " ".join(question.split())
    if _NOT_ARITHMETIC.search(q):
        return None
    years = _years(q)
    if _CHANGE.search(q) and not _AVERAGE.search(q.split(_CHANGE.search(q).group(0))[0]):
        op = "percent_change" if _PERCENT.search(q) else "difference"
        subject = _subject(q, _CHANGE)
        if len(years) >= 2:
            later, earlier = sorted(years[:2], reverse=True)  # a change is current less prior
            return Plan(op, subject, _period_slots(subject, [later, earlier]))
        between = _BETWEEN.search(q)
        if between and op == "difference" and not _years(between.group(0)):
            year = years[0] if years else ""
            a, b = _clean(between.group(1)), _clean(between.group(2))
            return Plan(op, f"{a} less {b}", (Slot("first", _qualified(a, year), year),
                                              Slot("second", _qualified(b, year), year)))
        return None
    if _AVERAGE.search(q) and len(years) >= 2:
        span = _RANGE.search(q) or (re.search(r"\bbetween\s+((?:19|20)\d{2})\s+and\s+((?:19|20)\d{2})", q, re.IGNORECASE)
                                    if len(years) == 2 else None)
        if span and 0 < abs(int(span.group(2)) - int(span.group(1))) <= 5:
            lo, hi = sorted((int(span.group(1)), int(span.group(2))))
            years = [str(y) for y in range(hi, lo - 1, -1)]
        subject = _subject(q, _AVERAGE)
        return Plan("average", subject, _period_slots(subject, years))
    if _SUM.search(q):
        subject = _subject(q, _SUM)
        items = re.split(r"\s*,\s*|\s+and\s+", subject)
        if len(years) >= 2 and not _RANGE.search(q):
            return Plan("sum", subject, _period_slots(subject, years))
        if len(items) >= 2 and len(years) <= 1 and all(items):
            year = years[0] if years else ""
            return Plan("sum", subject, tuple(Slot(f"item{i}", _qualified(_clean(t), year), year)
                                              for i, t in enumerate(items, 1)))
        return None
    year = years[0] if len(years) == 1 else ""
    if len(years) > 1:
        return None
    body = _LEAD.sub("", q).rstrip(" ?")
    body = re.sub(r"\s+(?:in|for|at|as\s+of|during)\s+(?:FY\s?|fiscal\s+)?(?:19|20)\d{2}\b", "", body, flags=re.IGNORECASE)
    share = _SHARE.match(body) or _SHARE_IN.match(body)
    if share:
        a, b = _clean(share.group("a")), _clean(share.group("b"))
        return Plan("percent_of", f"{a} as a percentage of {b}", (Slot("numerator", _qualified(a, year), year),
                                                                 Slot("denominator", _qualified(b, year), year)))
    ratio = _RATIO.search(body)
    if ratio:
        a, b = (_clean(ratio.group("a") or ratio.group("a2")), _clean(ratio.group("b") or ratio.group("b2")))
        a = _LEAD.sub("", a)
        return Plan("ratio", f"ratio of {a} to {b}", (Slot("numerator", _qualified(a, year), year),
                                                      Slot("denominator", _qualified(b, year), year)))
    margin = _MARGIN.search(body)
    if margin:
        profit = _MARGIN_OF[margin.group(1).lower()]
        return Plan("percent_of", margin.group(0).lower(), (Slot("numerator", _qualified(profit, year), year),
                                                           Slot("denominator", _qualified("revenue", year), year)))
    return None


_PRINTED = re.compile(r"^(?P<open>\()?\s*(?P<neg>[-−–])?\s*(?:US\$|USD|EUR|GBP|[$€£¥])?\s*(?P<open2>\()?\s*"
                      r"(?P<neg2>[-−–])?\s*"
                      r"(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<pct>%)?\s*(?P<close>\))?$")


def parse_figure(printed: str) -> Decimal:
    """A figure as printed ("(370)", "$ 1,452.4", "-2.2", "12%") as a signed Decimal; the percent
    sign is dropped because the question's operation decides what a percentage means."""
    text = " ".join(printed.split()).strip()
    m = _PRINTED.match(text)
    opened = bool(m and m["open"]) + bool(m and m["open2"])
    if not m or opened > 1 or bool(opened) != bool(m["close"]) or (m["neg"] and m["neg2"]):
        raise ValueError(f"{printed!r} is not a single printed figure (expected e.g. 1,577 or (370))")
    num = m["num"]
    if "," in num and not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", num):
        raise ValueError(f"{printed!r} has misplaced thousands separators")
    try:
        value = Decimal(num.replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"{printed!r} is not a number") from exc
    return -value if (opened or m["neg"] or m["neg2"]) else value


def _round(value: Decimal, places: Decimal = TWO_DP) -> Decimal:
    exp = value.as_tuple().exponent
    if isinstance(exp, int) and exp < places.as_tuple().exponent:
        return value.quantize(places, ROUND_HALF_UP)
    return value


def _divide(a: Decimal, b: Decimal, what: str) -> Decimal:
    if b == 0:
        raise ZeroDivisionError(f"cannot compute {what}: the denominator is zero")
    return a / b


def compute(operation: str, values: list[Decimal]) -> Decimal:
    """The result, rounded: percentages and ratios to 2 dp, sums and differences exact."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}; expected one of {', '.join(OPERATIONS)}")
    need_two = operation in ("difference", "percent_change", "ratio", "percent_of")
    if (need_two and len(values) != 2) or not values:
        raise ValueError(f"{operation} needs {'two operands' if need_two else 'at least one operand'}, got {len(values)}")
    if operation == "difference":
        return values[0] - values[1]
    if operation == "percent_change":
        return _round(_divide(values[0] - values[1], abs(values[1]), "a percentage change") * 100)
    if operation == "ratio":
        return _round(_divide(values[0], values[1], "a ratio"))
    if operation == "percent_of":
        return _round(_divide(values[0], values[1], "a percentage") * 100)
    if operation == "average":
        return _round(sum(values, Decimal(0)) / len(values))
    return sum(values, Decimal(0))


def show(value: Decimal) -> str:
    """A value the way an accountant writes it: thousands separators, no trailing exponent noise."""
    if value == value.to_integral_value() and value.as_tuple().exponent > 0:
        value = value.quantize(Decimal(1))
    return f"{value:,}".replace("-", "−")


def formula(operation: str, subject: str, terms: list[str], values: list[Decimal], result: Decimal) -> str:
    """`terms` are the operands as shown with their labels and citations, e.g. "1,577 (2019) [1]"."""
    name = subject[:1].upper() + subject[1:]
    if operation == "difference":
        head = name if " less " in subject else f"Change in {subject}"
        return f"{head} = {terms[0]} − {terms[1]} = {show(result)}"
    if operation == "percent_change":
        base = f"|{terms[1]}|" if values[1] < 0 else terms[1]
        return f"Percentage change in {subject} = ({terms[0]} − {terms[1]}) / {base} × 100 = {show(result)}%"
    if operation == "ratio":
        return f"{name} = {terms[0]} / {terms[1]} = {show(result)}"
    if operation == "percent_of":
        return f"{name} = {terms[0]} / {terms[1]} × 100 = {show(result)}%"
    if operation == "average":
        return f"Average {subject} = ({' + '.join(terms)}) / {len(terms)} = {show(result)}"
    return f"Sum of {subject} = {' + '.join(terms)} = {show(result)}"
