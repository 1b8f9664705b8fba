"""A small dialog that asks for the written reason a review step must carry: why a flagged
passage stands as it is, or what the preparer should change in a section. The core refuses
both without text; the dialog says so first by keeping its OK button disabled until there is some."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


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
