"""Read-only Qt table models over core value objects (documents, drafts) and their labels."""
from __future__ import annotations

from typing import Generic, Sequence, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from agents.domain.drafts import Draft
from agents.domain.library import Document, DocumentStatus
from agents.domain.review_rules import DraftStatus

T = TypeVar("T")
_Index = QModelIndex | QPersistentModelIndex

STATUS_LABELS = {
    DocumentStatus.INDEXED: "indexed",
    DocumentStatus.ENCRYPTED: "encrypted",
    DocumentStatus.NO_TEXT: "no text layer",
    DocumentStatus.CORRUPT: "corrupt",
    DocumentStatus.TOO_LARGE: "too large",
    DocumentStatus.TIMED_OUT: "timed out",
    DocumentStatus.UNSUPPORTED: "unsupported",
    DocumentStatus.UNCHANGED: "unchanged",
    DocumentStatus.SKIPPED: "skipped",
}

# Muted colours that stay readable on both light and dark palettes.
_OK = QColor("#2e7d32")
_PROBLEM = QColor("#c62828")
_ATTENTION = QColor("#b26a00")


def draft_status_label(status: DraftStatus) -> str:
    """'signed_off' -> 'signed off': the words a reviewer reads in the window and exports."""
    return status.value.replace("_", " ")


def short_time(iso: str) -> str:
    """'2025-01-31T09:15:02Z' -> '2025-01-31 09:15' (the stored value stays UTC)."""
    return iso.replace("T", " ")[:16] if iso else ""


class _RowsModel(QAbstractTableModel, Generic[T]):
    """A table whose rows are frozen dataclasses; subclasses say how each column reads."""

    headers: Sequence[str] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> T:
        return self._rows[index]

    def rows(self) -> list[T]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(item, index.column())
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.colour(item, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item)
        if role == Qt.ItemDataRole.TextAlignmentRole and self.numeric(index.column()):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def text(self, item: T, column: int) -> str:
        raise NotImplementedError

    def colour(self, item: T, column: int) -> QColor | None:
        return None

    def tooltip(self, item: T) -> str | None:
        return None

    def numeric(self, column: int) -> bool:
        return False


class DocumentsModel(_RowsModel[Document]):
    headers = ("File", "Type", "Status", "Pages", "Last indexed", "Reason")

    def text(self, d: Document, column: int) -> str:
        cells = (d.filename, d.kind.upper(), STATUS_LABELS.get(d.status, d.status.value),
                 str(d.pages) if d.pages else "", short_time(d.indexed_at), d.reason)
        return cells[column]

    def colour(self, d: Document, column: int) -> QColor | None:
        if column != 2:
            return None
        return _OK if d.status in (DocumentStatus.INDEXED, DocumentStatus.UNCHANGED) else _PROBLEM

    def tooltip(self, d: Document) -> str | None:
        return d.path if not d.reason else f"{d.path}\n{d.reason}"

    def numeric(self, column: int) -> bool:
        return column == 3


class DraftsModel(_RowsModel[Draft]):
    headers = ("Draft", "Status", "Flags", "Created")

    def tooltip(self, d: Draft) -> str | None:
        return d.title

    def text(self, d: Draft, column: int) -> str:
        if column == 0:
            return d.title
        if column == 1:
            return draft_status_label(d.status)
        if column == 2:
            return str(d.flag_count)
        return short_time(d.created_at)

    def colour(self, d: Draft, column: int) -> QColor | None:
        if column == 1 and d.status is DraftStatus.SIGNED_OFF:
            return _OK
        if column == 1 and d.status is DraftStatus.CHANGES_REQUESTED:
            return _PROBLEM
        if column == 2 and d.flag_count:
            return _ATTENTION
        return None

    def numeric(self, column: int) -> bool:
        return column == 2

    def index_of(self, draft_id: str) -> int:
        return next((i for i, d in enumerate(self._rows) if d.id == draft_id), -1)
