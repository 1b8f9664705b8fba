"""The application's look: Fusion everywhere, so the window is the same on every OS, a light or
dark palette, and a small stylesheet in the same colours. Labels carry a `kind` property that
the stylesheet colours."""
from __future__ import annotations

from string import Template

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

STYLESHEET = Template("""
QWidget { font-size: 10pt; }
QTabWidget::pane { border: 1px solid $border; border-radius: 4px; top: -1px; }
QTabBar::tab { padding: 6px 18px; border: 1px solid $border; border-bottom: none;
               border-top-left-radius: 4px; border-top-right-radius: 4px; background: $raised; margin-right: 2px; }
QTabBar::tab:selected { background: palette(base); font-weight: 600; }
QPushButton { padding: 5px 14px; }
QTableView { gridline-color: $grid; }
QHeaderView::section { padding: 4px 6px; background: $raised; border: none;
                       border-right: 1px solid $divider; border-bottom: 1px solid $border; font-weight: 600; }
QLabel[kind="caption"] { font-weight: 600; color: $accent; }
QLabel[kind="title"] { font-size: 13pt; font-weight: 600; color: $accent; }
QLabel[kind="status"] { font-weight: 600; }
QLabel[kind="muted"] { color: $muted; }
QLabel[kind="warning"] { color: $warning; }
QLabel[kind="error"] { color: $error; font-weight: 600; }
QLabel#dialogTitle { font-size: 12pt; font-weight: 600; }
QLabel#meaningText { color: $accent; font-style: italic; }
QFrame#welcome { border: 1px solid $border; border-radius: 4px; background: $raised; padding: 4px; }
QToolBar { spacing: 8px; padding: 4px; border-bottom: 1px solid $divider; }
QStatusBar QLabel { padding: 0 6px; }
""")

COLOURS = {
    "light": {"border": "#c8ccd2", "raised": "#eef0f3", "grid": "#e2e5e9", "divider": "#d5d9de", "accent": "#1f3b57",
              "muted": "#5f6670", "warning": "#7a4a00", "error": "#b00020"},
    "dark": {"border": "#4a4f57", "raised": "#2b2f36", "grid": "#3a3f46", "divider": "#454a52", "accent": "#9cc3e6",
             "muted": "#a0a7b0", "warning": "#e0a84a", "error": "#ff7a85"},
}

_DARK_ROLES = {
    QPalette.ColorRole.Window: "#1f2227", QPalette.ColorRole.WindowText: "#e6e6e6", QPalette.ColorRole.Base: "#16181c",
    QPalette.ColorRole.AlternateBase: "#24272d", QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#2b2f36",
    QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3d6fa8",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2b2f36",
    QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#8a9099",
    QPalette.ColorRole.Link: "#8ab4f8", QPalette.ColorRole.BrightText: "#ff7a85",
}


def resolve(theme: str, scheme: Qt.ColorScheme | None = None) -> str:
    """'system' follows the desktop's colour scheme (light where the platform reports none)."""
    if theme == "system":
        scheme = QGuiApplication.styleHints().colorScheme() if scheme is None else scheme
        return "dark" if scheme == Qt.ColorScheme.Dark else "light"
    return theme if theme in COLOURS else "light"


def palette(app: QApplication, shade: str) -> QPalette:
    if shade == "light":
        return app.style().standardPalette()
    pal = QPalette()
    for role, colour in _DARK_ROLES.items():
        pal.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7078"))
    return pal


def apply(app: QApplication, theme: str = "system", scheme: Qt.ColorScheme | None = None) -> None:
    """Idempotent: the window, tests and the screenshot script may each call it. With 'system',
    a change of the desktop's scheme while the app runs (a dark mode at dusk) re-applies it."""
    shade = resolve(theme, scheme)
    if (app.property("countersign_theme"), app.property("countersign_shade")) != (theme, shade):
        app.setStyle("Fusion")
        app.setPalette(palette(app, shade))
        app.setStyleSheet(STYLESHEET.substitute(COLOURS[shade]))
        app.setProperty("countersign_theme", theme)
        app.setProperty("countersign_shade", shade)
    if not app.property("countersign_follows_system"):
        app.styleHints().colorSchemeChanged.connect(lambda new: _scheme_changed(app, new))
        app.setProperty("countersign_follows_system", True)


def _scheme_changed(app: QApplication, scheme: Qt.ColorScheme) -> None:
    if app.property("countersign_theme") == "system":  # an explicit light or dark choice stays
        apply(app, "system", scheme)
