"""Word-level differences between the agent's text and the reviewer's, for showing an edit."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Words with the whitespace after them, so joining the pieces gives back the text exactly.
_TOKEN = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class DiffPiece:
    kind: str  # "same", "deleted" or "inserted"
    text: str


def word_diff(before: str, after: str) -> tuple[DiffPiece, ...]:
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    out: list[DiffPiece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(DiffPiece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(DiffPiece("deleted", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(DiffPiece("inserted", "".join(b[j1:j2])))
    return tuple(out)


def changed(pieces: tuple[DiffPiece, ...]) -> bool:
    return any(p.kind != "same" for p in pieces)


def render(pieces: tuple[DiffPiece, ...]) -> str:
    """Plain-text rendering, as `git diff --word-diff` does: [-deleted-]{+inserted+}."""
    marks = {"same": ("", ""), "deleted": ("[-", "-]"), "inserted": ("{+", "+}")}
    out = []
    for p in pieces:
        # Keep the trailing space outside the marks so the text still reads naturally.
        core = p.text.rstrip()
        tail = p.text[len(core):]
        open_, close = marks[p.kind]
        out.append(f"{open_}{core}{close}{tail}" if core and p.kind != "same" else p.text)
    return "".join(out)


def before_text(pieces: tuple[DiffPiece, ...]) -> str:
    return "".join(p.text for p in pieces if p.kind != "inserted")


def after_text(pieces: tuple[DiffPiece, ...]) -> str:
    return "".join(p.text for p in pieces if p.kind != "deleted")
