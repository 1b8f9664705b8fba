"""The append-only, hash-chained audit log (triggers in the schema forbid UPDATE and DELETE)."""
from __future__ import annotations

import json

from agents.domain.audit import GENESIS_HASH, AuditEntry, entry_hash, first_broken
from agents.runtime.clock import utc_now
from agents.runtime.database import Database


_READS = "'draft.viewed', 'draft.exported'"


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, actor: str, action: str, subject: str, **detail: object) -> AuditEntry:
        """Must run inside the caller's write transaction so the entry commits with its change."""
        last = self._db.execute("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        at = utc_now()
        body = json.dumps(detail, sort_keys=True, ensure_ascii=False)
        digest = entry_hash(seq, at, actor, action, subject, body, prev)
        self._db.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?)", (seq, at, actor, action, subject, body, prev, digest))
        return AuditEntry(seq, at, actor, action, subject, body, prev, digest)

    def entries(self, subject: str | None = None) -> list[AuditEntry]:
        sql, args = "SELECT * FROM audit_log", ()
        if subject:
            sql, args = sql + " WHERE subject = ?", (subject,)
        return [AuditEntry(*tuple(r)) for r in self._db.execute(sql + " ORDER BY seq", args)]

    def last_change(self, subject: str) -> AuditEntry | None:
        """The latest entry that changed `subject` (views and exports change nothing). Its seq is
        the subject's revision: a reviewer's action says which revision it was decided on."""
        r = self._db.execute(f"SELECT * FROM audit_log WHERE subject = ? AND action NOT IN ({_READS}) "
                             "ORDER BY seq DESC LIMIT 1", (subject,)).fetchone()
        return AuditEntry(*tuple(r)) if r else None

    def head(self) -> str:
        r = self._db.execute("SELECT entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        return r[0] if r else GENESIS_HASH

    def verify(self) -> int | None:
        """Sequence number of the first broken entry, or None if the whole chain checks."""
        return first_broken(self.entries())
