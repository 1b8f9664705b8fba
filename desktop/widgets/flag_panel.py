"""The verifier's flags on one section, each to be resolved before sign-off: marked fixed (the
edit removed what it pointed at; the core checks) or accepted with a written reason. Resolved
flags stay listed with who resolved them, how and when, because that is what a second reviewer
or an auditor reads. The reason dialog here also takes the note a section is sent back with:
the core refuses both without text, and the dialog says so first."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from agents.domain.draft_review import FlagView, SectionReview
from agents.domain.section_review import Resolution, flagged_text
from desktop.qt_models import short_time


class ReasonDialog(QDialog):
    """Opened non-modally with open(); read `text()` in a slot connected to `accepted`."""

    def __init__(self, title: str, question: str, subject: str, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        ask = QLabel(question)
        ask.setWordWrap(True)
        # The flag message or section heading comes from the model: shown as plain text.
        about = QLabel(subject)
        about.setTextFormat(Qt.TextFormat.PlainText)
        about.setWordWrap(True)
        about.setProperty("kind", "warning")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("Required")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._validate)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(ask)
        layout.addWidget(self.reason, 1)
        layout.addWidget(self.buttons)
        self._validate()

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def _validate(self) -> None:
        self.ok_button.setEnabled(bool(self.text()))


def flag_line(view: FlagView, agent_body: str) -> str:
    f, r = view.flag, view.resolution
    words = flagged_text(f, agent_body)
    where = f"on “{words}”" if words.strip() else "on the whole section"
    if r is None:
        state = "open"
    elif r.resolution is Resolution.FIXED:
        state = f"fixed by {r.resolved_by}, {short_time(r.resolved_at)}"
    else:
        state = f"accepted by {r.resolved_by}, {short_time(r.resolved_at)}: {r.reason}"
    return f"{'✓' if r else '⚑'} {f.severity}: {f.message}\n    {where} — {state}"


class FlagPanel(QWidget):
    """Signals:
        fix_requested(str, int): section key and flag index to resolve as fixed.
        accept_requested(str, int, str): section key, flag index and the written reason.
    """

    fix_requested = Signal(str, int)
    accept_requested = Signal(str, int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key = ""
        self._open = False
        self.dialog: ReasonDialog | None = None  # the open reason dialog, for tests
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.fix_button = QPushButton("Mark fixed")
        self.fix_button.setToolTip("The edit removed what the flag points at (checked when you click)")
        self.accept_button = QPushButton("Accept with reason…")
        self.accept_button.setToolTip("The text stands as written; say why")
        self.fix_button.clicked.connect(self._fix)
        self.accept_button.clicked.connect(self._ask_reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.fix_button)
        buttons.addWidget(self.accept_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.show_flags(None, False)

    def show_flags(self, review: SectionReview | None, resolvable: bool) -> None:
        """`resolvable` is False once the draft is signed off: its flags were settled at signing."""
        self._key, self._open = (review.section.key if review else ""), resolvable
        self.list.clear()
        for view in review.flags if review else ():
            item = QListWidgetItem(flag_line(view, review.agent_body))  # plain text, never markup
            item.setData(Qt.ItemDataRole.UserRole, view)
            item.setForeground(QColor("#2e7d32") if view.resolution else QColor("#7a4a00"))
            self.list.addItem(item)
        if review is not None and not review.flags:
            empty = QListWidgetItem("No verifier flags in this section.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)
        # Land on the first open flag: that is the next thing to do.
        rows = [i for i in range(self.list.count()) if self._view(i) and self._view(i).resolution is None]
        self.list.setCurrentRow(rows[0] if rows else -1)
        self._update_buttons()

    def _view(self, row: int) -> FlagView | None:
        item = self.list.item(row)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select_flag(self, index: int) -> None:
        for row in range(self.list.count()):
            view = self._view(row)
            if view is not None and view.index == index:
                self.list.setCurrentRow(row)

    def _selected_open(self) -> FlagView | None:
        view = self._view(self.list.currentRow())
        return view if self._open and view is not None and view.resolution is None else None

    def _update_buttons(self) -> None:
        enabled = self._selected_open() is not None
        self.fix_button.setEnabled(enabled)
        self.accept_button.setEnabled(enabled)

    def _fix(self) -> None:
        view = self._selected_open()
        if view is not None:
            self.fix_requested.emit(self._key, view.index)

    def _ask_reason(self) -> None:
        view = self._selected_open()
        if view is None:
            return
        self.dialog = ReasonDialog("Accept flag", "Why does the text stand as written? The reason goes into the "
                                   "audit log and the review record.", view.flag.message, "Accept flag", self)
        key, index, dialog = self._key, view.index, self.dialog
        dialog.accepted.connect(lambda: self.accept_requested.emit(key, index, dialog.text()))
        dialog.open()
