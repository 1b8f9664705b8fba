"""Export buttons for the draft under review: Markdown, DOCX, PDF and, for a contract review,
the contract as a redline (tracked-changes DOCX). Each export runs on a task runner: a PDF
takes a second or more, and the window must not freeze while it is set."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from agents.domain.drafts import Draft
from agents.domain.events import Finished
from agents.services import Countersign
from desktop.tasks import Task, TaskRunner

# format -> (button, save-dialog filter, file suffix)
FORMATS = {
    "md": ("Markdown…", "Markdown (*.md)", "md"),
    "docx": ("DOCX…", "Word document (*.docx)", "docx"),
    "pdf": ("PDF…", "PDF document (*.pdf)", "pdf"),
    "redline-docx": ("Redline…", "Word document with tracked changes (*.docx)", "docx"),
}
REDLINE_WORK_PRODUCTS = ("contract-review",)  # the memos whose findings carry fallback wording


class ExportBar(QWidget):
    """Signals:
        exported(object): the Path written; its export is in the audit log.
        message(str, str): a line for the view, and its kind ("" or "error").
    """

    exported = Signal(object)
    message = Signal(str, str)

    def __init__(self, core: Countersign, runner: TaskRunner, actor: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core, self._runner, self._actor = core, runner, actor
        self._draft: Draft | None = None
        self.task: Task | None = None
        self.dialog: QFileDialog | None = None  # the open save dialog, for tests
        self.last_export: Path | None = None
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Export"))
        for fmt, (label, _, _) in FORMATS.items():
            button = QPushButton(label)
            button.clicked.connect(lambda _checked=False, fmt=fmt: self.choose(fmt))
            row.addWidget(button)
            self.buttons[fmt] = button
        self.buttons["redline-docx"].setToolTip("The contract as DOCX with the memo's suggested revisions as tracked changes")
        # Sealing is the core's (AES-256-GCM, scrypt); the bar only carries the password to it.
        self.protect = QCheckBox("Password")
        self.protect.setToolTip("Seal the exported file with a password (open it with `countersign decrypt`)")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("at least 8 characters")
        self.password.setMinimumWidth(180)
        self.password.setEnabled(False)
        self.protect.toggled.connect(self.password.setEnabled)
        row.addWidget(self.protect)
        row.addWidget(self.password)
        row.addStretch(1)
        self.set_draft(None)

    @property
    def busy(self) -> bool:
        return self.task is not None and self.task.active

    def set_draft(self, draft: Draft | None) -> None:
        self._draft = draft
        for fmt, button in self.buttons.items():
            button.setVisible(fmt != "redline-docx" or (draft is not None and draft.work_product in REDLINE_WORK_PRODUCTS))
            button.setEnabled(draft is not None and not self.busy)

    def choose(self, fmt: str) -> None:
        """Ask where to save, then export there."""
        if self._draft is None or self.busy:
            return
        _, file_filter, suffix = FORMATS[fmt]
        tail = "-redline" if fmt == "redline-docx" else ""
        default = self._core.paths.exports / f"{self._draft.id}-v{self._draft.version}{tail}.{suffix}"
        self.dialog = QFileDialog(self, "Export draft", str(default), file_filter)
        self.dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.dialog.setDefaultSuffix(suffix)
        self.dialog.fileSelected.connect(lambda path: self.export_to(fmt, Path(path)))
        self.dialog.open()

    def export_to(self, fmt: str, path: Path | None = None) -> Task | None:
        """Export in the background (`path` None: the exports folder); the outcome arrives as a message."""
        if self._draft is None or self.busy:
            return None
        core, draft_id, actor = self._core, self._draft.id, self._actor().strip()
        password = self.password.text() if self.protect.isChecked() else None
        if password is not None and path is not None and path.suffix != ".sealed":
            path = path.with_name(path.name + ".sealed")  # the name says it will not open as a plain file

        def job(_cancel):
            yield Finished(core.export(draft_id, fmt, path, actor=actor, password=password))

        self.task = self._runner.submit(f"Exporting {fmt}", job)
        self.task.finished.connect(self._done)
        self.task.failed.connect(lambda text: self.message.emit(f"Export failed: {text}", "error"))
        self.task.ended.connect(lambda: self.set_draft(self._draft))
        self.set_draft(self._draft)
        self.message.emit(f"Exporting {fmt}…", "")
        return self.task

    def _done(self, path: Path) -> None:
        self.last_export = path
        self.message.emit(f"Exported to {path}", "")
        self.exported.emit(path)
