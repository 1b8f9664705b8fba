"""Settings tabs for people and policy: the firm's profiles (who may sign, in which role) and
its sign-off policy. Both are stored in the database and every change is an audited write."""
from __future__ import annotations

from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from agents.domain.signoff_policy import DOMAINS, ROLES, SignOffPolicy
from agents.services import Countersign
from desktop.widgets.layout import message_label, set_message


class ProfilesTab(QWidget):
    def __init__(self, core: Countersign, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Name", "Initials", "Role"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Full name, as it will appear on sign-offs")
        self.initials = QLineEdit()
        self.initials.setMaxLength(4)
        self.initials.setPlaceholderText("e.g. MV")
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(r, r)
        self.add_button = QPushButton("Add profile")
        self.add_button.clicked.connect(self.add)
        self.message = message_label()

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Initials", self.initials)
        form.addRow("Role", self.role)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Only people with a profile can sign off; their role decides which work they may sign."))
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.add_button)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        people = self._core.profiles()
        self.table.setRowCount(len(people))
        for row, p in enumerate(people):
            for col, text in enumerate((p.name, p.initials, p.role)):
                self.table.setItem(row, col, QTableWidgetItem(text))  # items show plain text

    def add(self) -> None:
        try:
            p = self._core.add_profile(self.name.text(), self.initials.text().strip(), self.role.currentData())
        except (ValueError, PermissionError) as exc:  # the core says which field, or who may, and why
            set_message(self.message, f"Not added: {exc}", "error")
            return
        self.name.clear()
        self.initials.clear()
        self.refresh()
        set_message(self.message, f"Added {p.name} ({p.initials}) as {p.role}.")


class PolicyTab(QWidget):
    """The roles that may sign each domain's work, and the two independence rules. Save sends
    each changed key to the core, which records who changed it in the audit chain."""

    def __init__(self, core: Countersign, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        grid = QGridLayout()
        for col, role in enumerate(ROLES, start=1):
            grid.addWidget(QLabel(role), 0, col)
        self.signers: dict[tuple[str, str], QCheckBox] = {}
        for row, domain in enumerate(DOMAINS, start=1):
            grid.addWidget(QLabel(domain), row, 0)
            for col, role in enumerate(ROLES, start=1):
                self.signers[domain, role] = box = QCheckBox()
                box.setToolTip(f"A {role} may sign {domain} work products")
                grid.addWidget(box, row, col)
        who = QGroupBox("Roles allowed to sign, by work-product domain")
        who.setLayout(grid)
        self.second_reviewer = QCheckBox("Two different people must sign the same content (second reviewer)")
        self.maker_checker = QCheckBox("Someone who neither prepared nor edited the draft must sign (maker-checker)")
        self.actor = QLineEdit(core.settings.reviewer_name)
        self.actor.setPlaceholderText("Your name, recorded with the change in the audit log")
        self.save_button = QPushButton("Save policy")
        self.save_button.clicked.connect(self.save)
        self.message = message_label()

        actor_row = QHBoxLayout()
        actor_row.addWidget(QLabel("Changed by"))
        actor_row.addWidget(self.actor, 1)
        layout = QVBoxLayout(self)
        for w in (who, self.second_reviewer, self.maker_checker):
            layout.addWidget(w)
        layout.addLayout(actor_row)
        layout.addWidget(self.save_button)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.show_policy(core.policy())

    def show_policy(self, policy: SignOffPolicy) -> None:
        for (domain, role), box in self.signers.items():
            box.setChecked(role in policy.roles_for(domain))
        self.second_reviewer.setChecked(policy.second_reviewer)
        self.maker_checker.setChecked(policy.maker_checker)

    def changes(self) -> list[tuple[str, str]]:
        """(key, value) as `countersign policy set` takes them, for what differs from the stored policy."""
        policy, out = self._core.policy(), []
        for domain in DOMAINS:
            roles = tuple(r for r in ROLES if self.signers[domain, r].isChecked())
            if roles != tuple(r for r in ROLES if r in policy.roles_for(domain)):
                out.append((f"signers.{domain}", ",".join(roles)))
        for key, box in (("second_reviewer", self.second_reviewer), ("maker_checker", self.maker_checker)):
            if box.isChecked() != getattr(policy, key):
                out.append((key, "on" if box.isChecked() else "off"))
        return out

    def save(self) -> None:
        changes, saved = self.changes(), 0
        for key, value in changes:
            try:
                self._core.set_policy(key, value, self.actor.text())
            except (ValueError, PermissionError) as exc:  # kept on screen with the edits, to correct them
                done = f"Saved {saved} change(s); then " if saved else ""
                set_message(self.message, f"{done}refused: {exc}", "error")
                return
            saved += 1
        self.show_policy(self._core.policy())
        set_message(self.message, f"Saved {saved} change(s) to the audit log." if saved else "Nothing changed.")
