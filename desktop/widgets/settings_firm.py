"""Settings tab for firm mode: the workspace and vector server addresses, and a check that
this machine reaches each server the settings name (`countersign server check`).

A check connects over the network and may wait seconds for a server that is down, so it runs on
the task runner; the window never waits for it. Addresses are checked as typed, before saving.
The passwords and the token are never typed here: they come from the environment."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from agents.domain.events import Finished
from agents.services import Countersign
from desktop.tasks import Task, TaskRunner
from desktop.widgets.layout import message_label, set_message

FIRM_HELP = ("Empty fields: single-user mode, everything in this data directory. The workspace's password "
             "comes from COUNTERSIGN_WORKSPACE_PASSWORD (or ~/.pgpass), the vector server's token from "
             "COUNTERSIGN_VECTOR_SERVER_TOKEN; the model server is on the Model tab. A saved change takes "
             "effect when Countersign next starts.")
FIELDS = (("workspace_url", "Workspace (PostgreSQL)", "e.g. postgresql://countersign@10.0.0.5/countersign"),
          ("vector_server_url", "Vector server", "e.g. https://vectors.firm.internal"))


class FirmTab(QWidget):
    def __init__(self, core: Countersign, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core, self._runner = core, runner
        self.task: Task | None = None
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        self.who = QLabel(f"Signed in as {core.user}" if core.user else "Single-user mode: nobody signs in")
        form.addRow("Account", self.who)
        for key, label, hint in FIELDS:
            field = QLineEdit(getattr(core.settings, key))
            field.setPlaceholderText(hint)
            self.fields[key] = field
            form.addRow(label, field)
        self.check_button = QPushButton("Check servers")
        self.check_button.setToolTip("Connect to each server these settings name and report its version")
        self.check_button.clicked.connect(self.check)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.results = message_label()  # the servers' own words, never markup
        self.message = message_label()
        self.help = message_label()
        self.help.setText(FIRM_HELP)
        self.help.setProperty("kind", "muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addLayout(buttons)
        box.addWidget(self.results)
        box.addWidget(self.message)
        box.addWidget(self.help)
        box.addStretch(1)

    def typed(self) -> dict[str, str]:
        return {key: field.text().strip() for key, field in self.fields.items()}

    def check(self) -> Task | None:
        if self.task is not None and self.task.active:
            return None
        core, typed = self._core, self.typed()

        def job(_cancel):
            yield Finished(core.check_servers(**typed))

        self.check_button.setEnabled(False)
        self.results.setText("Checking…")
        self.task = self._runner.submit("Checking the firm's servers", job)
        self.task.finished.connect(self._show)
        self.task.failed.connect(lambda text: set_message(self.message, f"Check failed: {text}", "error"))
        self.task.ended.connect(lambda: self.check_button.setEnabled(True))
        return self.task

    def _show(self, checks) -> None:
        if not checks:
            self.results.setText("No server is named: single-user mode.")
            return
        self.results.setText("\n".join(
            f"{'OK' if c.ok else 'FAILED'}  {c.server}  {c.address}  {c.version or ''}  {c.detail}" for c in checks))

    def save(self) -> None:
        saved = []
        for key, value in self.typed().items():
            if value == getattr(self._core.settings, key):
                continue
            try:
                self._core.change_setting(key, value)
            except ValueError as exc:  # "setting 'workspace_url': ... holds a password ..."
                set_message(self.message, f"Not saved: {exc}", "error")
                return
            saved.append(key)
        set_message(self.message, "Saved; Countersign uses it from its next start." if saved else "Nothing changed.")
