"""The source viewer widget: text pages with the cited span selected, page navigation, a failing
page shown as a message, and only the latest of overlapping requests displayed."""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from agents.knowledge.source_page import SourcePage
from desktop.widgets.source_viewer import SourceViewer

TEXT = "Clause 4. The governing law is the law of Ireland. Clause 5. Notices go to the registered office."


def text_pages(number: int) -> SourcePage:
    start = TEXT.index("the law of Ireland") if number == 2 else 0
    end = start + len("the law of Ireland") if number == 2 else 0
    return SourcePage("side_letter.docx", number, 3, TEXT, start, end)


def test_a_text_page_shows_the_cited_span_selected_and_pages_turn(qtbot):
    viewer = SourceViewer(text_pages, 2)
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.page is not None, timeout=5000)
    assert viewer.stack.currentIndex() == 1
    assert viewer.text.textCursor().selectedText() == "the law of Ireland"
    assert "page 2 of 3" in viewer.title.text() and "highlighted" in viewer.title.text()
    assert viewer.previous.isEnabled() and viewer.next.isEnabled()
    qtbot.mouseClick(viewer.next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: viewer.page.page == 3, timeout=5000)
    assert not viewer.next.isEnabled() and "highlighted" not in viewer.title.text()


def test_a_page_that_cannot_be_read_is_a_message_not_a_crash(qtbot):
    def broken(number: int) -> SourcePage:
        raise OSError("the disk is not readable")

    viewer = SourceViewer(broken, 1)
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: "Cannot show this page" in viewer.notice.text(), timeout=5000)
    assert "the disk is not readable" in viewer.notice.text() and viewer.page is None


def test_only_the_latest_request_is_shown(qtbot):
    release = threading.Event()

    def slow_second(number: int) -> SourcePage:
        if number == 2:
            release.wait(5)
        return text_pages(number)

    class Recording(SourceViewer):
        shown: list[int] = []  # the page on display after each answer arrives

        def _show(self, request, result):
            super()._show(request, result)
            self.shown.append(self.page.page)

    viewer = Recording(slow_second, 1)
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.page is not None, timeout=5000)
    viewer.show_page(2)  # slow: the reader moves on before it arrives
    viewer.show_page(3)
    release.set()
    viewer.wait()
    qtbot.waitUntil(lambda: viewer.page.page == 3, timeout=5000)
    qtbot.wait(50)  # page 2's late answer, delivered after page 3's request, is ignored
    assert viewer.shown == [1, 1, 3] and viewer.current == 3
