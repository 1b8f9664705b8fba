"""Renders a draft, or one section under review, into a read-only text view, as plain text with formats.

Model output reaches this view, so nothing is ever parsed as HTML: every string goes in
through QTextCursor.insertText, and formatting comes only from the char/block formats below.
"""
from __future__ import annotations

import base64

from PySide6.QtCore import QUrl
from PySide6.QtGui import (QColor, QFont, QImage, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument,
                           QTextImageFormat, QTextLength, QTextTableFormat)
from PySide6.QtWidgets import QTextEdit, QWidget

from agents.domain.draft_review import SectionReview
from agents.domain.drafts import Draft, Section, SectionChart, SectionTable
from desktop.widgets.diff_render import insert_diff, insert_flagged, open_spans


def _char(size_delta: float = 0, bold: bool = False, colour: str | None = None,
          background: str | None = None, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setFontWeight(QFont.Weight.DemiBold if bold else QFont.Weight.Normal)
    fmt.setFontItalic(italic)
    if size_delta:
        fmt.setProperty(QTextCharFormat.Property.FontSizeAdjustment, int(size_delta))
    if colour:
        fmt.setForeground(QColor(colour))
    if background:
        fmt.setBackground(QColor(background))
    return fmt


def _block(top: float, bottom: float = 2, indent: int = 0) -> QTextBlockFormat:
    fmt = QTextBlockFormat()
    fmt.setTopMargin(top)
    fmt.setBottomMargin(bottom)
    fmt.setIndent(indent)
    return fmt


HEADING = _char(1, bold=True, colour="#1f3b57")
BODY = _char()
CITATION = _char(colour="#555555")
FLAG = _char(colour="#7a4a00", background="#fff3d6")
CLEAN = _char(colour="#2e7d32", italic=True)


class DraftDocument(QTextEdit):
    """Read-only view of one draft; `show_draft(None)` clears it to a hint."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setPlaceholderText("Select a draft to review it section by section.")

    def show_draft(self, draft: Draft | None) -> None:
        self.clear()
        if draft is None:
            return
        cursor = QTextCursor(self.document())
        # The view above shows the title and status; the document starts with the first section.
        for i, section in enumerate(draft.sections):
            self._section(cursor, section, first=i == 0)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def show_section(self, review: SectionReview | None) -> None:
        """One section as the reviewer checks it: an edited body as its word diff against the
        agent's text, an unedited one with the words open flags point at highlighted."""
        self.clear()
        if review is None:
            return
        s = review.section
        cursor = QTextCursor(self.document())
        cursor.setBlockFormat(_block(0, 4))
        cursor.insertText(s.heading, HEADING)
        cursor.insertBlock(_block(4), BODY)
        if review.edited:
            insert_diff(cursor, review.diff, open_spans(review.flags, review.agent_body))
            cursor.insertBlock(_block(8, 0), CITATION)
            cursor.insertText("Edited: struck-through words are the agent's, underlined words are new; "
                              "a wavy line marks words an open flag points at.", CITATION)
        else:
            insert_flagged(cursor, s.body, review.flags)
        for t in s.tables:
            self._table(cursor, t)
        for chart in s.charts:
            self._chart(cursor, chart)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def _section(self, cursor: QTextCursor, s: Section, first: bool) -> None:
        if first:
            cursor.setBlockFormat(_block(0, 4))
            cursor.setBlockCharFormat(HEADING)
        else:
            cursor.insertBlock(_block(14, 4), HEADING)
        cursor.insertText(s.heading, HEADING)
        for paragraph in s.body.split("\n"):
            cursor.insertBlock(_block(2), BODY)
            cursor.insertText(paragraph, BODY)
        for t in s.tables:
            self._table(cursor, t)
        for chart in s.charts:
            self._chart(cursor, chart)
        for c in s.citations:
            cursor.insertBlock(_block(4, 0, indent=1), CITATION)
            quote = f" — “{c.quote}”" if c.quote else ""
            cursor.insertText(f"[{c.number}] {c.location}{quote}", CITATION)
        for f in s.flags:
            cursor.insertBlock(_block(4, 0, indent=1), FLAG)
            cursor.insertText(f"⚑ {getattr(f, 'severity', 'warning')}: {f}", FLAG)
        if not s.flags and s.citations:
            cursor.insertBlock(_block(4, 0, indent=1), CLEAN)
            cursor.insertText("✓ No verifier flags", CLEAN)

    def _table(self, cursor: QTextCursor, t: SectionTable) -> None:
        cursor.insertBlock(_block(8, 2), HEADING)
        cursor.insertText(t.title, _char(bold=True))
        fmt = QTextTableFormat()
        fmt.setCellPadding(3)
        fmt.setCellSpacing(0)
        fmt.setBorder(0.5)
        fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
        table = cursor.insertTable(len(t.rows) + 1, len(t.columns), fmt)
        for row, cells in enumerate([t.columns, *t.rows]):
            for col, value in enumerate(cells):
                cell = table.cellAt(row, col).firstCursorPosition()
                cell.insertText(str(value), _char(bold=row == 0))  # plain text, never HTML
        cursor.movePosition(QTextCursor.MoveOperation.End)
        for line in (f"Source: {t.source}" if t.source else "", t.note):
            if line:
                cursor.insertBlock(_block(2), CITATION)
                cursor.insertText(line, CITATION)

    def _chart(self, cursor: QTextCursor, chart: SectionChart) -> None:
        image = QImage.fromData(base64.b64decode(chart.png_base64), "PNG")
        if image.isNull():
            return
        name = f"chart-{abs(hash(chart.png_base64))}.png"
        self.document().addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        fmt = QTextImageFormat()
        fmt.setName(name)
        fmt.setWidth(min(image.width(), 640))
        cursor.insertBlock(_block(8, 2), BODY)
        cursor.insertImage(fmt)
