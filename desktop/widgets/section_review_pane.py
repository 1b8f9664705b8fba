"""The Sections tab of Review: the selected section's text on the left and, beside it, what the
reviewer checks it against and leaves on it: its evidence, its verifier flags, its comments."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from agents.domain.draft_review import SectionReview
from agents.domain.review_rules import DraftStatus
from desktop.widgets.comment_panel import CommentPanel
from desktop.widgets.evidence_list import EvidenceList
from desktop.widgets.flag_panel import FlagPanel
from desktop.widgets.layout import caption, column, side_by_side
from desktop.widgets.section_panel import SectionPanel


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
        side.setSizes([120, 260, 160])  # flags are the work; an empty evidence list needs little room
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
