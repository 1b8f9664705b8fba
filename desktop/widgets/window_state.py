"""The window's own preferences — geometry, splitter sizes, theme — in `<data dir>/window.ini`.

An INI file beside the data rather than QSettings' default (the Windows registry, ~/.config):
a firm's image or a second data directory carries its own layout, and nothing about the user
is written outside the folder they chose."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget

FILENAME = "window.ini"


def splitters(tabs: QTabWidget) -> list[tuple[str, QSplitter]]:
    """Every splitter under each tab, keyed by the tab's name, its order there and its pane count,
    so a view that gains or loses a pane never gets another layout's sizes."""
    found = []
    for i in range(tabs.count()):
        for n, split in enumerate(tabs.widget(i).findChildren(QSplitter)):
            found.append((f"{tabs.tabText(i)}-{n}-{split.count()}", split))
    return found


class WindowState:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILENAME
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def restore(self, window: QMainWindow, tabs: QTabWidget) -> bool:
        """Apply what was saved; False when nothing was (the first start keeps the defaults)."""
        geometry = self._bytes("window/geometry")
        if geometry is not None:
            window.restoreGeometry(geometry)
        state = self._bytes("window/state")
        if state is not None:
            window.restoreState(state)
        for key, split in splitters(tabs):
            sizes = self._bytes(f"splitters/{key}")
            if sizes is not None:
                split.restoreState(sizes)
        return geometry is not None

    def save(self, window: QMainWindow, tabs: QTabWidget) -> None:
        self._qs.setValue("window/geometry", window.saveGeometry())
        self._qs.setValue("window/state", window.saveState())
        for key, split in splitters(tabs):
            self._qs.setValue(f"splitters/{key}", split.saveState())
        self._qs.sync()

    def theme(self) -> str:
        return str(self._qs.value("appearance/theme", "system"))

    def set_theme(self, theme: str) -> None:
        self._qs.setValue("appearance/theme", theme)
        self._qs.sync()
