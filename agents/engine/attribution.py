"""Citations attached by code: each answer sentence is matched to the passage it draws on.

Small models rarely cite reliably, so the model writes the prose and this module decides which
passage, if any, each sentence rests on, by the content words they share."""
from __future__ import annotations

import re

from agents.domain.library import Passage

_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*")
_STOP = frozenset("""a an and are as at be been by can could did do does for from had has have if in into is it its
may might must not of on or shall should such than that the their them then there these they this those to under was
were what when where which while who will with would you your any all each other per also only about answer question
passage passages document documents""".split())
_MODEL_CITE = re.compile(r"\[(\d{1,2})\]")


def content_words(text: str) -> set[str]:
    return {w.strip("'’-") for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2 or w.isdigit()}


def best_passage(sentence: str, passages: list[Passage], min_shared: int = 2) -> int | None:
    """1-based number of the passage sharing most content words with the sentence, if enough."""
    words = content_words(sentence)
    if not words:
        return None
    best, best_shared = None, 0
    for i, p in enumerate(passages, 1):
        shared = len(words & content_words(p.chunk.text))
        if shared > best_shared:
            best, best_shared = i, shared
    needed = min(min_shared, len(words))
    return best if best_shared >= needed else None


class SentenceCiter:
    """Fed the model's text piece by piece; returns the marker to emit when a sentence ends."""

    def __init__(self, passages: list[Passage]) -> None:
        self._passages = passages
        self._sentence = ""
        self.text = ""

    def feed(self, piece: str) -> str:
        """Marker (e.g. ' [2]') to insert *before* `piece`, or ''."""
        marker = ""
        if piece[:1].isspace() and re.search(r"[.!?]$", self._sentence.rstrip()):
            marker = self._close()
        self._sentence += piece
        self.text += marker + piece
        return marker

    def finish(self) -> str:
        marker = self._close() if self._sentence.strip() else ""
        self.text += marker
        return marker

    def _close(self) -> str:
        sentence, self._sentence = self._sentence, ""
        if _MODEL_CITE.search(sentence):
            return ""  # the model cited; validity is checked when citations are collected
        n = best_passage(sentence, self._passages)
        return f" [{n}]" if n else ""
