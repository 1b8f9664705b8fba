"""The Sections tab of Review: the selected section's text on the left and, beside it, what the
reviewer checks it against and leaves on it: its evidence, its verifier flags, its comments.

Evidence is listed with each citation's place and quoted passage; Enter or a double-click opens
the source viewer on the cited page with the passage highlighted, so a finding is checked against
the document, not against the model's quote of it. Comments include the notes left when a section
was sent back for changes, so the preparer finds the reviewer's reasons there."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from agents.domain.draft_review import SectionReview
from agents.domain.drafts import Citation, Section
from agents.domain.review_rules import DraftStatus
from desktop.qt_models import short_time
from desktop.widgets.flag_panel import FlagPanel
from desktop.widgets.layout import caption, column, side_by_side
from desktop.widgets.section_panel import SectionPanel


def citation_line(c: Citation) -> str:
    quote = f"\n“{c.quote}”" if c.quote else ""
    return f"[{c.number}] {c.location}{quote}"


class EvidenceList(QListWidget):
    """Signals:
        citation_opened(object): the Citation to show in the source viewer.
    """

    citation_opened = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setToolTip("Open a citation's page with the passage highlighted (Enter or double-click)")
        self.itemActivated.connect(self._open)

    def show_citations(self, section: Section | None) -> None:
        self.clear()
        for c in section.citations if section else ():
            item = QListWidgetItem(citation_line(c))  # file names and quotes are plain text here
            item.setData(Qt.ItemDataRole.UserRole, c)
            self.addItem(item)
        if section is not None and not section.citations:
            empty = QListWidgetItem("This section cites no evidence.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(empty)
        self.setCurrentRow(0 if section and section.citations else -1)

    def _open(self, item: QListWidgetItem) -> None:
        c = item.data(Qt.ItemDataRole.UserRole)
        if c is not None:
            self.citation_opened.emit(c)


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


class SectionReviewPane(QWidget):
    """Holds the section's widgets; their signals are the view's to connect (see ReviewView)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = SectionPanel()
        self.evidence = EvidenceList()
        self.flags = FlagPanel()
        self.comments = CommentPanel()
        self.flags_caption = caption("Verifier flags")
        self.comments_caption = caption("Comments")
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(column((caption("Evidence"), 0), (self.evidence, 1)))
        side.addWidget(column((self.flags_caption, 0), (self.flags, 1)))
        side.addWidget(column((self.comments_caption, 0), (self.comments, 1)))
        side.setChildrenCollapsible(False)
        side.setSizes([110, 330, 100])  # proportions: flags are the work; evidence and comments are often short
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(side_by_side(self.panel, side, 3, 2))

    def show_section(self, review: SectionReview | None, draft_status: DraftStatus, superseded_by: str = "",
                     resolvable: bool = True) -> None:
        self.panel.show_section(review, draft_status, superseded_by)
        self.evidence.show_citations(review.section if review else None)
        self.flags.show_flags(review, resolvable)
        self.comments.show_comments(review)
        # Counts in the captions, so open work shows even when a list is scrolled or short.
        open_flags = sum(1 for f in review.flags if f.resolution is None) if review else 0
        total = len(review.flags) if review else 0
        self.flags_caption.setText(f"Verifier flags ({open_flags} open of {total})" if total else "Verifier flags")
        n = len(review.comments) if review else 0
        self.comments_caption.setText(f"Comments ({n})" if n else "Comments")
