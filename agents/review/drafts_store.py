"""SQLite repository for drafts and their frozen sign-offs; JSON stays inside this module."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict

from agents.domain.drafts import Citation, Draft, DraftFlag, Section, SectionChart, SectionTable, SignOff
from agents.domain.review_rules import DraftStatus
from agents.runtime.database import Database


class DraftNotFound(LookupError):
    pass


def _sections_json(sections: tuple[Section, ...]) -> str:
    return json.dumps([asdict(s) for s in sections], ensure_ascii=False)


def _sections(blob: str) -> tuple[Section, ...]:
    out = []
    for s in json.loads(blob):
        cites = tuple(Citation(**c) for c in s.pop("citations"))
        # Drafts written before flags had a severity stored plain messages.
        flags = tuple(DraftFlag(f) if isinstance(f, str) else DraftFlag(**f) for f in s.pop("flags"))
        tables = tuple(SectionTable(t["title"], tuple(t["columns"]), tuple(tuple(r) for r in t["rows"]), t["source"],
                                    t["note"]) for t in s.pop("tables", ()))
        charts = tuple(SectionChart(**c) for c in s.pop("charts", ()))
        out.append(Section(citations=cites, flags=flags, tables=tables, charts=charts, **s))
    return tuple(out)


class DraftsStore:
    def __init__(self, db: Database, wall=None) -> None:
        """`wall` (firm mode): drafts of matters the account may not see do not exist for it."""
        self._db = db
        self._wall = wall

    def insert(self, d: Draft) -> None:
        self._db.execute(
            "INSERT INTO drafts (id, matter_id, work_product, title, status, version, created_at, preparer, model_id, "
            "model_sha256, seed, sections_json, provenance_json, supersedes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (d.id, d.matter_id, d.work_product, d.title, d.status.value, d.version, d.created_at, d.preparer,
             d.model_id, d.model_sha256, d.seed, _sections_json(d.sections),
             json.dumps(d.provenance, ensure_ascii=False, sort_keys=True), d.supersedes),
        )

    def set_sections(self, draft_id: str, sections: tuple[Section, ...]) -> None:
        self._db.execute("UPDATE drafts SET sections_json = ? WHERE id = ?", (_sections_json(sections), draft_id))

    def successor(self, draft_id: str) -> str:
        r = self._db.execute("SELECT id FROM drafts WHERE supersedes = ? ORDER BY version DESC", (draft_id,)).fetchone()
        return r[0] if r else ""

    def lineage(self, draft: Draft) -> list[Draft]:
        """This version and every earlier one it was made from, newest first."""
        out, seen = [draft], {draft.id}
        while out[-1].supersedes and out[-1].supersedes not in seen:
            seen.add(out[-1].supersedes)
            out.append(self.get(out[-1].supersedes))
        return out

    def set_status(self, draft_id: str, status: DraftStatus) -> None:
        self._db.execute("UPDATE drafts SET status = ? WHERE id = ?", (status.value, draft_id))

    def add_signoff(self, draft: Draft, s: SignOff) -> None:
        self._db.execute(
            "INSERT INTO signoffs (draft_id, version, reviewer, role, meaning, content_sha256, signed_at, frozen_json) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (draft.id, s.version, s.reviewer, s.role, s.meaning, s.content_sha256, s.signed_at, _sections_json(draft.sections)),
        )

    def get(self, draft_id: str) -> Draft:
        r = self._db.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if r is None or (self._wall is not None and not self._wall.admit(r["matter_id"], "draft", draft_id)):
            raise DraftNotFound(f"no draft '{draft_id}' (see `countersign review list`)")
        return self._draft(r)

    def list(self, matter_id: str | None = None) -> list[Draft]:
        sql, args = "SELECT * FROM drafts", ()
        if matter_id:
            sql, args = sql + " WHERE matter_id = ?", (matter_id,)
        rows = self._db.execute(sql + " ORDER BY created_at DESC, id", args)
        if self._wall is not None:
            allowed = self._wall.matter_ids()
            rows = [r for r in rows if r["matter_id"] in allowed]
        return [self._draft(r) for r in rows]

    def _draft(self, r: sqlite3.Row) -> Draft:
        signoffs = tuple(
            SignOff(s["reviewer"], s["role"], s["meaning"], s["content_sha256"], s["signed_at"], s["version"])
            for s in self._db.execute("SELECT * FROM signoffs WHERE draft_id = ? ORDER BY id", (r["id"],))
        )
        return Draft(r["id"], r["matter_id"], r["work_product"], r["title"], DraftStatus(r["status"]), r["version"],
                     r["created_at"], r["preparer"], r["model_id"], r["model_sha256"], r["seed"],
                     _sections(r["sections_json"]), signoffs, json.loads(r["provenance_json"]), r["supersedes"])
