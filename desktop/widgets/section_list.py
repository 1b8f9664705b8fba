"""The draft's sections as a list a reviewer works down: each with its review status and how
many verifier flags are still open, so what remains to do is visible without opening each one."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from agents.domain.draft_review import SectionReview
from agents.domain.section_review import SectionStatus
from desktop.widgets.layout import plain_tip

_MARKS = {
    SectionStatus.APPROVED: ("✓", "approved", QColor("#2e7d32")),
    SectionStatus.CHANGES_REQUESTED: ("↩", "changes requested", QColor("#c62828")),
    SectionStatus.PENDING: ("○", "to review", QColor("#5f6670")),
}


def open_flags(review: SectionReview) -> int:
    return sum(1 for f in review.flags if f.resolution is None)


def section_line(review: SectionReview) -> str:
    """'✓ Governing law — approved · edited · 1 open flag': what the list shows for a section."""
    mark, status, _ = _MARKS[review.status]
    parts = [status]
    if review.edited:
        parts.append("edited")
    n = open_flags(review)
    if n:
        parts.append(f"{n} open flag{'s' if n != 1 else ''}")
    elif review.flags:
        parts.append("flags resolved")
    return f"{mark} {review.section.heading} — {' · '.join(parts)}"


class SectionList(QListWidget):
    """Signals:
        section_chosen(str): the key of the section the reviewer moved to ("" when none).
    """

    section_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)  # headings are long in legal memos; cut text hides the status
        self.setToolTip("Alt+Down / Alt+Up: next / previous section")
        self.currentItemChanged.connect(lambda item, _previous: self.section_chosen.emit(self._key(item)))

    @staticmethod
    def _key(item: QListWidgetItem | None) -> str:
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

    def current_key(self) -> str:
        return self._key(self.currentItem())

    def show_sections(self, sections: tuple[SectionReview, ...], keep: str = "") -> None:
        """Refill after every review action, staying on section `keep` (else the first)."""
        self.blockSignals(True)  # one section_chosen at the end, not one per row
        self.clear()
        for review in sections:
            item = QListWidgetItem(section_line(review))  # QListWidgetItem text is never markup
            item.setData(Qt.ItemDataRole.UserRole, review.section.key)
            item.setForeground(_MARKS[review.status][2])
            if open_flags(review):
                item.setToolTip(plain_tip("\n".join(f"⚑ {f.flag.message}" for f in review.flags if f.resolution is None)))
            self.addItem(item)
        keys = [r.section.key for r in sections]
        self.setCurrentRow(keys.index(keep) if keep in keys else (0 if keys else -1))
        self.blockSignals(False)
        self.section_chosen.emit(self.current_key())

    def step(self, by: int) -> None:
        """Move to the next (1) or previous (-1) section, stopping at either end."""
        if self.count():
            self.setCurrentRow(min(max(self.currentRow() + by, 0), self.count() - 1))
