"""Inserts a section body into a QTextDocument with its review marks: the word diff of a
reviewer's edit against the agent's text, or the spans the verifier flagged.

The body is model output, so it only ever goes in through QTextCursor.insertText; the marks are
character formats, never markup. Struck-through and underlined as well as coloured, so the diff
reads for a colour-blind reviewer and in a greyscale print of the screen."""
from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor

from agents.domain.draft_review import FlagView
from agents.domain.text_diff import DiffPiece


def _format(colour: str = "", background: str = "", strike: bool = False, underline: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    if colour:
        fmt.setForeground(QColor(colour))
    if background:
        fmt.setBackground(QColor(background))
    fmt.setFontStrikeOut(strike)
    fmt.setFontUnderline(underline)
    return fmt


PLAIN = _format()
DELETED = _format("#b00020", "#fde7ea", strike=True)
INSERTED = _format("#1b5e20", "#e3f4e4", underline=True)
FLAGGED = _format("#7a4a00", "#ffe1a8")
# A wavy line, as a spell checker marks a word: the verifier's doubt, not a change of text.
FLAGGED.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
FLAGGED.setUnderlineColor(QColor("#b26a00"))
_PIECE_FORMATS = {"same": PLAIN, "deleted": DELETED, "inserted": INSERTED}


def insert_diff(cursor: QTextCursor, pieces: tuple[DiffPiece, ...], spans: list[tuple[int, int]] = ()) -> None:
    """The edited body with the agent's removed words struck through and the new ones underlined.
    `spans` (open flags, in the agent's text) are highlighted where their words are still there."""
    at = 0  # offset in the agent's text: kept and deleted pieces come from it, inserted ones do not
    for piece in pieces:
        # The space after a changed word stays unmarked, as `git diff --word-diff` prints it.
        word = piece.text.rstrip()
        if piece.kind == "same":
            _insert_marked(cursor, piece.text, at, spans)
        else:
            cursor.insertText(word, _PIECE_FORMATS.get(piece.kind, PLAIN))
            cursor.insertText(piece.text[len(word):], PLAIN)
        if piece.kind != "inserted":
            at += len(piece.text)


def _insert_marked(cursor: QTextCursor, text: str, offset: int, spans: list[tuple[int, int]]) -> None:
    """`text`, which starts at `offset` of the agent's body, with the parts inside `spans` flagged."""
    at = 0
    for start, end in spans:
        start, end = max(start - offset, at), min(end - offset, len(text))
        if start < end:
            cursor.insertText(text[at:start], PLAIN)
            cursor.insertText(text[start:end], FLAGGED)
            at = end
    cursor.insertText(text[at:], PLAIN)


def open_spans(flags: tuple[FlagView, ...], agent_body: str) -> list[tuple[int, int]]:
    """Character spans of the unresolved flags that point at words (not at the whole section),
    merged where they overlap. Spans refer to the agent's text (edits never move them), so pass that."""
    spans = sorted((f.flag.start, f.flag.end) for f in flags
                   if f.resolution is None and 0 <= f.flag.start < f.flag.end <= len(agent_body))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def insert_flagged(cursor: QTextCursor, body: str, flags: tuple[FlagView, ...]) -> None:
    """The agent's body with the words an open flag points at highlighted."""
    _insert_marked(cursor, body, 0, open_spans(flags, body))
