"""The application's look: Fusion everywhere, so the window is the same on every OS, plus a
small stylesheet. Labels carry a `kind` property that the stylesheet colours."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

STYLESHEET = """
QWidget { font-size: 10pt; }
QTabWidget::pane { border: 1px solid #c8ccd2; border-radius: 4px; top: -1px; }
QTabBar::tab { padding: 6px 18px; border: 1px solid #c8ccd2; border-bottom: none;
               border-top-left-radius: 4px; border-top-right-radius: 4px; background: #eef0f3; margin-right: 2px; }
QTabBar::tab:selected { background: palette(base); font-weight: 600; }
QPushButton { padding: 5px 14px; }
QTableView { gridline-color: #e2e5e9; }
QHeaderView::section { padding: 4px 6px; background: #eef0f3; border: none;
                       border-right: 1px solid #d5d9de; border-bottom: 1px solid #c8ccd2; font-weight: 600; }
QLabel[kind="caption"] { font-weight: 600; color: #1f3b57; }
QLabel[kind="title"] { font-size: 13pt; font-weight: 600; color: #1f3b57; }
QLabel[kind="status"] { font-weight: 600; }
QLabel[kind="muted"] { color: #5f6670; }
QLabel[kind="warning"] { color: #7a4a00; }
QLabel[kind="error"] { color: #b00020; font-weight: 600; }
QLabel#dialogTitle { font-size: 12pt; font-weight: 600; }
QLabel#meaningText { color: #1f3b57; font-style: italic; }
QToolBar { spacing: 8px; padding: 4px; border-bottom: 1px solid #d5d9de; }
QStatusBar QLabel { padding: 0 6px; }
"""


def apply(app: QApplication) -> None:
    if app.property("countersign_styled"):
        return
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
    app.setProperty("countersign_styled", True)
