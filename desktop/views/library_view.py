"""Library: the matter's documents with their ingestion status; adding files or folders (by
dialog or by dropping them on the table); renaming and archiving the matter."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFileDialog, QHeaderView, QInputDialog, QLabel,
                               QPushButton, QVBoxLayout, QWidget)

from agents.domain.events import FileIngested
from agents.domain.library import DocumentStatus
from agents.services import SAMPLE_MATTER, Countersign
from desktop.qt_models import STATUS_LABELS, DocumentsModel
from desktop.tasks import Task, TaskRunner
from desktop.widgets.drop_table import DropTable
from desktop.widgets.layout import row
from desktop.widgets.task_panel import TaskPanel
from desktop.widgets.welcome_panel import WelcomePanel

if TYPE_CHECKING:  # the desktop talks to agents.services and agents.domain only
    from agents.services import IngestReport, ReembedReport

FILE_FILTER = "Documents (*.pdf *.docx *.xlsx *.xlsm *.csv *.txt *.md);;All files (*)"
# A re-embed runs in slices of this many seconds, each resuming the last: the one worker runs
# tasks in order, so a question asked meanwhile waits for one slice, not the whole matter.
REEMBED_SLICE_S = 30.0
# What "Problems only" keeps: every file that did not make it into the index, with its reason.
FINE = (DocumentStatus.INDEXED, DocumentStatus.UNCHANGED)


class LibraryView(QWidget):
    """Signals:
        matter_created(str): a matter now exists (made here or seeded) and should be selected.
        matters_changed(str): a matter was renamed or (un)archived; select this name if still shown.
        documents_changed(): the current matter's documents changed.
        status_message(str): a line for the status bar.
    """

    matter_created = Signal(str)
    matters_changed = Signal(str)
    documents_changed = Signal()
    status_message = Signal(str)

    def __init__(self, core: Countersign, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core, self._runner = core, runner
        self._matter: str | None = None
        self._archived = False
        self.dialog: QFileDialog | QInputDialog | None = None  # the open dialog, for tests

        self.add_files_button = QPushButton("Add files…")
        self.add_files_button.setToolTip("Add documents to this matter (Ctrl+O)")
        self.add_folder_button = QPushButton("Add folder…")
        self.add_folder_button.setToolTip("Add every supported document in a folder; unchanged files are skipped")
        self.new_matter_button = QPushButton("New matter…")
        self.add_files_button.clicked.connect(self.choose_files)
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.new_matter_button.clicked.connect(self.choose_matter_name)
        self.rename_button = QPushButton("Rename matter…")
        self.rename_button.clicked.connect(self.choose_new_name)
        self.archive_button = QPushButton("Archive matter")
        self.archive_button.setToolTip("Hide the matter from the selector (View › Show archived matters); nothing is deleted")
        self.archive_button.clicked.connect(self.toggle_archived)
        self.problems_only = QCheckBox("Problems only")
        self.problems_only.setToolTip("Only files that were not indexed (encrypted, corrupt, unsupported, …), with why")
        self.problems_only.toggled.connect(lambda _on: self.refresh())
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)

        self.model = DocumentsModel(self)
        self.table = DropTable()
        self.table.setToolTip("Drop files or folders here to add them to the matter")
        self.table.paths_dropped.connect(self.add_paths)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)

        self.panel = TaskPanel()
        self.panel.message.connect(self.status_message)
        self.panel.idle.connect(self._update_buttons)

        self.welcome = WelcomePanel()  # shown only while a first run seeds the sample matter

        layout = QVBoxLayout(self)
        layout.addLayout(row(self.add_files_button, self.add_folder_button, self.new_matter_button, self.rename_button,
                             self.archive_button, None, self.problems_only, self.summary))
        for widget, stretch in ((self.welcome, 0), (self.table, 1), (self.panel, 0)):
            layout.addWidget(widget, stretch)
        self._update_buttons()

    # -- state -------------------------------------------------------------------------------
    def set_matter(self, matter: str | None) -> None:
        self._matter = matter
        self.refresh()

    def refresh(self) -> None:
        docs = self._core.documents(self._matter) if self._matter else []
        problems = [d for d in docs if d.status not in FINE]
        self.model.set_rows(problems if self.problems_only.isChecked() else docs)
        indexed = sum(1 for d in docs if d.status is DocumentStatus.INDEXED)
        self.summary.setText(f"{len(docs)} document(s), {indexed} indexed, {len(problems)} with problems"
                             if self._matter else "No matter selected")
        self._archived = bool(self._matter) and self._core.is_archived(self._matter)
        self.archive_button.setText("Restore matter" if self._archived else "Archive matter")
        self._update_buttons()

    def _update_buttons(self) -> None:
        can_add = self._matter is not None and not self.panel.busy
        self.add_files_button.setEnabled(can_add)
        self.add_folder_button.setEnabled(can_add)
        self.table.accepting = can_add
        for b in (self.rename_button, self.archive_button):  # not mid-ingest: the task names the matter
            b.setEnabled(can_add)

    def cancel(self) -> bool:
        return self.panel.cancel()

    # -- dialogs (opened non-modally so the event loop, and tests, keep running) ---------------
    def choose_files(self) -> None:
        if not self.add_files_button.isEnabled():
            return
        self.dialog = QFileDialog(self, "Add documents to the matter", str(Path.home()), FILE_FILTER)
        self.dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        self.dialog.filesSelected.connect(lambda files: self.add_paths([Path(f) for f in files]))
        self.dialog.open()

    def choose_folder(self) -> None:
        if not self.add_folder_button.isEnabled():
            return
        self.dialog = QFileDialog(self, "Add a folder to the matter", str(Path.home()))
        self.dialog.setFileMode(QFileDialog.FileMode.Directory)
        self.dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        self.dialog.fileSelected.connect(lambda folder: self.add_paths([Path(folder)]))
        self.dialog.open()

    def choose_matter_name(self) -> None:
        self.dialog = QInputDialog(self)
        self.dialog.setWindowTitle("New matter")
        self.dialog.setLabelText("Matter name (client and engagement):")
        self.dialog.textValueSelected.connect(self.create_matter)
        self.dialog.open()

    def choose_new_name(self) -> None:
        self.dialog = QInputDialog(self)
        self.dialog.setWindowTitle("Rename matter")
        self.dialog.setLabelText("New name (its documents, drafts and audit history stay with it):")
        self.dialog.setTextValue(self._matter)
        self.dialog.textValueSelected.connect(self.rename_matter)
        self.dialog.open()

    # -- actions -------------------------------------------------------------------------------
    def rename_matter(self, name: str) -> None:
        old = self._matter
        if old is None or name.strip() == old:
            return
        try:
            renamed = self._core.rename_matter(old, name, self._core.settings.reviewer_name)
        except ValueError as exc:  # empty, or another matter's name
            self.panel.show_outcome(f"Could not rename the matter: {exc}", "error")
            return
        self.matters_changed.emit(renamed.name)
        self.panel.show_outcome(f"Renamed “{old}” to “{renamed.name}”.")

    def toggle_archived(self) -> None:
        matter, archive = self._matter, not self._archived
        if matter is None:
            return
        self._core.archive_matter(matter, archive, self._core.settings.reviewer_name)
        self.matters_changed.emit(matter)  # still selected if archived matters are shown
        self.panel.show_outcome(f"Archived “{matter}”." if archive else f"Restored “{matter}”.")

    def create_matter(self, name: str) -> None:
        name = name.strip()
        if not name:
            return
        try:
            self._core.create_matter(name)
        except ValueError as exc:  # an empty or duplicate name; the core's message says which
            self.panel.show_outcome(f"Could not create the matter: {exc}", "error")
            return
        self.matter_created.emit(name)

    def add_paths(self, paths: list[Path]) -> None:
        if not paths or self._matter is None:
            return
        matter = self._matter
        task = self._runner.submit(f"Indexing {len(paths)} item(s)",
                                   lambda cancel: self._core.ingest(matter, paths, cancel=cancel))
        self._follow(task, matter)

    def seed_sample_matter(self) -> None:
        """First run: create and index the sample matter so every view has something real, and
        say above the table what it is and what to try."""
        self.welcome.show()
        task = self._runner.submit("Preparing the sample matter", lambda cancel: self._core.ensure_sample_matter(cancel))
        # The matter exists once the job starts (the factory creates it before indexing).
        task.started.connect(lambda: self.matter_created.emit(SAMPLE_MATTER))
        task.finished.connect(lambda _report: self.welcome.set_ready())
        self._follow(task, SAMPLE_MATTER)

    def reembed_pending(self) -> None:
        """Re-embed, in the background, each matter still searching with another embedder than
        the setting; searches keep using its old vectors until the new ones are complete."""
        pending = self._core.pending_reembeds()
        if not pending or self.panel.busy:
            return
        matter, embedder = pending[0], self._core.settings.embedder
        task = self._runner.submit(f"Re-embedding {matter} with {embedder}",
                                   lambda cancel: self._core.reembed(matter, cancel, max_seconds=REEMBED_SLICE_S))
        self.panel.watch(task, "Waiting for the running task to finish…")
        self._update_buttons()
        # Connected after the panel's own handler, so the panel is idle when the next slice starts.
        task.finished.connect(lambda report: self._on_reembed_slice(matter, report))

    def _on_reembed_slice(self, matter: str, report: "ReembedReport") -> None:
        if report.complete:
            self.panel.show_outcome(f"{matter}: searches now use {report.embedder}")
        self.reembed_pending()  # the next slice, or the next matter

    def _follow(self, task: Task, matter: str) -> None:
        self.panel.watch(task, "Waiting for the running task to finish…")
        self._update_buttons()
        task.file.connect(lambda f: self._on_file(f, matter))
        task.finished.connect(self._on_finished)
        task.cancelled.connect(self.refresh)

    def _on_file(self, outcome: FileIngested, matter: str) -> None:
        if matter == self._matter:
            self.refresh()
            self.documents_changed.emit()
        if outcome.status not in (DocumentStatus.INDEXED, DocumentStatus.UNCHANGED):
            self.status_message.emit(f"{Path(outcome.path).name}: {STATUS_LABELS[outcome.status]} — {outcome.reason}")

    def _on_finished(self, report: "IngestReport | None") -> None:
        self.refresh()
        self.documents_changed.emit()
        if report is not None and report.files:  # None: the sample matter already existed
            indexed, unchanged = report.count(DocumentStatus.INDEXED), report.count(DocumentStatus.UNCHANGED)
            failed = len(report.files) - indexed - unchanged
            self.panel.show_outcome(f"{indexed} indexed, {unchanged} unchanged, {failed} not indexed",
                                    "warning" if failed else "")
