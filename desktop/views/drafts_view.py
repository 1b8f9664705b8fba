"""Drafts: choose a work product and its document, run the agent, watch it work, cancel."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from agents.domain.drafts import Draft
from agents.domain.events import Flag
from agents.domain.library import DocumentStatus
from agents.services import Countersign
from desktop.tasks import Task, TaskRunner
from desktop.widgets.layout import column, plain_tip, reading_pane, side_by_side
from desktop.widgets.task_panel import TaskPanel


class DraftsView(QWidget):
    """Signals:
        draft_created(str): a draft was saved; its id, so the window can open it for review.
        status_message(str): a line for the status bar.
    """

    draft_created = Signal(str)
    status_message = Signal(str)

    def __init__(self, core: Countersign, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core, self._runner = core, runner
        self._matter: str | None = None
        self._task: Task | None = None
        self._heading = ""  # the section heading last written to the output
        self._templates = core.templates()
        self._fields: dict[str, QLineEdit | QComboBox] = {}

        self.work_product = QComboBox()
        for key, template in sorted(self._templates.items(), key=lambda kv: (kv[1].domain, kv[1].title)):
            self.work_product.addItem(f"{template.title} ({template.domain})", key)
            self.work_product.setItemData(self.work_product.count() - 1, template.description, Qt.ItemDataRole.ToolTipRole)
        self.work_product.setCurrentIndex(max(0, self.work_product.findData("contract-review")))
        self.document = QComboBox()
        self.document.setMinimumContentsLength(40)
        self.work_product.setMinimumContentsLength(40)
        self.document.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.run_button = QPushButton("Run draft")
        self.run_button.setToolTip("The agent drafts; you review and sign off in the Review tab")
        self.run_button.clicked.connect(self.run)
        self.hint = QLabel("")
        self.hint.setProperty("kind", "muted")

        self.steps = QListWidget()
        self.steps.setWordWrap(True)  # the plan names every section: wrapped, not cut off at the edge
        self.output = reading_pane("The agent's findings stream here as it writes them.")

        self.panel = TaskPanel()
        self.panel.message.connect(self.status_message)
        self.panel.idle.connect(self._update_buttons)

        form = QFormLayout()
        form.addRow("Work product", self.work_product)
        form.addRow("Document", self.document)
        self._form = form
        self.work_product.currentIndexChanged.connect(self._build_inputs)
        top = QHBoxLayout()
        top.addLayout(form)
        top.addWidget(self.run_button, 0, Qt.AlignmentFlag.AlignBottom)
        top.addStretch(1)
        split = side_by_side(column((QLabel("Steps"), 0), (self.steps, 1)),
                             column((QLabel("Agent output (a draft, not yet reviewed)"), 0), (self.output, 1)), 2, 3)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)
        layout.addWidget(self.panel)
        self._build_inputs()
        self._update_buttons()

    def _build_inputs(self) -> None:
        """One field per input the template takes besides its first document: thresholds and
        text as line edits prefilled with their defaults, a playbook as a choice."""
        while self._form.rowCount() > 2:
            self._form.removeRow(2)
        self._fields.clear()
        template = self._templates.get(self.work_product.currentData())
        if template is None:
            return
        first = next((i.name for i in template.inputs if i.type in ("document", "table")), None)
        self.document.setEnabled(first is not None)  # e.g. a tax memo works from the whole matter
        for spec in template.inputs:
            if spec.name == first or spec.type in ("document", "documents", "table"):
                continue
            if spec.type == "playbook":
                field = QComboBox()
                field.setEditable(True)  # a firm playbook is given by its file path
                field.addItems(["commercial", "nda"])
                field.setCurrentText(str(spec.default or "commercial"))
            else:
                field = QLineEdit("" if spec.default is None else str(spec.default))
                field.setPlaceholderText(spec.help or spec.label)
            field.setToolTip(plain_tip(spec.help or spec.label))
            self._fields[spec.name] = field
            self._form.addRow(spec.label, field)

    def inputs(self) -> dict[str, str]:
        return {name: (f.currentText() if isinstance(f, QComboBox) else f.text()).strip()
                for name, f in self._fields.items()}

    def set_matter(self, matter: str | None) -> None:
        self._matter = matter
        self.refresh_documents()

    def refresh_documents(self) -> None:
        """Only indexed documents can be drafted from; keep the user's choice if it still exists."""
        keep = self.document.currentData()
        self.document.clear()
        docs = self._core.documents(self._matter) if self._matter else []
        for d in docs:
            if d.status is DocumentStatus.INDEXED:
                self.document.addItem(f"{d.filename}  ({d.pages} p.)", d.filename)
        index = self.document.findData(keep)
        if index >= 0:
            self.document.setCurrentIndex(index)
        self.hint.setText("" if self.document.count() else "Add and index a document in the Library first.")
        self.hint.setVisible(not self.document.count())
        self._update_buttons()

    def select_document(self, filename: str) -> bool:
        index = self.document.findData(filename)
        if index >= 0:
            self.document.setCurrentIndex(index)
        return index >= 0

    def cancel(self) -> bool:
        return self.panel.cancel()

    def _update_buttons(self) -> None:
        self.run_button.setEnabled(bool(self._matter and self.document.count()) and not self.panel.busy)

    def run(self) -> None:
        if not self.run_button.isEnabled():
            return
        matter, product = self._matter, self.work_product.currentData()
        filename = self.document.currentData() if self.document.isEnabled() else None
        self.steps.clear()
        self.output.clear()
        self._heading = ""
        name = f"Drafting {self.work_product.currentText().lower()}"
        given = self.inputs()
        self._task = self._runner.submit(
            name, lambda cancel: self._core.draft(matter, product, filename, cancel=cancel, inputs=given))
        self.panel.watch(self._task, "Waiting for the running task (the draft is queued)…")
        self._task.step.connect(self._on_step)
        self._task.flag.connect(self._on_flag)
        self._task.token.connect(self._append)
        self._task.finished.connect(self._on_finished)
        self._update_buttons()

    def _add_step(self, name: str, detail: str) -> QListWidgetItem:
        item = QListWidgetItem(f"{name} — {detail}" if detail else name)
        self.steps.addItem(item)
        self.steps.scrollToItem(item)
        return item

    def _on_step(self, name: str, detail: str) -> None:
        self._add_step(name, detail)
        # A section's heading once, above its text: its later steps (locating the clause...) and
        # the plan are listed in Steps only.
        if name in ("plan", self._heading):
            return
        self._heading = name
        if self.output.document().characterCount() > 1:
            self._append("\n\n")
        self._append(f"{name}\n")

    def _on_flag(self, flag: Flag) -> None:
        item = self._add_step(f"⚑ {flag.section}: {flag.message}", "")
        item.setForeground(QColor("#7a4a00") if flag.severity != "info" else QColor("#555555"))

    def _append(self, text: str) -> None:
        cursor = self.output.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.output.setTextCursor(cursor)
        self.output.ensureCursorVisible()

    def _on_finished(self, draft: Draft) -> None:
        self._add_step(f"Saved draft with {draft.flag_count} flag(s) to resolve", "")
        self.panel.show_outcome(f"Draft saved: {draft.title}. Opening it for review.")
        self.draft_created.emit(draft.id)
