"""Token-bounded chunks of a page that never cross a page and split at paragraph/sentence ends."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from agents.domain.library import Page

TokenCounter = Callable[[str], int]
BatchCounter = Callable[[list[str]], list[int]]

# A stop not followed by space ("4.2bn", "www.sec.gov") is inside a unit: without that, finditer
# skipped the text before it, and a page's first words (or a URL's) never reached any chunk.
_SENTENCE = re.compile(r"(?:[^\n.!?;]|[.!?;](?![.!?;]*(?:\s|$)))*(?:[.!?;]+(?=\s|$)|\n\s*\n|\n|$)", re.S)


@dataclass(frozen=True)
class Span:
    page: int
    start: int
    end: int
    text: str
    tokens: int


def _units(text: str) -> list[tuple[int, int]]:
    """Sentence-ish units as (start, end) offsets; paragraph breaks end a unit too."""
    out = []
    for m in _SENTENCE.finditer(text):
        if m.end() > m.start() and text[m.start():m.end()].strip():
            out.append((m.start(), m.end()))
    return out


def _split_long(text: str, start: int, end: int, count: TokenCounter, limit: int) -> list[tuple[int, int]]:
    """Split one over-long unit at word boundaries (or characters, for a giant 'word')."""
    pieces: list[tuple[int, int]] = []
    seg = last_ok = start
    for m in re.finditer(r"\S+\s*", text[start:end]):
        word_end = start + m.end()
        if count(text[seg:word_end]) <= limit:
            last_ok = word_end
            continue
        if last_ok > seg:
            pieces.append((seg, last_ok))
            seg = last_ok
        while count(text[seg:word_end]) > limit:
            cut = word_end
            while cut - seg > 1 and count(text[seg:cut]) > limit:
                cut = seg + (cut - seg) * 3 // 4
            pieces.append((seg, cut))
            seg = cut
        last_ok = word_end
    if last_ok > seg:
        pieces.append((seg, last_ok))
    return pieces


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def chunk_page(page: Page, count: TokenCounter, max_tokens: int = 240, overlap_units: int = 1,
               by_line: bool = False, count_many: BatchCounter | None = None) -> list[Span]:
    """Greedy packing of units up to `max_tokens`; the last unit(s) repeat as overlap.
    `by_line` keeps table rows whole (a row is never split at a full stop inside a cell).
    `count_many`, if given, counts a list in one call (a tokenizer's batch encode)."""
    many = count_many or (lambda texts: [count(t) for t in texts])
    text = page.text
    found = _lines(text) if by_line else _units(text)
    units: list[tuple[int, int]] = []
    sizes: list[int] = []
    # Each unit is tokenised once: a word-piece tokenizer splits at whitespace, so the tokens of
    # neighbouring units add up (less the special tokens each count includes). Re-counting the
    # growing window instead made chunking quadratic and the slowest step of ingestion.
    for (s, e), n in zip(found, many([text[s:e] for s, e in found])):
        if n <= max_tokens:
            units.append((s, e))
            sizes.append(n)
            continue
        pieces = _split_long(text, s, e, count, max_tokens)
        units.extend(pieces)
        sizes.extend(many([text[a:b] for a, b in pieces]))
    overhead = count("")
    sizes = [n - overhead for n in sizes]
    spans: list[Span] = []
    i = 0
    while i < len(units):
        j, total = i + 1, overhead + sizes[i]
        while j < len(units) and total + sizes[j] <= max_tokens:
            total += sizes[j]
            j += 1
        start, end = units[i][0], units[j - 1][1]
        body = text[start:end]
        lead = len(body) - len(body.lstrip())
        trail = len(body.rstrip())
        spans.append(Span(page.number, start + lead, start + trail, body.strip(), total))
        if j >= len(units):
            break
        i = max(i + 1, j - overlap_units)
    return spans


def chunk_pages(pages: list[Page], count: TokenCounter, max_tokens: int = 240, by_line: bool = False,
                count_many: BatchCounter | None = None) -> list[Span]:
    return [span for page in pages
            for span in chunk_page(page, count, max_tokens, by_line=by_line, count_many=count_many)]
