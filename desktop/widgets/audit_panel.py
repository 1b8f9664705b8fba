"""The draft's audit history: every recorded step (time, who, what) from the hash-chained log,
oldest first, in the firm's words rather than the log's action codes."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from agents.domain.audit import AuditEntry
from desktop.widgets.layout import plain_tip

ACTION_WORDS = {
    "draft.created": "drafted",
    "draft.submit": "submitted for review",
    "draft.approve": "approved the draft",
    "draft.request_changes": "requested changes to the draft",
    "draft.revise": "revised the draft",
    "draft.signed_off": "signed off",
    "draft.viewed": "viewed the signed draft",
    "draft.exported": "exported",
    "draft.new_version": "made a new version",
    "section.approved": "approved a section",
    "section.changes_requested": "requested changes to a section",
    "section.edited": "edited a section",
    "section.commented": "commented",
    "flag.resolved": "resolved a flag",
    "package.imported": "imported a review package",
}


def action_words(entry: AuditEntry) -> str:
    return ACTION_WORDS.get(entry.action, entry.action)


def detail_words(entry: AuditEntry) -> str:
    """The few facts of an entry a reviewer reads (which section, how a flag was settled, which
    format); hashes and the rest stay in the log, which `countersign verify` checks."""
    try:
        d = json.loads(entry.detail or "{}")
    except ValueError:
        return ""
    if not isinstance(d, dict):
        return ""
    parts = [f"section '{d['section']}'"] if d.get("section") else []
    if entry.action == "flag.resolved":
        parts.append(f"flag {d.get('flag')}: {d.get('resolution', '')}" + (f" — {d['reason']}" if d.get("reason") else ""))
    for key, label in (("note", "note"), ("format", "format"), ("meaning", "meaning"), ("role", "role"),
                       ("version", "version"), ("supersedes", "from")):
        if d.get(key) not in (None, ""):
            parts.append(f"{label}: {d[key]}")
    if d.get("awaiting"):
        parts.append("still needs " + "; ".join(d["awaiting"]))
    return " · ".join(parts)


class AuditPanel(QTableWidget):
    """Read-only; `show_entries` replaces the rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["Time (UTC)", "Who", "What", "Detail"])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def show_entries(self, entries: list[AuditEntry]) -> None:
        self.setRowCount(len(entries))
        for row, e in enumerate(entries):
            # QTableWidgetItem shows plain text: names, notes and reasons are never markup here.
            for col, text in enumerate((e.at.replace("T", " ")[:19], e.actor, action_words(e), detail_words(e))):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_tip(text))
                self.setItem(row, col, item)
        self.scrollToBottom()  # the latest step is what the reviewer just did

    def rows(self) -> list[tuple[str, str, str, str]]:
        """What the table shows, row by row (for tests and the screenshot script)."""
        return [tuple(self.item(r, c).text() for c in range(4)) for r in range(self.rowCount())]
