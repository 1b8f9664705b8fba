"""The palette follows the system's colour scheme with the 'system' theme, also when the scheme
changes while the app runs; an explicit light or dark choice does not follow it. And sizes that
hold text are set in lines of the font, so they scale with it."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from desktop import style


def window_colour(app) -> str:
    return app.palette().color(QPalette.ColorRole.Window).name()


@pytest.fixture
def app(qapp):
    yield qapp
    style.apply(qapp, "system", Qt.ColorScheme.Light)  # the QApplication outlives this test
    style.apply(qapp, "system")


def test_system_follows_the_scheme_and_its_changes(app):
    hints = app.styleHints()
    style.apply(app, "system", Qt.ColorScheme.Dark)
    assert window_colour(app) == "#1f2227" and app.property("countersign_shade") == "dark"
    assert "#9cc3e6" in app.styleSheet()  # the stylesheet's colours are the dark ones too
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)  # the desktop leaves dark mode
    assert window_colour(app) != "#1f2227" and app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert window_colour(app) == "#1f2227"
    assert style.resolve("system", Qt.ColorScheme.Unknown) == "light"  # a platform that reports none


def test_an_explicit_choice_does_not_follow_the_system(app):
    style.apply(app, "light")
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    style.apply(app, "dark")
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert window_colour(app) == "#1f2227"


def test_the_question_box_and_progress_bar_are_sized_by_their_font(qtbot, app, runner, data_dir):
    from agents.services import Countersign
    from desktop.views.ask_view import AskView
    from desktop.widgets.task_panel import TaskPanel

    core = Countersign.open(str(data_dir))
    sheet, sizes = app.styleSheet(), []
    try:
        for points in (10, 20):  # a larger font, as a user's accessibility setting might choose
            app.setStyleSheet(sheet.replace("font-size: 10pt", f"font-size: {points}pt"))
            ask, panel = AskView(core, runner), TaskPanel()
            qtbot.addWidget(ask)
            qtbot.addWidget(panel)
            line = ask.question.fontMetrics().lineSpacing()
            assert ask.question.height() >= 3 * line  # three lines of the question show
            assert panel.bar.width() > panel.bar.fontMetrics().horizontalAdvance("1234 of 5678")
            sizes.append((ask.question.height(), panel.bar.width()))
    finally:
        app.setStyleSheet(sheet)
        core.close()
    (small_box, small_bar), (big_box, big_bar) = sizes
    assert big_box > small_box * 1.5 and big_bar > small_bar * 1.5
