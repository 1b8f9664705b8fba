"""SQLite store for per-section review: status and agent text, edits, comments, flag resolutions.
Callers write inside the review service's transaction, with the audit entry for the change."""
from __future__ import annotations

from agents.domain.drafts import Draft
from agents.domain.section_review import (FlagResolution, Resolution, ReviewRecords, SectionComment, SectionEdit,
                                          SectionState, SectionStatus)
from agents.runtime.database import Database


class SectionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def states(self, draft: Draft) -> dict[str, SectionState]:
        """Every section's state; one never reviewed is pending and its body is the agent's text."""
        rows = {r["section_key"]: r for r in self._db.execute(
            "SELECT * FROM section_reviews WHERE draft_id = ?", (draft.id,))}
        out = {}
        for s in draft.sections:
            r = rows.get(s.key)
            out[s.key] = (SectionState(s.key, SectionStatus(r["status"]), r["agent_body"]) if r
                          else SectionState(s.key, SectionStatus.PENDING, s.body))
        return out

    def put_state(self, draft_id: str, state: SectionState) -> None:
        # Upserts as ON CONFLICT, which SQLite and PostgreSQL both read (the firm workspace).
        self._db.execute("INSERT INTO section_reviews VALUES (?,?,?,?) ON CONFLICT (draft_id, section_key) "
                         "DO UPDATE SET status = excluded.status, agent_body = excluded.agent_body",
                         (draft_id, state.key, state.status.value, state.agent_body))

    def add_edit(self, draft_id: str, e: SectionEdit) -> None:
        self._db.execute("INSERT INTO section_edits (draft_id, section_key, editor, edited_at, before_body, after_body) "
                         "VALUES (?,?,?,?,?,?)", (draft_id, e.section_key, e.editor, e.edited_at, e.before, e.after))

    def edits(self, draft_id: str) -> list[SectionEdit]:
        return [SectionEdit(r["section_key"], r["editor"], r["edited_at"], r["before_body"], r["after_body"])
                for r in self._db.execute("SELECT * FROM section_edits WHERE draft_id = ? ORDER BY id", (draft_id,))]

    def add_comment(self, draft_id: str, c: SectionComment) -> None:
        self._db.execute("INSERT INTO section_comments (draft_id, section_key, author, at, text) VALUES (?,?,?,?,?)",
                         (draft_id, c.section_key, c.author, c.at, c.text))

    def comments(self, draft_id: str) -> list[SectionComment]:
        return [SectionComment(r["section_key"], r["author"], r["at"], r["text"])
                for r in self._db.execute("SELECT * FROM section_comments WHERE draft_id = ? ORDER BY id", (draft_id,))]

    def put_resolution(self, draft_id: str, r: FlagResolution) -> None:
        # A flag is resolved once; a second resolution replaces the first, and the audit log
        # keeps both.
        self._db.execute("INSERT INTO flag_resolutions VALUES (?,?,?,?,?,?,?) "
                         "ON CONFLICT (draft_id, section_key, flag_index) DO UPDATE SET resolution = excluded.resolution, "
                         "reason = excluded.reason, resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at",
                         (draft_id, r.section_key, r.flag_index, r.resolution.value, r.reason, r.resolved_by,
                          r.resolved_at))

    def resolutions(self, draft_id: str) -> list[FlagResolution]:
        return [FlagResolution(r["section_key"], r["flag_index"], Resolution(r["resolution"]), r["reason"],
                               r["resolved_by"], r["resolved_at"])
                for r in self._db.execute("SELECT * FROM flag_resolutions WHERE draft_id = ? "
                                          "ORDER BY section_key, flag_index", (draft_id,))]

    def records(self, draft: Draft) -> ReviewRecords:
        return ReviewRecords(tuple(self.states(draft).values()), tuple(self.edits(draft.id)),
                             tuple(self.comments(draft.id)), tuple(self.resolutions(draft.id)))

    def replace_records(self, draft_id: str, records: ReviewRecords) -> None:
        """Take another installation's review of this draft in place of the local one: a review
        package carries the whole review, and the audit entries it was checked against."""
        for table in ("section_reviews", "section_edits", "section_comments", "flag_resolutions"):
            self._db.execute(f"DELETE FROM {table} WHERE draft_id = ?", (draft_id,))
        for state in records.states:
            self.put_state(draft_id, state)
        for e in records.edits:
            self.add_edit(draft_id, e)
        for c in records.comments:
            self.add_comment(draft_id, c)
        for r in records.resolutions:
            self.put_resolution(draft_id, r)
