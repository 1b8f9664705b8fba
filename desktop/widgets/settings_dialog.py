"""The settings window (Ctrl+,): profiles, firm policy, model, data directory, firm servers and
appearance.

Each tab saves through the core as it is used; there is no dialog-wide OK, so a refusal on one
tab never throws away what another saved."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QTabWidget, QVBoxLayout,
                               QWidget)

from agents.services import Countersign
from desktop.style import THEMES
from desktop.tasks import TaskRunner
from desktop.widgets.settings_firm import FirmTab
from desktop.widgets.settings_model import ModelTab
from desktop.widgets.settings_people import PolicyTab, ProfilesTab
from desktop.widgets.window_state import FILENAME

DATA_DIR_HELP = ("To use another data directory, start Countersign with --data-dir DIR, or set the environment "
                 "variable COUNTERSIGN_DATA_DIR. COUNTERSIGN_MODELS_DIR shares one models folder between data "
                 "directories. Each data directory keeps its own matters, drafts, audit log, settings and window "
                 f"layout ({FILENAME}).")


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class DataTab(QWidget):
    """Read-only: the data directory is chosen before the window opens, never from inside it."""

    def __init__(self, core: Countersign, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = _selectable(str(core.paths.root))
        self.source = _selectable(core.data_dir_source())
        self.models_dir = _selectable(str(core.paths.models))
        form = QFormLayout(self)
        form.addRow("Data directory", self.data_dir)
        form.addRow("Chosen by", self.source)
        form.addRow("Models folder", self.models_dir)
        self.help = _selectable(DATA_DIR_HELP)
        self.help.setProperty("kind", "muted")
        form.addRow(self.help)


class AppearanceTab(QWidget):
    """Signals: theme_changed(str): one of desktop.style.THEMES."""

    theme_changed = Signal(str)

    def __init__(self, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = QComboBox()
        for t in THEMES:
            self.theme.addItem({"system": "Follow the system", "light": "Light", "dark": "Dark"}[t], t)
        self.theme.setCurrentIndex(max(self.theme.findData(theme), 0))
        self.theme.currentIndexChanged.connect(lambda _i: self.theme_changed.emit(self.theme.currentData()))
        form = QFormLayout(self)
        form.addRow("Theme", self.theme)


class SettingsDialog(QDialog):
    """Signals: theme_changed(str), from the Appearance tab."""

    theme_changed = Signal(str)

    def __init__(self, core: Countersign, runner: TaskRunner, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(720, 560)  # not a fixed minimum: the layout's, wide enough for every tab, must win
        self.profiles = ProfilesTab(core)
        self.policy = PolicyTab(core)
        self.model = ModelTab(core, runner)
        self.data = DataTab(core)
        self.firm = FirmTab(core, runner)
        self.appearance = AppearanceTab(theme)
        self.appearance.theme_changed.connect(self.theme_changed)
        self.tabs = QTabWidget()
        # Every tab's name in view: behind a scroll arrow, a tab is a setting nobody finds.
        self.tabs.setUsesScrollButtons(False)
        for tab, name in ((self.profiles, "Profiles and roles"), (self.policy, "Firm policy"), (self.model, "Model"),
                          (self.data, "Data directory"), (self.firm, "Firm servers"), (self.appearance, "Appearance")):
            self.tabs.addTab(tab, name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
