"""The sign-off dialog: says what signing means and shows the exact content hash being signed."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from agents.domain.drafts import Draft
from agents.domain.review_rules import SIGN_OFF_MEANINGS, SIGN_OFF_ROLES

# The roles the CLI accepts too (agents/cli/main.py); the core records the role as given.

# What the reviewer attests to under each meaning; shown verbatim before they sign.
MEANING_TEXT = {
    "reviewed": "I have reviewed this work product against its cited evidence and accept it as prepared.",
    "approved": "I approve this work product for release to the client under my name.",
}


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # titles and names come from documents and users
    label.setWordWrap(True)
    return label


class SignOffDialog(QDialog):
    """Collects reviewer, role and meaning; the caller performs the sign-off on accept."""

    def __init__(self, draft: Draft, reviewer: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign off draft")
        self.setMinimumWidth(640)
        self.draft_id = draft.id
        self.signed_sha256 = draft.content_sha256

        title = _plain(draft.title)
        title.setObjectName("dialogTitle")
        self.meaning = QComboBox()
        for m in SIGN_OFF_MEANINGS:
            self.meaning.addItem(m, m)
        self.meaning_text = _plain("")
        self.meaning_text.setObjectName("meaningText")
        self.meaning.currentIndexChanged.connect(self._show_meaning)
        self.reviewer = QLineEdit(reviewer)
        self.reviewer.setPlaceholderText("Full name")
        self.role = QComboBox()
        for r in SIGN_OFF_ROLES:
            self.role.addItem(r, r)
        self.sha = QLabel(self.signed_sha256)
        self.sha.setTextFormat(Qt.TextFormat.PlainText)
        self.sha.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.sha.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("Meaning", self.meaning)
        form.addRow("", self.meaning_text)
        form.addRow("Reviewer", self.reviewer)
        form.addRow("Role", self.role)
        form.addRow("Content SHA-256", self.sha)

        warning = _plain("")
        if draft.flag_count:
            warning.setText(f"This draft carries {draft.flag_count} verifier flag(s). "
                            "Confirm you have checked each one against the evidence.")
            warning.setProperty("kind", "warning")
        warning.setVisible(bool(draft.flag_count))
        notice = _plain("Signing freezes this version: its hash goes into the audit log, "
                        "and any later edit needs a new sign-off.")
        notice.setProperty("kind", "muted")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = self.buttons.addButton("Sign off", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reviewer.textChanged.connect(self._validate)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(warning)
        layout.addWidget(notice)
        layout.addWidget(self.buttons)
        self._show_meaning()
        self._validate()

    def chosen_meaning(self) -> str:
        return self.meaning.currentData()

    def chosen_role(self) -> str:
        return self.role.currentData()

    def _show_meaning(self) -> None:
        self.meaning_text.setText(MEANING_TEXT.get(self.chosen_meaning(), ""))

    def _validate(self) -> None:
        # The core also refuses an empty reviewer; disabling the button says so before trying.
        self.sign_button.setEnabled(bool(self.reviewer.text().strip()))
