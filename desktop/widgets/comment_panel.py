"""A section's comments, oldest first, and a line to add one. Notes left when a section is sent
back for changes are comments too, so the preparer finds the reviewer's reasons here."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from agents.domain.draft_review import SectionReview
from desktop.qt_models import short_time


class CommentPanel(QWidget):
    """Signals:
        comment_added(str, str): section key and the comment's text.
    """

    comment_added = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key = ""
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.input = QLineEdit()
        self.input.setPlaceholderText("Add a comment on this section (Enter)")
        self.input.returnPressed.connect(self._add)
        self.add_button = QPushButton("Comment")
        self.add_button.clicked.connect(self._add)
        self.input.textChanged.connect(self._update_button)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.show_comments(None)

    def show_comments(self, review: SectionReview | None) -> None:
        key = review.section.key if review else ""
        if key != self._key:
            self.input.clear()  # a half-written comment belongs to the section it was written on
        self._key = key
        self.list.clear()
        for c in review.comments if review else ():
            self.list.addItem(QListWidgetItem(f"{c.author} · {short_time(c.at)}\n{c.text}"))  # plain text
        self.input.setEnabled(bool(key))
        self._update_button()

    def comment_saved(self) -> None:
        """Called by the view once the core recorded the comment; a refused one stays for editing."""
        self.input.clear()

    def _update_button(self) -> None:
        self.add_button.setEnabled(bool(self._key and self.input.text().strip()))

    def _add(self) -> None:
        if self._key and self.input.text().strip():
            self.comment_added.emit(self._key, self.input.text())
