"""The top of the Review tab: the draft's title, status, provenance, signatures, and, in words
the reviewer can act on, what still stands between the draft and a signature."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from agents.domain.draft_review import DraftReview
from desktop.qt_models import draft_status_label, short_time

SHOWN_BLOCKERS = 3  # the rest are counted; the full list is the Sign off button's tooltip


def plain_label(kind: str = "") -> QLabel:
    label = QLabel("")
    label.setTextFormat(Qt.TextFormat.PlainText)  # draft titles, notes and flag messages are user/model text
    label.setWordWrap(True)
    label.setProperty("kind", kind)
    return label


def blocker_text(review: DraftReview) -> str:
    """'Before sign-off: …' from the core's own list, so the window and the CLI say the same."""
    if not review.blockers:
        return ""
    shown = [f"• {b}" for b in review.blockers[:SHOWN_BLOCKERS]]
    more = len(review.blockers) - SHOWN_BLOCKERS
    if more > 0:
        shown.append(f"• … and {more} more")
    return "Before sign-off:\n" + "\n".join(shown)


class ReviewHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = plain_label("title")
        self.status_label = plain_label("status")
        self.meta = plain_label("muted")
        self.blockers = plain_label("warning")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label in (self.title, self.status_label, self.meta, self.blockers):
            layout.addWidget(label)
        self.show_review(None)

    def show_review(self, review: DraftReview | None, stale: list[str] = ()) -> None:
        if review is None:
            self.title.setText("No draft selected")
            self.status_label.setText("")
            self.meta.setText("Run a work product in the Drafts tab; its draft appears here for review.")
            self.blockers.setText("")
            self.blockers.hide()
            return
        draft = review.draft
        self.title.setText(draft.title)
        self.status_label.setText(f"Status: {draft_status_label(draft.status)}")
        signed = "".join(f" · signed by {s.reviewer} ({s.role}, {s.meaning}) {short_time(s.signed_at)}"
                         for s in review.signatures)
        superseded = f"\nSuperseded by {review.superseded_by}: edits went into that version." if review.superseded_by else ""
        stale_text = "".join(f"\nStale: {note}" for note in stale)
        self.meta.setText(f"Prepared by {draft.preparer} with {draft.model_id} · {short_time(draft.created_at)} · "
                          f"{draft.flag_count} flag(s) · version {draft.version} · SHA-256 "
                          f"{draft.content_sha256[:16]}…{signed}{superseded}{stale_text}")
        lines = blocker_text(review)
        if review.signatures and review.awaiting:  # signed, but the policy wants more
            lines = "Still needed: " + "; ".join(review.awaiting)
        self.blockers.setText(lines)
        self.blockers.setVisible(bool(lines))
