"""Small layout builders the views share, so each view states only what it shows."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QSplitter, QTableView,
                               QVBoxLayout, QWidget)

from desktop.qt_models import DraftsModel


def plain_tip(text: str) -> str:
    """A tooltip that shows `text` as typed. Qt renders a tooltip as rich text whenever it looks
    like HTML, and tooltips here quote flag messages, documents and paths: escaped, no tag in
    them is live."""
    return "<qt>" + html.escape(text, quote=False).replace("\n", "<br>") + "</qt>"


def caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("kind", "caption")
    return label


def reading_pane(placeholder: str) -> QPlainTextEdit:
    """Read-only plain text: model output is shown as text, never interpreted as markup."""
    pane = QPlainTextEdit()
    pane.setReadOnly(True)
    pane.setPlaceholderText(placeholder)
    return pane


def column(*items: tuple[QWidget, int]) -> QWidget:
    """A margin-less vertical box of (widget, stretch) pairs."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget, stretch in items:
        layout.addWidget(widget, stretch)
    return box


def side_by_side(left: QWidget, right: QWidget, left_stretch: int, right_stretch: int) -> QSplitter:
    split = QSplitter(Qt.Orientation.Horizontal)
    split.addWidget(left)
    split.addWidget(right)
    split.setStretchFactor(0, left_stretch)
    split.setStretchFactor(1, right_stretch)
    split.setChildrenCollapsible(False)  # a collapsed pane looks like lost content
    return split


def message_label() -> QLabel:
    """A line for a form's outcome or the core's refusal, shown in its words, never as markup."""
    label = QLabel("")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def set_message(label: QLabel, text: str, kind: str = "") -> None:
    # The property drives the stylesheet's colour, so a refusal stands out without HTML.
    label.setProperty("kind", kind)
    label.style().unpolish(label)
    label.style().polish(label)
    label.setText(text)


def row(*items: QWidget | tuple[QWidget, int] | None) -> QHBoxLayout:
    """A horizontal box of widgets, (widget, stretch) pairs, and None for a stretch between groups."""
    box = QHBoxLayout()
    for item in items:
        if item is None:
            box.addStretch(1)
        elif isinstance(item, tuple):
            box.addWidget(*item)
        else:
            box.addWidget(item)
    return box


def drafts_table(model: DraftsModel) -> QTableView:
    """A matter's drafts, one row each, single selection."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the file name's end visible
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table
