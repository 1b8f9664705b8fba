"""The verifier: pure code that checks a section's citations, quotes and numbers."""
from __future__ import annotations

import re

from agents.domain.drafts import Citation

_CITE = re.compile(r"\[(\d{1,3})\]")
_NUMBER = re.compile(r"(?<![\w.])\(?\$?\d[\d,]*(?:\.\d+)?%?\)?")


def _ws(text: str) -> str:
    return " ".join(text.split()).lower()


def cited_numbers(text: str) -> set[int]:
    return {int(n) for n in _CITE.findall(text)}


_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_WORDS.update(twenty="20", thirty="30", forty="40", fifty="50", sixty="60", ninety="90", hundred="100")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.I)


def _numbers(text: str) -> set[str]:
    # "five years" in a clause and "5 years" in a finding are the same figure.
    text = _NUMBER_WORD.sub(lambda m: _WORDS[m.group(1).lower()], text)
    out = set()
    for raw in _NUMBER.findall(_CITE.sub(" ", text)):
        digits = raw.strip("()$%").replace(",", "")
        if digits.endswith(".0"):
            digits = digits[:-2]
        if digits:
            out.add(digits)
    return out


def verify_section(body: str, citations: tuple[Citation, ...], page_text: dict[tuple[str, int], str],
                   evidence_text: str, needs_citation: bool = True) -> list[str]:
    """Flags as plain messages; an empty list means every check passed."""
    flags: list[str] = []
    known = {c.number for c in citations}
    for n in sorted(cited_numbers(body) - known):
        flags.append(f"citation [{n}] does not resolve to any evidence passage")
    for c in citations:
        if c.quote and _ws(c.quote) not in _ws(page_text.get((c.document_id, c.page), "")):
            flags.append(f"quote for [{c.number}] not found on {c.location}")
    if needs_citation and citations and not cited_numbers(body):
        flags.append("the finding cites no evidence")
    # Numbers the model wrote must come from the evidence; a small model invents them.
    for number in sorted(_numbers(body) - _numbers(evidence_text)):
        flags.append(f"the figure {number} appears in no cited source")
    return flags
