"""Settings tab for the model: which GGUF (or a firm's server) answers, and how it runs.

Values go to the core one key at a time, which validates and saves each (settings.json) and
drops a model loaded with other settings, so the next question or draft reloads it. Spin-box
ranges are wide on purpose: the core owns the limits, and its refusal names the setting."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from agents.domain.events import Finished
from agents.services import Countersign
from desktop.tasks import Task, TaskRunner
from desktop.widgets.layout import caption, message_label, plain_tip, set_message

RELOAD_NOTE = "Saved. The model reloads with these settings at the next question or draft."


def _size(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB" if n else ""


def _spin(maximum: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    return box


class ModelTab(QWidget):
    def __init__(self, core: Countersign, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core, self._runner = core, runner
        self.dialog: QFileDialog | None = None
        self.task: Task | None = None
        self.models = QListWidget()
        self.use_button = QPushButton("Use this model")
        self.use_button.clicked.connect(self.use_selected)
        self.add_button = QPushButton("Add GGUF file…")
        self.add_button.setToolTip("Check a model file the firm supplies and list it here (the file is hashed)")
        self.add_button.clicked.connect(self.choose_file)
        self.n_threads, self.n_ctx, self.max_tokens = _spin(1024), _spin(1_048_576), _spin(1_048_576)
        self.n_ctx.setSingleStep(512)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 10.0)
        self.temperature.setSingleStep(0.1)
        self.server_url = QLineEdit()
        self.server_url.setPlaceholderText("empty: the local model above; or e.g. http://gpu-box:8080")
        self.save_button = QPushButton("Save model settings")
        self.save_button.clicked.connect(self.save)
        self.message = message_label()

        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        form = QFormLayout()
        form.addRow("Threads", self.n_threads)
        form.addRow("Context (tokens)", self.n_ctx)
        form.addRow("Answer length (max tokens)", self.max_tokens)
        form.addRow("Temperature", self.temperature)
        form.addRow("Model server URL", self.server_url)
        layout = QVBoxLayout(self)
        layout.addWidget(caption("Models (✓ in use)"))
        layout.addWidget(self.models, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.save_button)
        layout.addWidget(self.message)
        self.refresh()

    def fields(self) -> dict[str, str]:
        return {"n_threads": str(self.n_threads.value()), "n_ctx": str(self.n_ctx.value()),
                "max_tokens": str(self.max_tokens.value()), "temperature": f"{self.temperature.value():g}",
                "model_server_url": self.server_url.text().strip()}

    def refresh(self) -> None:
        s = self._core.settings
        self.n_threads.setValue(s.n_threads)
        self.n_ctx.setValue(s.n_ctx)
        self.max_tokens.setValue(s.max_tokens)
        self.temperature.setValue(s.temperature)
        self.server_url.setText(s.model_server_url)
        self.models.clear()
        try:
            entries = self._core.model_catalogue()
        except (ValueError, RuntimeError, OSError) as exc:  # e.g. an unreadable models.json
            set_message(self.message, f"Cannot list the models: {exc}", "error")
            return
        for e in entries:
            facts = ", ".join(x for x in (e.kind, e.status, e.architecture, e.quantization, _size(e.size_bytes)) if x)
            item = QListWidgetItem(f"{'✓ ' if e.active else '   '}{e.name} — {facts}")
            item.setData(Qt.ItemDataRole.UserRole, e.name)
            item.setToolTip(plain_tip("\n".join(x for x in (e.path, e.note) if x)))
            self.models.addItem(item)
            if e.active:
                self.models.setCurrentItem(item)

    def use_selected(self) -> None:
        item = self.models.currentItem()
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        try:
            self._core.use_model(name)
        except (ValueError, RuntimeError, OSError) as exc:  # not installed, changed, off the allow-list
            set_message(self.message, f"Not switched: {exc}", "error")
            return
        self.refresh()
        set_message(self.message, f"Now using {name}. " + RELOAD_NOTE.removeprefix("Saved. "))

    def save(self) -> None:
        current, saved = self._core.settings, []
        for key, value in self.fields().items():
            if value == str(getattr(current, key)) or (key == "temperature" and float(value) == current.temperature):
                continue
            try:
                self._core.change_setting(key, value)
            except ValueError as exc:  # SettingsError: "setting 'n_ctx': Input should be ..."
                set_message(self.message, f"Not saved: {exc}", "error")
                return
            saved.append(key)
        set_message(self.message, RELOAD_NOTE if saved else "Nothing changed.")

    # -- adding a file: hashing a multi-gigabyte GGUF takes a while, so it runs on the worker --
    def choose_file(self) -> None:
        self.dialog = QFileDialog(self, "Add a model file", str(Path.home()), "GGUF models (*.gguf);;All files (*)")
        self.dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.dialog.fileSelected.connect(lambda f: self.add_file(Path(f)))
        self.dialog.open()

    def add_file(self, path: Path) -> None:
        core = self._core
        self.add_button.setEnabled(False)
        set_message(self.message, f"Checking {path.name}…")
        self.task = self._runner.submit(f"Checking {path.name}", lambda cancel: iter([Finished(core.add_model(path))]))
        self.task.finished.connect(self._added)
        self.task.failed.connect(lambda text: self._add_ended(f"Not added: {text}", "error"))
        self.task.cancelled.connect(lambda: self._add_ended("Cancelled.", ""))

    def _added(self, record) -> None:
        self.refresh()
        self._add_ended(f"Added {record.name}; select it and press “Use this model”.", "")

    def _add_ended(self, text: str, kind: str) -> None:
        self.add_button.setEnabled(True)
        set_message(self.message, text, kind)
