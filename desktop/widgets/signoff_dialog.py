"""The sign-off dialog: says what signing means, shows the exact content hash being signed, and
lets only someone with a profile sign, in the role the firm recorded for them.

The firm's policy is checked here as the signer is chosen, so a refusal is read before the
click; the core checks again when signing (and has the last word), and whatever it refuses is
shown in the dialog, which stays open so the reviewer can pick someone else or cancel."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget)

from agents.domain.drafts import Draft
from agents.domain.review_rules import SIGN_OFF_MEANINGS
from agents.domain.signoff_policy import Profile, SignOffPolicy, signer_refusal

# What the reviewer attests to under each meaning; shown verbatim before they sign.
MEANING_TEXT = {
    "reviewed": "I have reviewed this work product against its cited evidence and accept it as prepared.",
    "approved": "I approve this work product for release to the client under my name.",
}
NO_PROFILES = ("Nobody has a signing profile yet, so no signature could be attributed. Add one first: "
               "countersign profile add \"Full Name\" --initials FN --role reviewer")


def _plain(text: str, kind: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # titles and names come from documents and users
    label.setWordWrap(True)
    label.setProperty("kind", kind)
    return label


class SignOffDialog(QDialog):
    """Signals:
        sign_requested(): Sign off was pressed; the caller signs through the core, then calls
            accept() on success or refuse(message) with the core's reason.
    """

    sign_requested = Signal()

    def __init__(self, draft: Draft, profiles: list[Profile], policy: SignOffPolicy, domain: str,
                 reviewer: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign off draft")
        self.setMinimumWidth(640)
        self.draft_id = draft.id
        self.signed_sha256 = draft.content_sha256
        self._profiles = {p.name: p for p in profiles}
        self._policy, self._domain = policy, domain

        title = _plain(f"{draft.title} — version {draft.version}")
        title.setObjectName("dialogTitle")
        self.meaning = QComboBox()
        for m in SIGN_OFF_MEANINGS:
            self.meaning.addItem(m, m)
        self.meaning_text = _plain("")
        self.meaning_text.setObjectName("meaningText")
        self.meaning.currentIndexChanged.connect(self._show_meaning)
        self.reviewer = QComboBox()  # only people with a profile sign: nothing to type, nothing to misspell
        for p in profiles:
            self.reviewer.addItem(f"{p.name} ({p.initials})", p.name)
        self.reviewer.setCurrentIndex(max(self.reviewer.findData(reviewer.strip()), 0))
        self.role = _plain("")
        self.sha = QLabel(self.signed_sha256)
        self.sha.setTextFormat(Qt.TextFormat.PlainText)
        self.sha.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.sha.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("Meaning", self.meaning)
        form.addRow("", self.meaning_text)
        form.addRow("Signer", self.reviewer)
        form.addRow("Role", self.role)
        form.addRow("Content SHA-256", self.sha)
        allowed = " or ".join(policy.roles_for(domain)) or "nobody"
        self.rule = _plain(f"Firm policy: {allowed} may sign {domain} work products"
                      + ("; two different people must sign" if policy.second_reviewer else "")
                      + ("; someone who neither prepared nor edited it must sign" if policy.maker_checker else "")
                      + ".", "muted")
        self.refusal = _plain("", "error")  # why this signer cannot sign, from the policy or the core
        notice = _plain("Signing records this hash in the audit log and freezes this version: any later edit "
                        "makes a new version that needs its own sign-off.", "muted")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = self.buttons.addButton("Sign off", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.sign_requested)  # accept() only once the core signed
        self.buttons.rejected.connect(self.reject)
        self.reviewer.currentIndexChanged.connect(self._check_signer)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.rule)
        layout.addWidget(self.refusal)
        layout.addWidget(notice)
        layout.addWidget(self.buttons)
        self._show_meaning()
        self._check_signer()

    def chosen_meaning(self) -> str:
        return self.meaning.currentData()

    def chosen_reviewer(self) -> str:
        return self.reviewer.currentData() or ""

    def chosen_role(self) -> str:
        profile = self._profiles.get(self.chosen_reviewer())
        return profile.role if profile else ""

    def refuse(self, message: str) -> None:
        """Show why the core would not sign; the dialog stays open."""
        self.refusal.setText(message)

    def _show_meaning(self) -> None:
        self.meaning_text.setText(MEANING_TEXT.get(self.chosen_meaning(), ""))

    def _check_signer(self) -> None:
        name = self.chosen_reviewer()
        self.role.setText(self.chosen_role() or "—")
        why = signer_refusal(self._policy, self._profiles.get(name), name, self._domain) if name else NO_PROFILES
        self.refusal.setText(why or "")
        self.sign_button.setEnabled(why is None)
