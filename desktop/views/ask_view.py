"""Ask: a question about the matter, the answer streaming in, and the passages it cites; the
answer copied with its sources, and the matter's conversation exported as Markdown or DOCX."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from agents.services import Countersign
from desktop.tasks import Task, TaskRunner
from desktop.widgets.layout import caption, column, reading_pane, side_by_side
from desktop.widgets.source_viewer import open_source
from desktop.widgets.task_panel import TaskPanel

if TYPE_CHECKING:  # the desktop talks to agents.services and agents.domain only
    from agents.services import Answer


class AskView(QWidget):
    """Signals:
        status_message(str): a line for the status bar.
    """

    status_message = Signal(str)

    def __init__(self, core: Countersign, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core, self._runner = core, runner
        self._matter: str | None = None
        self._task: Task | None = None
        self.answer_value: Answer | None = None
        self.conversation: list[Answer] = []  # this matter's answers, in order, for the export
        self.dialog: QFileDialog | None = None

        self.question = QPlainTextEdit()
        self.question.setPlaceholderText("Ask about this matter's documents, e.g. “What is the governing law?”")
        # Sized in lines of its own font, not pixels, so it holds the same text at any font size
        # (ensurePolished: the stylesheet's font, not the default, decides the height).
        self.question.ensurePolished()
        margins = 2 * (self.question.frameWidth() + int(self.question.document().documentMargin()))
        self.question.setFixedHeight(int(self.question.fontMetrics().lineSpacing() * 3.5) + margins)
        self.question.setTabChangesFocus(True)
        self.ask_button = QPushButton("Ask")
        self.ask_button.setToolTip("Ask the question (Ctrl+Enter)")
        self.ask_button.setDefault(True)
        self.ask_button.clicked.connect(self.ask)
        self.question.textChanged.connect(self._update_buttons)

        # Model output is shown only through plain-text APIs, never interpreted as HTML.
        self.answer = reading_pane("The answer appears here as it is written, with numbered citations.")
        self.citations = QListWidget()
        self.citations.currentItemChanged.connect(self._show_passage)
        self.citations.itemActivated.connect(lambda _: self.open_source())
        self.open_button = QPushButton("Open source")
        self.open_button.setToolTip("Show the cited page with the passage highlighted (Enter or double-click)")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_source)
        self.source_window = None
        self.no_citation = QLabel("")
        self.no_citation.setProperty("kind", "warning")
        self.no_citation.setWordWrap(True)
        self.no_citation.hide()
        self.passage = reading_pane("Select a citation to read the passage it points to.")
        self.copy_button = QPushButton("Copy answer")
        self.copy_button.setToolTip("Copy the answer with its numbered sources")
        self.copy_button.clicked.connect(self.copy_answer)
        self.export_button = QPushButton("Export conversation…")
        self.export_button.setToolTip("Every question and answer on this matter, with the passages cited, as Markdown or Word")
        self.export_button.clicked.connect(self.choose_export_file)

        self.panel = TaskPanel()
        self.panel.message.connect(self.status_message)
        self.panel.idle.connect(self._update_buttons)

        ask_row = QHBoxLayout()
        ask_row.addWidget(self.question, 1)
        ask_row.addWidget(self.ask_button, 0, Qt.AlignmentFlag.AlignTop)
        answer_row = QWidget()
        answer_buttons = QHBoxLayout(answer_row)
        answer_buttons.setContentsMargins(0, 0, 0, 0)
        answer_buttons.addWidget(self.copy_button)
        answer_buttons.addWidget(self.export_button)
        answer_buttons.addStretch(1)
        split = side_by_side(column((caption("Answer"), 0), (self.answer, 1), (answer_row, 0)),
                             column((caption("Cited passages"), 0), (self.citations, 1), (self.no_citation, 0),
                                    (caption("Passage"), 0), (self.passage, 2), (self.open_button, 0)), 3, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(ask_row)
        layout.addWidget(split, 1)
        layout.addWidget(self.panel)
        self._update_buttons()

    def set_matter(self, matter: str | None) -> None:
        if matter != self._matter:
            self.conversation = []  # a conversation belongs to one matter
        self._matter = matter
        self._update_buttons()

    def cancel(self) -> bool:
        return self.panel.cancel()

    def _update_buttons(self) -> None:
        self.ask_button.setEnabled(bool(self._matter and self.question.toPlainText().strip()) and not self.panel.busy)
        self.copy_button.setEnabled(self.answer_value is not None)
        self.export_button.setEnabled(bool(self.conversation) and not self.panel.busy)

    def ask(self) -> None:
        if not self.ask_button.isEnabled():
            return
        matter, question = self._matter, self.question.toPlainText().strip()
        self.answer.clear()
        self.citations.clear()
        self.passage.clear()
        self.no_citation.hide()
        self.answer_value = None
        self._task = self._runner.submit("Answering", lambda cancel: self._core.ask(matter, question, cancel=cancel))
        self.panel.watch(self._task, "Waiting for the running task (the question is queued)…")
        self._task.step.connect(lambda name, detail: self.panel.show_outcome(f"Answering: {detail}"))
        self._task.token.connect(self._append)
        self._task.finished.connect(self._show_answer)
        self._update_buttons()

    def _append(self, text: str) -> None:
        cursor = self.answer.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.answer.setTextCursor(cursor)
        self.answer.ensureCursorVisible()

    def _show_answer(self, answer: Answer) -> None:
        self.answer_value = answer
        self.conversation.append(answer)
        self.answer.setPlainText(answer.text)  # the final, trimmed text replaces the stream
        by_number = {n: p for n, p in enumerate(answer.passages, start=1)}
        for c in answer.citations:
            warning = answer.warning(c.number)  # the passage reads as instructions to a model
            item = QListWidgetItem(f"[{c.number}] {c.location}" + (f"  ⚠ {warning}" if warning else ""))
            passage = by_number.get(c.number)
            item.setData(Qt.ItemDataRole.UserRole, passage.chunk.text if passage else "")
            item.setData(Qt.ItemDataRole.UserRole + 1, passage)
            self.citations.addItem(item)
        if answer.citations:
            self.citations.setCurrentRow(0)
            self.panel.show_outcome(f"Answered with {len(answer.citations)} citation(s).")
        else:
            self.no_citation.setText("The answer cites no passage. Treat it as unsupported and check the documents.")
            self.no_citation.show()
            self.panel.show_outcome("Answered without citations.", "warning")
        self._update_buttons()  # the panel went idle before this answer arrived

    def _show_passage(self, item: QListWidgetItem | None) -> None:
        self.passage.setPlainText(item.data(Qt.ItemDataRole.UserRole) if item else "")
        self.open_button.setEnabled(bool(item and item.data(Qt.ItemDataRole.UserRole + 1)))

    def open_source(self) -> None:
        item = self.citations.currentItem()
        passage = item.data(Qt.ItemDataRole.UserRole + 1) if item else None
        if passage is None:
            return
        c = passage.chunk
        self.source_window = open_source(self, self._core, c.document_id, c.page, c.char_start, c.char_end,
                                         passage.filename)

    # -- copy and export -----------------------------------------------------------------------
    def copy_answer(self) -> None:
        if self.answer_value is not None:
            QGuiApplication.clipboard().setText(self._core.answer_text(self.answer_value))
            self.status_message.emit("Answer copied with its sources.")

    def choose_export_file(self) -> None:
        if not self.conversation:
            return
        self.dialog = QFileDialog(self, "Export the conversation", str(self._core.paths.exports / "conversation.md"),
                                  "Markdown (*.md);;Word document (*.docx)")
        self.dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.dialog.fileSelected.connect(lambda f: self.export_to(Path(f), self.dialog.selectedNameFilter()))
        self.dialog.open()

    def export_to(self, path: Path, name_filter: str = "") -> Path | None:
        """The format follows the file's suffix, else the filter chosen in the dialog."""
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("md", "docx"):
            fmt = "docx" if "docx" in name_filter else "md"
            path = path.with_name(f"{path.name}.{fmt}")
        try:
            out = self._core.export_conversation(self._matter, self.conversation, fmt, path,
                                                 self._core.settings.reviewer_name)
        except (ValueError, LookupError, OSError) as exc:  # e.g. a folder that cannot be written
            self.panel.show_outcome(f"Not exported: {exc}", "error")
            return None
        self.panel.show_outcome(f"Exported {len(self.conversation)} answer(s) to {out}")
        return out
