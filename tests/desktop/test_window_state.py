"""Window geometry and splitter sizes come back on the next start, from the data directory."""
from __future__ import annotations

from PySide6.QtCore import QSettings

from desktop import app as desktop_app
from desktop.widgets.window_state import splitters


def open_window(qtbot, core):
    w = desktop_app.build_window(core)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_geometry_and_splitter_sizes_are_remembered_in_the_data_directory(qtbot, core, data_dir):
    first = open_window(qtbot, core)
    # An INI file in the data directory, not QSettings' default (the registry, ~/.config).
    assert first.state._qs.format() == QSettings.Format.IniFormat
    assert first.state._qs.fileName() == str(data_dir.resolve() / "window.ini")
    keys = [key for key, _ in splitters(first.tabs)]
    assert "Ask-0-2" in keys and "Drafts-0-2" in keys
    # The offscreen screen is 800 px wide, narrower than the window can be, and restoreGeometry
    # fits a window to its screen: at its minimum width nothing needs fitting.
    hint = first.minimumSizeHint()
    size = (hint.width(), max(560, hint.height()))
    first.resize(*size)
    qtbot.waitUntil(lambda: (first.width(), first.height()) == size)
    ask_split = dict(splitters(first.tabs))["Ask-0-2"]
    qtbot.waitUntil(lambda: ask_split.width() > 600)
    ask_split.setSizes([420, ask_split.width() - 420 - ask_split.handleWidth()])
    wanted = ask_split.sizes()
    first.close()
    assert "geometry" in (data_dir / "window.ini").read_text()

    second = open_window(qtbot, core)
    try:
        assert (second.width(), second.height()) == size
        qtbot.waitUntil(lambda: dict(splitters(second.tabs))["Ask-0-2"].sizes() == wanted, timeout=5_000)
    finally:
        second.close()


def test_a_first_start_keeps_the_default_layout(qtbot, core, data_dir):
    w = open_window(qtbot, core)
    try:
        assert (w.width(), w.height()) == (1180, 760)
        assert not w.state.restore(w, w.tabs)  # nothing saved yet
    finally:
        w.close()
