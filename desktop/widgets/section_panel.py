"""One section under review: its text (an edit shown as the word diff against the agent's text),
an inline editor, and the section's own verdict: approve it, or send it back with a note.

The panel only asks; the view performs each step through the core and calls `show_section`
again with what the core then says, so the screen never shows a state the core refused."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from agents.domain.draft_review import SectionReview
from agents.domain.review_rules import DraftStatus
from agents.domain.section_review import SectionAction, allowed_section_actions
from desktop.widgets.draft_document import DraftDocument
from desktop.widgets.flag_panel import ReasonDialog

_STATUS_WORDS = {"pending": "to review", "approved": "approved", "changes_requested": "changes requested"}


class SectionPanel(QWidget):
    """Signals:
        edit_saved(str, str): section key and the new body.
        approve_requested(str): section key.
        changes_requested(str, str): section key and the note saying what should change.
        editing_changed(bool): an edit was opened or closed; the view locks navigation meanwhile,
            so an unsaved edit is never dropped by a click elsewhere.
    """

    edit_saved = Signal(str, str)
    approve_requested = Signal(str)
    changes_requested = Signal(str, str)
    editing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review: SectionReview | None = None
        self.dialog: ReasonDialog | None = None  # the open note dialog, for tests
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # headings come from the model
        self.status.setProperty("kind", "status")
        self.status.setWordWrap(True)
        self.text = DraftDocument()
        self.text.setPlaceholderText("Select a section to review it beside its evidence.")
        self.editor = QPlainTextEdit()  # plain text in and out: nothing typed or pasted becomes markup
        self.stack = QStackedWidget()
        self.stack.addWidget(self.text)
        self.stack.addWidget(self.editor)

        self.edit_button = QPushButton("Edit")
        self.edit_button.setShortcut("Ctrl+E")
        self.save_button = QPushButton("Save edit")
        self.save_button.setShortcut("Ctrl+S")
        self.discard_button = QPushButton("Discard edit")
        self.approve_button = QPushButton("Approve section")
        self.approve_button.setShortcut("Ctrl+Shift+A")
        self.approve_button.setToolTip("Approve this section (Ctrl+Shift+A)")
        self.changes_button = QPushButton("Request changes…")
        self.changes_button.setShortcut("Ctrl+Shift+R")
        self.changes_button.setToolTip("Send this section back with a note (Ctrl+Shift+R)")
        self.edit_button.clicked.connect(self.start_edit)
        self.save_button.clicked.connect(self._save)
        self.discard_button.clicked.connect(self.stop_edit)
        self.approve_button.clicked.connect(lambda: self.review and self.approve_requested.emit(self.review.section.key))
        self.changes_button.clicked.connect(self._ask_note)

        buttons = QHBoxLayout()
        for b in (self.edit_button, self.save_button, self.discard_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.changes_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.save_button.hide()
        self.discard_button.hide()
        self._draft_status, self._superseded = DraftStatus.DRAFT, ""
        self.show_section(None, DraftStatus.DRAFT)

    @property
    def editing(self) -> bool:
        return self.stack.currentWidget() is self.editor

    def show_section(self, review: SectionReview | None, draft_status: DraftStatus, superseded_by: str = "") -> None:
        """Show what the core says now. An open edit of this section survives a refresh caused by
        another step (a comment, a resolved flag) and closes once the core holds its text."""
        same = review is not None and self.review is not None and review.section.key == self.review.section.key
        if not (same and self.editing and review.section.body != self.editor.toPlainText()):
            self.stop_edit()
        self.review, self._draft_status, self._superseded = review, draft_status, superseded_by
        self.text.show_section(review)
        if review is None:
            self.status.setText("")
        else:
            edited = " · edited (shown as the diff against the agent's text)" if review.edited else ""
            self.status.setText(f"Section: {_STATUS_WORDS[review.status.value]}{edited}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        review, status = self.review, self._draft_status
        # No verdict while an edit is open: the verdict would be on text the reviewer is changing.
        allowed = allowed_section_actions(review.status, status) if review and not self.editing else []
        self.approve_button.setEnabled(SectionAction.APPROVE in allowed)
        self.changes_button.setEnabled(SectionAction.REQUEST_CHANGES in allowed)
        self.edit_button.setEnabled(review is not None and not self._superseded)
        signed = status is DraftStatus.SIGNED_OFF
        self.edit_button.setText("Edit as new version" if signed else "Edit")
        self.edit_button.setToolTip(f"Superseded by {self._superseded}; edit that version" if self._superseded else
                                    "Signed work never changes: the edit makes a new version to sign" if signed else
                                    "Edit this section's text (Ctrl+E); the agent's text is kept for the diff")

    def start_edit(self) -> None:
        if self.review is None or not self.edit_button.isEnabled() or self.editing:
            return
        self.editor.setPlainText(self.review.section.body)
        self._set_editing(True)
        self.editor.setFocus()

    def stop_edit(self) -> None:
        if self.editing:
            self._set_editing(False)

    def _set_editing(self, on: bool) -> None:
        self.stack.setCurrentWidget(self.editor if on else self.text)
        self.save_button.setVisible(on)
        self.discard_button.setVisible(on)
        self.edit_button.setVisible(not on)
        self._update_buttons()
        self.editing_changed.emit(on)

    def _save(self) -> None:
        if self.review is not None and self.editing:
            self.edit_saved.emit(self.review.section.key, self.editor.toPlainText())

    def _ask_note(self) -> None:
        if self.review is None or not self.changes_button.isEnabled():
            return
        key = self.review.section.key
        self.dialog = ReasonDialog("Request changes", "What should the preparer change in this section? The note "
                                   "is kept with the section's comments.", self.review.section.heading,
                                   "Request changes", self)
        dialog = self.dialog
        dialog.accepted.connect(lambda: self.changes_requested.emit(key, dialog.text()))
        dialog.open()
