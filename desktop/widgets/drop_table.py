"""A table that takes files and folders dropped from the file manager."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QTableView, QWidget


def local_paths(mime: QMimeData) -> list[Path]:
    """Local files and folders only: a dragged web link or a remote share's URL is not a document."""
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


class DropTable(QTableView):
    """Signals:
        paths_dropped(list): the local files and folders dropped, as pathlib.Path objects.
    """

    paths_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accepting = True  # the owning view turns this off while it cannot add documents
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)  # a drop adds to the matter; it never lands on a row

    def _wanted(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
        if self.accepting and local_paths(event.mimeData()):
            event.acceptProposedAction()
            return True
        event.ignore()
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        self._wanted(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        self._wanted(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        if self._wanted(event):
            self.paths_dropped.emit(local_paths(event.mimeData()))
