"""Review: the matter's drafts, one draft section by section, review actions, sign-off, export."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from agents.domain.drafts import Draft
from agents.domain.review_rules import DraftStatus, ReviewAction, allowed_actions
from agents.services import Countersign
from desktop.qt_models import DraftsModel, draft_status_label, short_time
from desktop.widgets.draft_document import DraftDocument
from desktop.widgets.signoff_dialog import SignOffDialog
from desktop.widgets.source_viewer import open_source

_EXPORT_FILTERS = {"docx": "Word document (*.docx)", "md": "Markdown (*.md)"}


def _plain_label(kind: str = "") -> QLabel:
    label = QLabel("")
    label.setTextFormat(Qt.TextFormat.PlainText)  # draft titles and notes are user/model text
    label.setWordWrap(True)
    label.setProperty("kind", kind)
    return label


class ReviewView(QWidget):
    """Signals:
        status_message(str): a line for the status bar.
    """

    status_message = Signal(str)

    def __init__(self, core: Countersign, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self._matter: str | None = None
        self.current: Draft | None = None
        self.dialog: SignOffDialog | QFileDialog | None = None  # the open dialog, for tests
        self.last_export: Path | None = None

        self.model = DraftsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setMinimumWidth(320)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the file name's end visible
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.title = _plain_label("title")
        self.status_label = _plain_label("status")
        self.meta = _plain_label("muted")
        self.document = DraftDocument()
        # Every citation of the draft; Enter or a double-click opens its page in the source viewer.
        self.sources = QListWidget()
        self.sources.setMaximumHeight(120)
        self.sources.setToolTip("Open a citation's page with the passage highlighted (Enter or double-click)")
        self.sources.itemActivated.connect(self._open_source)
        self.source_window = None
        self.reviewer = QLineEdit(core.settings.reviewer_name)
        self.reviewer.setPlaceholderText("Your name")
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note for the preparer (required to request changes)")
        self.message = _plain_label()

        self.approve_button = QPushButton("Approve")
        self.changes_button = QPushButton("Request changes")
        self.sign_button = QPushButton("Sign off…")
        self.export_docx_button = QPushButton("Export DOCX…")
        self.export_md_button = QPushButton("Export Markdown…")
        self.approve_button.clicked.connect(self.approve)
        self.changes_button.clicked.connect(self.request_changes)
        self.sign_button.clicked.connect(self.open_sign_off)
        self.export_docx_button.clicked.connect(lambda: self.choose_export("docx"))
        self.export_md_button.clicked.connect(lambda: self.choose_export("md"))

        who = QHBoxLayout()
        who.addWidget(QLabel("Reviewer"))
        who.addWidget(self.reviewer, 1)
        who.addWidget(QLabel("Note"))
        who.addWidget(self.note, 2)
        actions = QHBoxLayout()
        for b in (self.approve_button, self.changes_button, self.sign_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.export_docx_button)
        actions.addWidget(self.export_md_button)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.title)
        detail_layout.addWidget(self.status_label)
        detail_layout.addWidget(self.meta)
        detail_layout.addWidget(self.document, 1)
        detail_layout.addWidget(self.sources)
        detail_layout.addLayout(who)
        detail_layout.addLayout(actions)
        detail_layout.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([440, 840])  # the list needs room for titles; the draft takes the rest
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self._show(None)

    # -- state -------------------------------------------------------------------------------
    def _open_source(self, item: QListWidgetItem) -> None:
        c = item.data(Qt.ItemDataRole.UserRole)
        self.source_window = open_source(self, self._core, c.document_id, c.page, c.char_start, c.char_end, c.filename)

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
        self.current = draft
        if draft is not None and draft.status is DraftStatus.SIGNED_OFF:
            try:  # looking at signed work is on the record, as the CLI's `review show` is
                self._core.view_draft(draft.id, self.reviewer.text())
            except (ValueError, LookupError, OSError, sqlite3.Error) as exc:
                self._say(f"Could not record this view in the audit log: {exc}", "error")
        self.document.show_draft(draft)
        self.sources.clear()
        for section in draft.sections if draft else ():
            for c in section.citations:
                item = QListWidgetItem(f"{section.heading} [{c.number}] — {c.location}")
                item.setData(Qt.ItemDataRole.UserRole, c)
                self.sources.addItem(item)
        if draft is None:
            self.title.setText("No draft selected")
            self.status_label.setText("")
            self.meta.setText("Run a work product in the Drafts tab; its draft appears here for review.")
        else:
            self.title.setText(draft.title)
            self.status_label.setText(f"Status: {draft_status_label(draft.status)}")
            signed = [s for s in draft.signoffs if s.content_sha256 == draft.content_sha256]
            signed_text = "".join(f" · signed by {s.reviewer} ({s.role}, {s.meaning}) {short_time(s.signed_at)}"
                                  for s in signed)
            stale = "".join(f"\nStale: {note}" for note in self._core.stale_sources(draft))
            self.meta.setText(f"Prepared by {draft.preparer} with {draft.model_id} · {short_time(draft.created_at)} · "
                              f"{draft.flag_count} flag(s) · SHA-256 {draft.content_sha256[:16]}…{signed_text}{stale}")
        allowed = allowed_actions(draft.status) if draft else []
        self.approve_button.setEnabled(ReviewAction.APPROVE in allowed)
        self.changes_button.setEnabled(ReviewAction.REQUEST_CHANGES in allowed)
        self.sign_button.setEnabled(ReviewAction.SIGN_OFF in allowed)
        self.export_docx_button.setEnabled(draft is not None)
        self.export_md_button.setEnabled(draft is not None)

    def _say(self, text: str, kind: str = "") -> None:
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.status_message.emit(text)

    def _apply(self, action, done: str) -> bool:
        """Run a quick review action on the core; its refusal is shown, never raised."""
        try:
            updated = action()
        except (ValueError, LookupError, OSError) as exc:
            self._say(str(exc), "error")
            return False
        self.refresh(select=getattr(updated, "id", None))
        self._say(done)
        return True

    # -- actions -------------------------------------------------------------------------------
    def approve(self) -> None:
        if self.current:
            draft_id, who = self.current.id, self.reviewer.text()
            self._apply(lambda: self._core.approve_all(draft_id, who, self.note.text()), "Draft approved.")

    def request_changes(self) -> None:
        if not self.current:
            return
        if not self.note.text().strip():
            self._say("Write a note saying what should change before sending the draft back.", "error")
            return
        draft_id, who, note = self.current.id, self.reviewer.text(), self.note.text()
        if self._apply(lambda: self._core.request_changes(draft_id, who, note), "Changes requested."):
            self.note.clear()

    def open_sign_off(self) -> None:
        if not self.current or not self.sign_button.isEnabled():
            return
        self.dialog = SignOffDialog(self.current, self.reviewer.text(), self)
        self.dialog.accepted.connect(lambda d=self.dialog: self._sign_off(d))
        self.dialog.open()

    def _sign_off(self, dialog: SignOffDialog) -> None:
        who = dialog.reviewer.text()
        self.reviewer.setText(who)
        # The core refuses if the content changed since the dialog showed its hash.
        self._apply(lambda: self._core.sign_off(dialog.draft_id, who, dialog.chosen_role(), dialog.chosen_meaning(),
                                                expected_sha256=dialog.signed_sha256), f"Signed off by {who.strip()}.")

    def choose_export(self, fmt: str) -> None:
        if not self.current:
            return
        default = self._core.paths.exports / f"{self.current.id}-v{self.current.version}.{fmt}"
        self.dialog = QFileDialog(self, "Export draft", str(default), _EXPORT_FILTERS[fmt])
        self.dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.dialog.setDefaultSuffix(fmt)
        self.dialog.fileSelected.connect(lambda path: self.export_to(fmt, Path(path)))
        self.dialog.open()

    def export_to(self, fmt: str, path: Path | None = None) -> Path | None:
        if not self.current:
            return None
        draft_id, who = self.current.id, self.reviewer.text().strip()
        try:
            self.last_export = self._core.export(draft_id, fmt, path, actor=who)
        except (ValueError, LookupError, OSError) as exc:
            self._say(f"Export failed: {exc}", "error")
            return None
        self._say(f"Exported to {self.last_export}")
        return self.last_export
