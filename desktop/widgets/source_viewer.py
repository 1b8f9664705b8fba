"""The source viewer: a cited page as the document shows it, with the cited passage highlighted.

PDF pages are rendered by the core (agents/knowledge/source_page.py) on a thread of their own, so
opening a citation never waits behind an ingestion or a draft on the task worker, and never
freezes the window. Other formats, and PDFs that moved or changed since indexing, show the
indexed page text with the passage selected (plain text, never markup)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QKeySequence, QPixmap, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QScrollArea,
                               QStackedWidget, QTextEdit, QVBoxLayout, QWidget)

from desktop.tasks import failure_message

if TYPE_CHECKING:  # the desktop talks to agents.services and agents.domain only
    from agents.services import Countersign, SourcePage

Loader = Callable[[int], "SourcePage"]  # page number -> the page, highlight included where it is cited


class _Signals(QObject):
    loaded = Signal(int, object)  # request number, SourcePage or an error message


class _Load(QRunnable):
    def __init__(self, number: int, load: Loader, page: int, signals: _Signals) -> None:
        super().__init__()
        self._number, self._load, self._page, self._signals = number, load, page, signals

    def run(self) -> None:
        try:
            result: object = self._load(self._page)
        except Exception as exc:  # shown in the viewer; the window must not lose the error
            result = failure_message(exc)
        self._signals.loaded.emit(self._number, result)


class SourceViewer(QWidget):
    """`show_page(n)` loads page n; only the latest request is shown when several overlap."""

    def __init__(self, load: Loader, first_page: int, parent: QWidget | None = None, pixel_ratio: float = 1.0) -> None:
        super().__init__(parent)
        # Pages are rendered with this many image pixels per screen point (see open_source).
        self.pixel_ratio = pixel_ratio
        # The page count is known once the first page arrives; until then only that page exists.
        self._load, self._pages, self._request = load, max(first_page, 1), 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._show)
        self.page: SourcePage | None = None

        self.title = QLabel("")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.notice = QLabel("")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setProperty("kind", "warning")
        self.notice.setWordWrap(True)
        self.previous = QPushButton("◀ Previous page")
        self.previous.setToolTip("Previous page (Page Up)")
        self.next = QPushButton("Next page ▶")
        self.next.setToolTip("Next page (Page Down)")
        self.previous.clicked.connect(lambda: self.show_page(self.current - 1))
        self.next.clicked.connect(lambda: self.show_page(self.current + 1))
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, lambda: self.previous.isEnabled() and self.previous.click())
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, lambda: self.next.isEnabled() and self.next.click())

        self.image = QLabel("Loading the page…")
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(True)
        self._scroll = scroll
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(scroll)
        self.stack.addWidget(self.text)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.previous)
        top.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        self.current = first_page
        self.show_page(first_page)

    def show_page(self, number: int) -> None:
        number = min(max(number, 1), self._pages)
        self.current = number
        self._request += 1
        self.title.setText(f"Page {number} of {self._pages} — loading…")
        self.previous.setEnabled(number > 1)
        self.next.setEnabled(number < self._pages)
        self._pool.start(_Load(self._request, self._load, number, self._signals))

    def wait(self, msecs: int = 10000) -> bool:
        """For tests and for closing: the pending render has finished."""
        return self._pool.waitForDone(msecs)

    def _show(self, request: int, result: object) -> None:
        if request != self._request:
            return  # the user has already moved to another page
        if isinstance(result, str):
            self.page = None
            self.title.setText(f"Page {self.current} of {self._pages}")
            self.notice.setText(f"Cannot show this page: {result}")
            self.notice.show()
            return
        page: SourcePage = result
        self.page = page
        self._pages = max(page.pages, 1)
        self.next.setEnabled(page.page < self._pages)
        cited = page.end > page.start
        self.title.setText(f"{page.filename} — page {page.page} of {page.pages}" + (" — cited passage highlighted" if cited else ""))
        self.notice.setText(page.notice)
        self.notice.setVisible(bool(page.notice))
        if page.png:
            pixmap = QPixmap()
            pixmap.loadFromData(page.png, "PNG")
            pixmap.setDevicePixelRatio(self.pixel_ratio)  # shown at its size in points, every pixel used
            self.image.setPixmap(pixmap)
            self.stack.setCurrentIndex(0)
            if page.boxes:  # bring the first highlighted line into view (boxes are in image pixels)
                left, top = (int(v / self.pixel_ratio) for v in page.boxes[0][:2])
                self._scroll.ensureVisible(left, top, 50, 120)
            return
        self.text.setPlainText(page.text)
        self.stack.setCurrentIndex(1)
        if cited:
            cursor = self.text.textCursor()
            cursor.setPosition(min(page.start, len(page.text)))
            cursor.setPosition(min(page.end, len(page.text)), QTextCursor.MoveMode.KeepAnchor)
            marked = QTextEdit.ExtraSelection()
            marked.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(255, 214, 0, 110))
            marked.format = fmt
            self.text.setExtraSelections([marked])
            self.text.setTextCursor(cursor)
            self.text.ensureCursorVisible()


def open_source(parent: QWidget, core: Countersign, document_id: str, page: int, start: int, end: int,
                filename: str) -> QDialog:
    """A non-modal window on the cited page; the cited span is highlighted on that page only."""
    # Read here, on the UI thread: the pages are rendered on the viewer's own thread.
    ratio = parent.devicePixelRatioF()

    def load(number: int) -> SourcePage:
        span = (start, end) if number == page else (0, 0)
        return core.source_page(document_id, number, *span, pixel_ratio=ratio)

    dialog = QDialog(parent)
    dialog.setWindowTitle(f"Source — {filename}")
    dialog.resize(820, 900)
    viewer = SourceViewer(load, page, dialog, ratio)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(viewer)
    dialog.viewer = viewer
    dialog.finished.connect(lambda _: viewer.wait(5000))
    dialog.show()
    return dialog
