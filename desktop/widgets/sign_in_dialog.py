"""Firm mode's sign-in: the account name and its password, before the window opens.

The workspace says only "the name or the password is wrong", whichever it was; the dialog shows
that and keeps the name, so a mistyped password is retyped, not the whole form."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


class SignInDialog(QDialog):
    def __init__(self, name: str = "", message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Countersign — sign in to the firm workspace")
        intro = QLabel("This Countersign works on the firm's shared workspace. Sign in with your account; "
                       "you will see the matters that list you.")
        intro.setWordWrap(True)
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("your account name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel(message)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # the server's words, never markup
        self.message.setWordWrap(True)
        self.message.setProperty("kind", "error")
        form = QFormLayout()
        form.addRow("Account", self.name)
        form.addRow("Password", self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addWidget(self.buttons)
        for field in (self.name, self.password):
            field.textChanged.connect(self._allow)
        (self.password if name else self.name).setFocus()
        self._allow()

    def _allow(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.name.text().strip() and self.password.text()))

    def credentials(self) -> tuple[str, str]:
        return self.name.text().strip(), self.password.text()
