"""The evidence a section cites, shown beside its text: each citation's place and the quoted
passage. Enter or a double-click opens the source viewer on the cited page with the passage
highlighted, so a finding is checked against the document, not against the model's quote of it."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from agents.domain.drafts import Citation, Section


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
