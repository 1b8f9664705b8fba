"""Figures in prose and evidence, normalised so that "$1.6 billion" in a draft can be matched to
"1,577" under an "(in millions)" heading, "(370)" to "-370" and "five years" to "5 years".

What is deliberately not a figure in a draft: citation markers, references ("Section 4.2",
"Note 23", "Form 10-K", "Q2"), list numbering ("1." at a line start, "(2) the buyer") and
ordinals ("3rd"). Years and dates are figures of their own kind: one found in the evidence is
fine, one that is not is only a warning, because a period named in the question or the heading
of a draft is often absent from the passage itself, while an invented amount is an error.
Signs are compared as absolute values: "decreased by 370" rightly states a change of -370."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CITE = re.compile(r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")
_NUM = re.compile(r"(?<![\w.,])\d+(?:,\d{3})*(?:\.\d+)?")
_PRE = re.compile(r"(?!\s)(?P<open>\()?(?P<neg>(?<!\w)[-−–])?\s?(?:(?P<cur>US\$|USD|EUR|GBP|[$€£¥])\s?)?(?P<neg2>(?<!\w)[-−])?\(?$")
_SUF = re.compile(r"(?P<close>\))?(?:\s?(?P<pct>%|percent\b|per cent\b|percentage points?\b))?"
                  r"(?:(?P<x>[x×])(?![A-Za-z])|\s(?P<times>times)\b)?"
                  r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|mm)\b|(?P<sfx>[kKmMbB])(?![A-Za-z0-9]))?\)?")
_SCALES = {"thousand": 3, "k": 3, "million": 6, "mn": 6, "mm": 6, "m": 6, "billion": 9, "bn": 9, "b": 9,
           "trillion": 12}
_HEADER = re.compile(r"\b(?:in|of)\s+(thousands|millions|billions)\b|"
                     r"\(\s*(?:\$|dollars|amounts|usd)?\s*(thousands|millions|billions)\b", re.IGNORECASE)
_REF = re.compile(r"(?:\b(?:sections?|clauses?|articles?|paragraphs?|paras?\.?|notes?|items?|exhibits?|schedules?|"
                  r"annex(?:es)?|appendix|appendices|rules?|pages?|p\.|pp\.|forms?|parts?|chapters?|lines?|tables?|"
                  r"figures?|asc|asu|ifrs|ias|topic|regulation|nos?\.)|§§?)\s*\(?$", re.IGNORECASE)
_REF_JOIN = re.compile(r"\s*(?:,|and|or|to|through|–|-|&)\s*(?:and\s+)?$")
_MONTHS = {m[:3].lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"], 1)}
_MONTH = r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|" \
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATES = [re.compile(p, re.IGNORECASE) for p in (
    _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:19|20)\d{2}))?\b",
    r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?" + _MONTH + r",?\s+(?P<y>(?:19|20)\d{2})\b",
    r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b",
    r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)?\d{2})(?![\d/])")]
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_UNITS = {w: i for i, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_TENS = {w: 10 * i for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2)}
_WORD = re.compile(r"\b(?P<w>(?:" + "|".join(_TENS) + r")(?:[-\s](?:" + "|".join(list(_UNITS)[1:10]) + r"))?|"
                   + "|".join(sorted(_UNITS, key=len, reverse=True)) + r"|hundred)\b", re.IGNORECASE)
# A number word is a figure in a draft only before a measure ("five years", "thirty-day"); "one of
# the parties" is not a figure, and "thirty (30) days" is carried by its digits.
_MEASURE = re.compile(r"[-\s]+(?:business\s+|calendar\s+|consecutive\s+|full\s+)?(?:years?|months?|weeks?|days?|"
                      r"hours?|minutes?|quarters?|percent|per\s+cent|times|fold|installments?|payments?)\b", re.IGNORECASE)

# A period of time after a figure: "$12" is not supported by "the twelve months before the claim".
_DURATION = re.compile(r"\s*(?:\(\w+\)\s*)?[-\s]*(?:business\s+|calendar\s+|consecutive\s+|full\s+)?"
                       r"(?:years?|months?|weeks?|days?|hours?|minutes?|quarters?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    kind: str  # "amount" | "percent" | "ratio" | "year" | "date"
    value: Decimal  # absolute value in base units (1.6 billion -> 1600000000); for a date, yyyymmdd
    quantum: Decimal  # the precision the figure was written with, in base units
    scaled: bool  # written with a scale word ("billion", "m", "bn")
    start: int
    end: int
    raw: str
    digits: str  # the bare digits, the way flags used to name a figure
    money: bool = False  # written with a currency: "$12"
    duration: bool = False  # followed by a unit of time: "twelve months", "30 (thirty) days"


def _word_value(word: str) -> int:
    w = word.lower().replace("-", " ").split()
    if w[0] == "hundred":
        return 100
    return sum(_TENS.get(p, 0) + _UNITS.get(p, 0) for p in w)


def _date_key(m: re.Match) -> int:
    g = m.groupdict()
    month = _MONTHS[g["mon"][:3].lower()] if g.get("mon") else int(g["m"])
    year = int(g["y"]) if g.get("y") else 0
    year += 2000 if 0 < year < 100 else 0
    return year * 10000 + month * 100 + int(g["d"])


def _dates(text: str) -> list[tuple[int, int, int, str]]:
    found: list[tuple[int, int, int, str]] = []
    for pattern in _DATES:
        for m in pattern.finditer(text):
            if m.groupdict().get("mon") in ("may", "march"):
                continue  # the verbs, not the months
            if not any(s < m.end() and m.start() < e for s, e, _, _ in found):
                found.append((m.start(), m.end(), _date_key(m), m.group(0)))
    return found


def figures(text: str, lenient: bool = False) -> list[Figure]:
    """Figures in `text`. `lenient` reads evidence: every number counts, references included."""
    text = CITE.sub(lambda m: " " * len(m.group(0)), text)
    out: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for s, e, key, raw in _dates(text):
        out.append(Figure("date", Decimal(key), Decimal(1), False, s, e, raw, str(key)))
        taken.append((s, e))
    ref_end = -1
    for m in _NUM.finditer(text):
        s, e = m.span()
        if any(a <= s < b for a, b in taken):
            continue
        before, after = text[:s], text[e:]
        pre = _PRE.search(text, max(0, s - 8), s)
        suf = _SUF.match(after)
        start = s - len(pre.group(0)) if pre else s
        end = e + (suf.end() if suf else 0)
        num = m.group(0)
        plain = pre is None or not (pre["cur"] or pre["neg"] or pre["neg2"])
        if not lenient:
            nxt, prev = text[end:end + 2], text[max(0, start - 2):start]
            if _REF.search(text, max(0, s - 16), s) or (ref_end >= 0 and _REF_JOIN.fullmatch(text[ref_end:s] or "x")):
                ref_end = e
                continue
            if re.match(r"[A-Za-z]|-[A-Z]", nxt) or re.fullmatch(r"[A-Za-z]-", prev):
                continue  # 3rd, 1A, 10-K, S-1, COVID-19
            line = before[before.rfind("\n") + 1:]
            at_line_start = not line.strip(" \t•*-") and re.match(r"[.)]\s", after)
            enumerated = (pre and pre["open"] and plain and num.isdigit() and int(num) <= 20
                          and re.match(r"\)\s+[a-z]", after))
            if at_line_start or enumerated:
                continue  # "1. Price", "(2) the buyer"
        scale_word = (suf["scale"] or suf["sfx"] or "").lower() if suf else ""
        exp = _SCALES.get(scale_word, 0)
        decimals = len(num.split(".")[1]) if "." in num else 0
        mantissa = Decimal(num.replace(",", ""))
        percent = bool(suf and suf["pct"])
        ratio = bool(suf and (suf["x"] or suf["times"]))
        kind = "percent" if percent else "ratio" if ratio else "amount"
        if kind == "amount" and not exp and plain and "," not in num and decimals == 0 and 1900 <= mantissa <= 2100:
            kind = "year"
        digits = num.replace(",", "")
        out.append(Figure(kind, mantissa.scaleb(exp), Decimal(1).scaleb(exp - decimals), bool(exp), start, end,
                          text[start:end].strip(), digits.removesuffix(".0"), bool(pre and pre["cur"]),
                          bool(_DURATION.match(text, end))))
    for m in _WORD.finditer(text):
        measured = _MEASURE.match(text, m.end())
        if lenient or (measured and not re.match(r"\s*\(\d", text[m.end():])):
            value = _word_value(m.group("w"))
            out.append(Figure("amount", Decimal(value), Decimal(1), False, m.start(), m.end(), m.group(0), str(value),
                              duration=bool(_DURATION.match(text, m.end()))))
    return sorted(out, key=lambda f: f.start)


@dataclass(frozen=True)
class _Candidate:
    value: Decimal
    quantum: Decimal
    percent_only: bool = False  # a computed ratio 0.125 read as 12.5%
    scaled: bool = False  # multiplied by the units the evidence states ("in millions")
    assumed: bool = False  # multiplied by units guessed because the evidence names none
    duration: bool = False  # a period of time in the evidence, which no amount of money repeats


class Evidence:
    """Every figure the cited sources and computed tables support, in the forms a draft may use."""

    def __init__(self, text: str, computed: Iterable[Decimal] = ()) -> None:
        headers = {10 ** {"thousands": 3, "millions": 6, "billions": 9}[(a or b).lower()]
                   for a, b in _HEADER.findall(text)}
        self.years = {int(y) for y in _YEAR.findall(text)}
        self.dates = {k for _, _, k, _ in _dates(text)}
        self.dates |= {k % 10000 for k in self.dates}  # "December 31" matches "December 31, 2020"
        self.dates |= {(k // 10000) * 10000 + (k % 100) * 100 + (k // 100) % 100 for k, _ in (
            (_date_key(m), 0) for m in _DATES[3].finditer(text))}  # 6/1/2020 may be 6 January
        self.candidates: list[_Candidate] = []
        for f in figures(text, lenient=True):
            if f.kind != "date":
                self._add(f.value, f.quantum, headers, scalable=not f.scaled and f.kind in ("amount", "year"),
                          duration=f.duration)
        for c in computed:
            c = abs(Decimal(c))
            q = Decimal(1).scaleb(min(c.as_tuple().exponent, 0)) if isinstance(c.as_tuple().exponent, int) else Decimal(1)
            self._add(c, q, headers, scalable=True)
            self.candidates.append(_Candidate(c * 100, q * 100, percent_only=True))

    def _add(self, value: Decimal, quantum: Decimal, headers: set[int], scalable: bool, duration: bool = False) -> None:
        self.candidates.append(_Candidate(value, quantum, duration=duration))
        if not scalable or duration:
            return
        for h in headers:
            self.candidates.append(_Candidate(value * h, quantum * h, scaled=True))
        if not headers:  # a table chunk cut off from its "(in millions)" heading
            for h in (10 ** 3, 10 ** 6, 10 ** 9):
                self.candidates.append(_Candidate(value * h, quantum * h, scaled=True, assumed=True))

    def supports(self, f: Figure) -> bool:
        if f.kind == "date":
            return int(f.value) in self.dates
        if f.kind == "year" and int(f.value) in self.years:
            return True
        return any(_matches(f, c) for c in self.candidates)


def _matches(f: Figure, c: _Candidate) -> bool:
    if c.percent_only and f.kind != "percent":
        return False
    if (c.assumed and not f.scaled) or (c.scaled and f.kind in ("percent", "ratio")):
        return False  # "(in millions)" scales amounts, never a percentage or a ratio
    if f.money and c.duration:
        return False
    if f.value == c.value:
        return True
    # The draft may state fewer digits than the source: 1.577 -> "1.6", 1,577 million -> "$1.6 billion".
    if c.quantum < f.quantum:
        return (c.value / f.quantum).quantize(Decimal(1), ROUND_HALF_UP) * f.quantum == f.value
    return False


def unsupported(text: str, evidence: Evidence) -> Iterator[Figure]:
    for f in figures(text):
        if not evidence.supports(f):
            yield f
