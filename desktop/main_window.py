"""The main window: a matter selector, the four views as tabs, a menu, a status bar and shortcuts."""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QMainWindow, QTabWidget, QToolBar, QWidget

from agents.services import Countersign, WarmUpReport
from desktop import style
from desktop.tasks import Task, TaskRunner
from desktop.views.ask_view import AskView
from desktop.views.drafts_view import DraftsView
from desktop.views.library_view import LibraryView
from desktop.views.review_view import ReviewView
from desktop.widgets.settings_dialog import SettingsDialog
from desktop.widgets.window_state import WindowState

STATUS_TIMEOUT_MS = 8000
log = logging.getLogger("countersign.desktop")


class MainWindow(QMainWindow):
    """Owns the task runners for its lifetime; views only submit to them."""

    def __init__(self, core: Countersign, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core, self.runner = core, runner
        # Exports need no model: on a runner of their own they never wait behind a draft being written.
        self.export_runner = TaskRunner()
        self.warm_up_runner: TaskRunner | None = None  # started by warm_up(), after the window shows
        self.warm_up_task: Task | None = None
        self._closing = False
        # A firm build names the firm, so a window is never mistaken for another firm's install.
        self.setWindowTitle(f"Countersign — {core.firm.name}" if core.firm.active else "Countersign")
        self.resize(1180, 760)

        self.library = LibraryView(core, runner)
        self.ask = AskView(core, runner)
        self.drafts = DraftsView(core, runner)
        self.review = ReviewView(core, self.export_runner)
        self.tabs = QTabWidget()
        for view, name in ((self.library, "Library"), (self.ask, "Ask"), (self.drafts, "Drafts"),
                           (self.review, "Review")):
            self.tabs.addTab(view, name)
            view.status_message.connect(self.show_message)
        self.setCentralWidget(self.tabs)

        self.matter_box = QComboBox()
        self.matter_box.setMinimumContentsLength(36)
        self.matter_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.matter_box.currentIndexChanged.connect(self._on_matter_changed)
        toolbar = QToolBar("Matter")
        toolbar.setObjectName("matterToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel("Matter"))
        toolbar.addWidget(self.matter_box)
        self.addToolBar(toolbar)

        self.activity = QLabel("Ready")
        self.activity.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.activity)
        runner.busy_changed.connect(self._on_busy)

        self.settings_dialog: SettingsDialog | None = None
        self.show_archived = QAction("Show archived matters", self)
        self.show_archived.setCheckable(True)
        self.show_archived.toggled.connect(lambda _on: self.reload_matters())
        self._menus()

        self.library.matter_created.connect(self.reload_matters)
        self.library.matters_changed.connect(self.reload_matters)
        self.library.documents_changed.connect(self.drafts.refresh_documents)
        self.drafts.draft_created.connect(self.open_for_review)
        self.library.welcome.try_question.connect(self.try_question)
        self._shortcuts()
        self.reload_matters()
        self.state = WindowState(core.paths.root)
        self.state.restore(self, self.tabs)

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        settings = file_menu.addAction("&Settings…", self.open_settings)
        settings.setShortcut(QKeySequence("Ctrl+,"))
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit", self.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.menuBar().addMenu("&View").addAction(self.show_archived)

    def _shortcuts(self) -> None:
        # Window-wide so they work whichever widget has focus.
        for i in range(4):
            QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self, lambda i=i: self.tabs.setCurrentIndex(i))
        QShortcut(QKeySequence.StandardKey.Open, self, self._add_files)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._ask)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel_current)

    # -- matters -----------------------------------------------------------------------------
    def current_matter(self) -> str | None:
        return self.matter_box.currentData()

    def reload_matters(self, select: str | None = None) -> None:
        """Refill the selector from the core, keeping (or moving to) the chosen matter."""
        wanted = select or self.current_matter()
        self.matter_box.blockSignals(True)
        self.matter_box.clear()
        # Archived matters stay out of the way unless asked for, and then say that they are archived.
        active = {m.id for m in self.core.matters(include_archived=False)}
        for m in self.core.matters():
            if m.id in active or self.show_archived.isChecked():
                self.matter_box.addItem(m.name if m.id in active else f"{m.name} (archived)", m.name)
        index = max(self.matter_box.findData(wanted), 0) if self.matter_box.count() else -1
        self.matter_box.setCurrentIndex(index)
        self.matter_box.blockSignals(False)
        self._on_matter_changed()

    def _on_matter_changed(self, *_args) -> None:
        matter = self.current_matter()
        for view in (self.library, self.ask, self.drafts, self.review):
            view.set_matter(matter)

    # -- cross-view flow ---------------------------------------------------------------------
    def open_for_review(self, draft_id: str) -> None:
        self.review.open_draft(draft_id)
        self.tabs.setCurrentWidget(self.review)

    def try_question(self, question: str) -> None:
        """The welcome's suggestion, put in Ask for the user to send (it may wait for the seed)."""
        self.ask.question.setPlainText(question)
        self.tabs.setCurrentWidget(self.ask)
        self.ask.question.setFocus()

    def cancel_current(self) -> None:
        view = self.tabs.currentWidget()
        if hasattr(view, "cancel") and view.cancel():
            self.show_message("Cancelling…")

    def _add_files(self) -> None:
        self.tabs.setCurrentWidget(self.library)
        self.library.choose_files()

    def _ask(self) -> None:
        if self.tabs.currentWidget() is self.ask:
            self.ask.ask()

    def open_settings(self) -> None:
        # Non-modal, like every dialog here, so the event loop and background work carry on.
        self.settings_dialog = SettingsDialog(self.core, self.runner, self.state.theme(), self)
        self.settings_dialog.theme_changed.connect(self.set_theme)
        self.settings_dialog.open()

    def set_theme(self, theme: str) -> None:
        self.state.set_theme(theme)
        style.apply(QApplication.instance(), theme)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_TIMEOUT_MS)

    def _on_busy(self, busy: bool, name: str) -> None:
        self.activity.setText(f"Working: {name}…" if busy else "Ready")

    def warm_up(self) -> Task | None:
        """Load the heavy libraries (torch, sentence-transformers, chromadb, llama.cpp) now, so no
        ingestion, search or answer pays for them. app.main calls it once the window is up."""
        if self._closing or self.warm_up_task is not None:
            return self.warm_up_task
        # A runner of its own, so the worker's queue (ingest, answers) never waits behind it.
        self.warm_up_runner = TaskRunner()
        self.warm_up_task = self.warm_up_runner.submit("Loading libraries", self.core.warm_up)
        self.warm_up_task.finished.connect(self._on_warmed_up)
        return self.warm_up_task

    def _on_warmed_up(self, report: WarmUpReport) -> None:
        # Quiet in the window: a part that failed here is loaded, and its error shown, at first use.
        log.info("warmed up %s in %.1fs; not loaded: %s", ", ".join(report.loaded), report.seconds,
                 "; ".join(f"{name} ({why})" for name, why in report.failed) or "none")

    def shutdown(self) -> None:
        """Stop every runner's worker; safe to call more than once. A warm-up stops after its
        current step (one import), which the close waits for: a running thread must not be destroyed."""
        self._closing = True
        self.runner.shutdown()
        self.export_runner.shutdown()
        if self.warm_up_runner is not None:
            self.warm_up_runner.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.state.save(self, self.tabs)
        # The window goes at once; then the background work stops, which may wait for the step under
        # way (an import, a batch of vectors): a running QThread must not be destroyed.
        self.hide()
        self.shutdown()
        super().closeEvent(event)
