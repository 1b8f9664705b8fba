"""Review: the matter's drafts; one draft section by section beside its evidence, with edits,
comments, flags and the section's verdict; the draft's verdict, sign-off, exports and audit history.

The view holds no review state of its own: every step goes to the core, and the screen is then
redrawn from the core's DraftReview, so what the reviewer sees is what the record says."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from agents.domain.draft_review import DraftReview
from agents.domain.drafts import Citation, Draft
from agents.domain.review_rules import DraftStatus, ReviewAction, allowed_actions
from agents.services import Countersign, ReviewConflict
from desktop.qt_models import DraftsModel
from desktop.tasks import TaskRunner
from desktop.widgets.audit_panel import AuditPanel
from desktop.widgets.draft_document import DraftDocument
from desktop.widgets.export_bar import ExportBar
from desktop.widgets.layout import caption, column, drafts_table, plain_tip, row
from desktop.widgets.review_header import ReviewHeader, plain_label
from desktop.widgets.section_list import SectionList
from desktop.widgets.section_review_pane import SectionReviewPane
from desktop.widgets.signoff_dialog import SignOffDialog
from desktop.widgets.source_viewer import open_source

_CORE_REFUSALS = (ValueError, LookupError, OSError)  # the core's refusals carry a message for the reviewer


class ReviewView(QWidget):
    """Signals:
        status_message(str): a line for the status bar.
    """

    status_message = Signal(str)

    def __init__(self, core: Countersign, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self._matter: str | None = None
        self.current: Draft | None = None
        self.state: DraftReview | None = None
        self.dialog: SignOffDialog | None = None  # the open sign-off dialog, for tests
        self.source_window = None

        self.model = DraftsModel(self)
        self.table = drafts_table(self.model)
        self.table.hideColumn(3)  # the creation time is in the header; the title needs the width
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.header = ReviewHeader()
        self.sections = SectionList()
        self.pane = SectionReviewPane()
        self.sources = self.pane.evidence  # the selected section's citations
        self.document = DraftDocument()  # the whole draft, as it will export
        self.audit = AuditPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.pane, "Sections")
        self.tabs.addTab(self.document, "Whole draft")
        self.tabs.addTab(self.audit, "Audit history")
        self.reviewer = QLineEdit(core.user or core.settings.reviewer_name)
        self.reviewer.setPlaceholderText("Your name")
        # Signed in to the firm workspace, everyone acts under their own account's name.
        self.reviewer.setReadOnly(bool(core.user))
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note for the preparer (required to send the draft back)")
        self.approve_button = QPushButton("Approve draft")
        self.changes_button = QPushButton("Request changes")
        self.sign_button = QPushButton("Sign off…")
        self.exports = ExportBar(core, runner, self.reviewer.text)
        self.message = plain_label()
        self.approve_button.clicked.connect(self.approve)
        self.changes_button.clicked.connect(self.request_changes)
        self.sign_button.clicked.connect(self.open_sign_off)
        self.exports.message.connect(self._say)
        self.exports.exported.connect(lambda _path: self._show_audit())
        self._connect_pane()
        self._lay_out()
        self._show(None)

    def _connect_pane(self) -> None:
        p, who = self.pane, lambda: self.reviewer.text()
        self.sections.section_chosen.connect(self._show_section)
        p.evidence.citation_opened.connect(self._open_source)
        p.panel.editing_changed.connect(lambda on: (self.table.setEnabled(not on), self.sections.setEnabled(not on)))
        seen = self._seen
        p.panel.edit_saved.connect(lambda key, body: self._apply(
            lambda d: self._core.edit_section(d, key, who(), body, seen=seen()).draft, "Edit saved; the diff shows it."))
        p.panel.approve_requested.connect(lambda key: self._apply(
            lambda d: self._core.approve_section(d, key, who(), seen=seen()), "Section approved.",
            then=lambda: self.sections.step(1)))
        p.panel.changes_requested.connect(lambda key, note: self._apply(
            lambda d: self._core.request_section_changes(d, key, who(), note, seen=seen()),
            "Changes requested on the section."))
        p.flags.fix_requested.connect(lambda key, i: self._apply(
            lambda d: self._core.resolve_flag(d, key, i, who(), fixed=True, seen=seen()), f"Flag {i} resolved as fixed."))
        p.flags.accept_requested.connect(lambda key, i, reason: self._apply(
            lambda d: self._core.resolve_flag(d, key, i, who(), accept_reason=reason, seen=seen()), f"Flag {i} accepted."))
        p.comments.comment_added.connect(lambda key, text: self._apply(
            lambda d: self._core.comment(d, key, who(), text), "Comment added.", then=p.comments.comment_saved))
        # Alt+Down / Alt+Up walk the sections from wherever focus is in this tab.
        for keys, by in (("Alt+Down", 1), ("Alt+Up", -1)):
            shortcut = QShortcut(QKeySequence(keys), self, lambda by=by: self.sections.isEnabled() and self.sections.step(by))
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _lay_out(self) -> None:
        left = column((caption("Drafts"), 0), (self.table, 2), (caption("Sections"), 0), (self.sections, 3))
        left.setMinimumWidth(320)
        who = row(QLabel("Reviewer"), (self.reviewer, 1), QLabel("Note"), (self.note, 2))
        # The export bar has its own row: beside the draft actions, at 1280 px its password field
        # was squeezed off the window's edge.
        actions = row(self.approve_button, self.changes_button, self.sign_button, None)
        detail = QWidget()
        box = QVBoxLayout(detail)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.header)
        box.addWidget(self.tabs, 1)
        box.addLayout(who)
        box.addLayout(actions)
        box.addWidget(self.exports)
        box.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(detail)
        split.setStretchFactor(1, 1)
        split.setSizes([400, 880])  # the list needs room for titles; the section and its evidence the rest
        split.setChildrenCollapsible(False)
        QVBoxLayout(self).addWidget(split)

    # -- which draft and section -------------------------------------------------------------
    def set_matter(self, matter: str | None) -> None:
        self._matter = matter
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        keep = select or (self.current.id if self.current else None)
        self.model.set_rows(self._core.drafts(self._matter) if self._matter else [])
        row = self.model.index_of(keep) if keep else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._show(None)

    def open_draft(self, draft_id: str) -> None:
        self.refresh(select=draft_id)

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = selected.indexes()
        self._show(self.model.row(rows[0].row()) if rows else None)

    def _show(self, draft: Draft | None) -> None:
        """Read the draft's review from the core; viewing signed work is audited there."""
        keep = self.sections.current_key()  # stays on the section across a refresh and a new version
        try:
            self.state = self._core.view_draft(draft.id, self.reviewer.text()) if draft else None
        except _CORE_REFUSALS as exc:
            self.state = None
            self._say(f"Could not open the draft: {exc}", "error")
        self.current = self.state.draft if self.state else None
        stale = self._core.stale_sources(self.current) if self.current else []
        self.header.show_review(self.state, stale)
        self.document.show_draft(self.current)
        self.exports.set_draft(self.current)
        self._show_audit()
        self.sections.show_sections(self.state.sections if self.state else (), keep)
        self._update_buttons()

    def _show_section(self, key: str) -> None:
        review = self.state.section(key) if self.state and key else None
        signed = self.current is not None and self.current.status is DraftStatus.SIGNED_OFF
        self.pane.show_section(review, self.current.status if self.current else DraftStatus.DRAFT,
                               self.state.superseded_by if self.state else "", resolvable=not signed)

    def _show_audit(self) -> None:
        self.audit.show_entries(self._core.audit_history(self.current.id) if self.current else [])

    def _update_buttons(self) -> None:
        allowed = allowed_actions(self.current.status) if self.current else []
        blockers = self.state.blockers if self.state else ()
        self.approve_button.setEnabled(ReviewAction.APPROVE in allowed)
        self.changes_button.setEnabled(ReviewAction.REQUEST_CHANGES in allowed)
        # A draft with work left (an open flag, a section not approved) cannot be signed; the
        # header lists why and the button's tooltip gives the whole list.
        self.sign_button.setEnabled(ReviewAction.SIGN_OFF in allowed and not blockers)
        self.sign_button.setToolTip(plain_tip("Before sign-off:\n" + "\n".join(blockers)) if blockers else
                                    "Sign with a stated meaning; the content hash goes into the audit log")

    def _open_source(self, c: Citation) -> None:
        self.source_window = open_source(self, self._core, c.document_id, c.page, c.char_start, c.char_end, c.filename)

    # -- actions -------------------------------------------------------------------------------
    def _say(self, text: str, kind: str = "") -> None:
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.status_message.emit(text)

    def _seen(self) -> int | None:
        """The revision of the draft as shown: a decision on it fails if someone changed it since."""
        return self.state.revision if self.state else None

    def _apply(self, action: Callable[[str], object], done: str, then: Callable[[], None] | None = None) -> bool:
        """Run a quick review step on the current draft; its refusal is shown, never raised.
        A step that returns a Draft (an edit of signed work returns the new version) is followed there."""
        if self.current is None:
            return False
        try:
            result = action(self.current.id)
        except ReviewConflict as exc:  # another reviewer's change won: show the draft as it is now
            self.refresh()
            self._say(str(exc), "error")
            return False
        except _CORE_REFUSALS as exc:
            self._say(str(exc), "error")
            return False
        self.refresh(select=result.id if isinstance(result, Draft) else None)
        if then is not None:
            then()
        self._say(done)
        return True

    def approve(self) -> None:
        note = self.note.text()
        self._apply(lambda d: self._core.approve_all(d, self.reviewer.text(), note, seen=self._seen()), "Draft approved.")

    def request_changes(self) -> None:
        if not self.note.text().strip():
            self._say("Write a note saying what should change before sending the draft back.", "error")
            return
        note = self.note.text()
        if self._apply(lambda d: self._core.request_changes(d, self.reviewer.text(), note, seen=self._seen()),
                       "Changes requested."):
            self.note.clear()

    def open_sign_off(self) -> None:
        if not self.current or not self.sign_button.isEnabled():
            return
        self.dialog = SignOffDialog(self.current, self._core.profiles(), self._core.policy(),
                                    self._core.work_product_domain(self.current), self.reviewer.text(), self)
        self.dialog.sign_requested.connect(lambda d=self.dialog: self._sign_off(d))
        self.dialog.open()

    def _sign_off(self, dialog: SignOffDialog) -> None:
        who, role, meaning = dialog.chosen_reviewer(), dialog.chosen_role(), dialog.chosen_meaning()
        try:  # the core refuses if the content changed since the dialog showed its hash
            self._core.sign_off(dialog.draft_id, who, role, meaning, expected_sha256=dialog.signed_sha256)
        except _CORE_REFUSALS as exc:
            dialog.refuse(str(exc))
            self._say(f"Not signed: {exc}", "error")
            return
        dialog.accept()
        self.reviewer.setText(who)
        self.refresh()
        waiting = self.state.awaiting if self.state and self.state.draft.status is not DraftStatus.SIGNED_OFF else ()
        self._say(f"Signed off by {who}." + (f" Still needed: {'; '.join(waiting)}" if waiting else ""))
