"""Which primary financial statement a page is, and which statements a question asks about.

An analyst asked for "capex from the cash flow statement" opens the cash flow statement; the
retriever does the same. Pages are recognised by their title, which filings print in the first
lines ("CONSOLIDATED STATEMENTS OF CASH FLOWS"); text extraction often drops the spaces
("CONSOLIDATEDBALANCESHEETS"), so titles are matched on the text with whitespace removed."""
from __future__ import annotations

import re

INCOME, BALANCE, CASH_FLOW, EQUITY = "income", "balance", "cash_flow", "equity"

# Titles, matched against lower-cased text with all whitespace removed.
_TITLES = {
    BALANCE: re.compile(r"balancesheets?|statements?of(consolidated)?(financialposition|financialcondition|condition)"),
    INCOME: re.compile(r"statements?of(consolidated)?(operations|income|earnings)|incomestatements?"),
    CASH_FLOW: re.compile(r"statements?of(consolidated)?cashflows?|cashflowstatements?"),
    EQUITY: re.compile(r"statements?of(changesin)?(shareholders|stockholders|shareowners|owners)'?s?'?(equity|deficit)"),
}
HEAD_CHARS = 200  # a title sits above the table; deeper mentions are cross-references in prose
MIN_NUMBERS = 25  # a statement is a table of figures, not a page that names one

# How people name the statements in a question.
_ASKED = {
    INCOME: re.compile(r"\b(income statements?|statements? of (consolidated )?(income|operations|earnings)|p&l|"
                       r"profit and loss)\b"),
    BALANCE: re.compile(r"\b(balance sheets?|statements? of financial (position|condition))\b"),
    CASH_FLOW: re.compile(r"\b(cash ?flows? statements?|statements? of cash ?flows?)\b"),
    EQUITY: re.compile(r"\bstatements? of (changes in )?(shareholders|stockholders)'? equity\b"),
}
_NUMBER = re.compile(r"\(?\$?\d[\d,]*\.?\d*\)?")


def page_statement(text: str) -> str | None:
    """The statement this page presents, or None for notes, prose, indexes and tables of contents."""
    # Lines are no unit here: some extractors break a title over one line per word.
    head = re.sub(r"\s+", "", text[:2000].lower()).replace("\u2019", "'")[:HEAD_CHARS]
    found = [kind for kind, title in _TITLES.items() if title.search(head)]
    # An index to the financial statements names several; a statement names itself.
    if len(found) != 1 or len(_NUMBER.findall(text)) < MIN_NUMBERS:
        return None
    return found[0]


def asked_statements(question: str) -> set[str]:
    q = question.lower().replace("\u2019", "'")
    return {kind for kind, pattern in _ASKED.items() if pattern.search(q)}


CORE = (BALANCE, INCOME, CASH_FLOW)
TRAILING_PAGES = 3  # equity and comprehensive income often follow the cash flow statement


def primary_statements(labels: dict[int, str]) -> dict[int, str]:
    """Keep the run of pages holding the primary statements, dropping look-alikes elsewhere.

    Filings print the three core statements together; condensed parent-company or segment
    tables in the notes carry the same titles. The tightest window that holds all three is the
    primary set. A document without such a window (an earnings release) keeps every label."""
    pages = sorted(labels)
    best: tuple[int, int] | None = None
    for i, start in enumerate(pages):
        seen: set[str] = set()
        for end in pages[i:]:
            if labels[end] in CORE:
                seen.add(labels[end])
            if seen == set(CORE):
                if best is None or end - start < best[1] - best[0]:
                    best = (start, end)
                break
    if best is None:
        return labels
    return {p: k for p, k in labels.items() if best[0] <= p <= best[1] + TRAILING_PAGES}
