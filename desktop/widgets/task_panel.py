"""A progress bar, an outcome line and a Cancel button that follow one background task."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from desktop.tasks import Task


class TaskPanel(QWidget):
    """Shows the state of the task it watches; views own the task, the panel only observes.

    Signals:
        message(str): a line for the window's status bar.
        idle(): the watched task ended, whatever the outcome.
    """

    message = Signal(str)
    idle = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self.label = QLabel("")
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote file names or errors
        self.bar = QProgressBar()
        self.bar.ensurePolished()  # room for "1234 of 5678" in the stylesheet's font, whatever its size
        self.bar.setFixedWidth(self.bar.fontMetrics().horizontalAdvance("0" * 28))
        self.bar.setTextVisible(True)
        self.bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current step (Esc)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)

    @property
    def busy(self) -> bool:
        return self._task is not None and self._task.active

    def watch(self, task: Task, waiting: str) -> None:
        """Follow `task`. Connect a view's own finished handler after this call so its
        outcome line ('3 files indexed') replaces the generic 'Done.'."""
        self._task = task
        self._set_text(waiting if task.state == "queued" else task.name + "…")
        self.bar.setRange(0, 0)  # indeterminate until the task reports a total
        self.bar.show()
        self.cancel_button.setEnabled(True)
        name = task.name  # captured by value: a lambda holding the task would keep it alive
        task.started.connect(lambda: self._set_text(name + "…"))
        task.progress.connect(self._on_progress)
        task.finished.connect(lambda _result: self._end("Done.", ""))
        task.cancelled.connect(lambda: self._end("Cancelled.", ""))
        task.failed.connect(lambda text: self._end(f"Failed: {text}", "error"))

    def cancel(self) -> bool:
        """Ask the watched task to stop; returns whether there was one to stop."""
        if not self.busy:
            return False
        self._task.cancel()
        self.cancel_button.setEnabled(False)
        self._set_text("Cancelling after the current step…")
        return True

    def show_outcome(self, text: str, kind: str = "") -> None:
        """For views to report what a finished task produced (e.g. '3 files indexed')."""
        self._set_text(text, kind)
        self.message.emit(text)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
            self.bar.setFormat(f"{done} of {total}")
        if text and self._task is not None:
            self._set_text(f"{self._task.name}: {text}")

    def _end(self, text: str, kind: str) -> None:
        self.bar.hide()
        self.cancel_button.setEnabled(False)
        self._task = None
        self.show_outcome(text, kind)
        self.idle.emit()

    def _set_text(self, text: str, kind: str = "") -> None:
        # The property drives the stylesheet's colour, so errors stand out without HTML.
        self.label.setProperty("kind", kind)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)
        self.label.setText(text)
