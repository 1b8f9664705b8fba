"""Where packages leave their mark in the database: which were sent and received (with the
sender's key), and the restored matter, evidence and draft of a package received for review."""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from agents.domain.audit import AuditEntry
from agents.review.drafts_store import DraftsStore
from agents.review.package_record import DraftRecord
from agents.review.section_store import SectionStore
from agents.runtime.clock import utc_now
from agents.runtime.database import Database

# Created on first use, so data directories that never exchange a package are not migrated.
_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS packages_sent (
        package_id TEXT PRIMARY KEY, draft_id TEXT NOT NULL, kind TEXT NOT NULL, sent_at TEXT NOT NULL,
        content_sha256 TEXT NOT NULL, origin_head TEXT NOT NULL, file_sha256 TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS packages_received (
        package_id TEXT PRIMARY KEY, draft_id TEXT NOT NULL, kind TEXT NOT NULL, received_at TEXT NOT NULL,
        sender_fingerprint TEXT NOT NULL, sender_key TEXT NOT NULL, sender_name TEXT NOT NULL,
        file_sha256 TEXT NOT NULL, origin_entries_json TEXT NOT NULL)""",
]


@dataclass(frozen=True)
class SentPackage:
    package_id: str
    draft_id: str
    kind: str
    sent_at: str
    content_sha256: str
    origin_head: str
    file_sha256: str


@dataclass(frozen=True)
class ReceivedPackage:
    package_id: str
    sender_fingerprint: str
    origin: tuple[AuditEntry, ...]  # the preparer's entries exactly as received


@contextmanager
def write_transaction(db: Database):
    """One synchronous transaction under the connection's lock: all of an import or nothing."""
    with db.lock:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
            db.execute("COMMIT")
        except BaseException:
            db.rollback()  # also after a COMMIT that failed (disk full), which leaves it open
            raise


class PackageStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        with write_transaction(db):
            for sql in _SCHEMA:
                db.execute(sql)

    def record_sent(self, p: SentPackage) -> None:
        self._db.execute("INSERT INTO packages_sent VALUES (?,?,?,?,?,?,?)", tuple(asdict(p).values()))

    def sent(self, package_id: str) -> SentPackage | None:
        r = self._db.execute("SELECT * FROM packages_sent WHERE package_id = ?", (package_id,)).fetchone()
        return SentPackage(*tuple(r)) if r else None

    def record_received(self, package_id: str, draft_id: str, kind: str, sender_fingerprint: str, sender_key: str,
                        sender_name: str, file_sha256: str, origin: tuple[AuditEntry, ...]) -> None:
        self._db.execute("INSERT INTO packages_received VALUES (?,?,?,?,?,?,?,?,?)",
                         (package_id, draft_id, kind, utc_now(), sender_fingerprint, sender_key, sender_name,
                          file_sha256, json.dumps([asdict(e) for e in origin], ensure_ascii=False)))

    def received_at(self, package_id: str) -> str:
        r = self._db.execute("SELECT received_at FROM packages_received WHERE package_id = ?", (package_id,)).fetchone()
        return r[0] if r else ""

    def known_sender(self, fingerprint: str) -> bool:
        return self._db.execute("SELECT 1 FROM packages_received WHERE sender_fingerprint = ? LIMIT 1",
                                (fingerprint,)).fetchone() is not None

    def received_for_review(self, draft_id: str) -> ReceivedPackage | None:
        """The latest review package this draft came in."""
        r = self._db.execute("SELECT package_id, sender_fingerprint, origin_entries_json FROM packages_received "
                             "WHERE draft_id = ? AND kind = 'review' ORDER BY rowid DESC LIMIT 1", (draft_id,)).fetchone()
        if r is None:
            return None
        return ReceivedPackage(r[0], r[1], tuple(AuditEntry(**e) for e in json.loads(r[2])))

    def restore(self, record: DraftRecord, package_id: str, sender_fingerprint: str) -> str:
        """Insert the matter, evidence and draft of a received package; returns the matter's name.
        Evidence rows keep their ids so the draft's citations resolve; a document already here
        (an earlier package from the same matter) is kept as it is."""
        db, m = self._db, record.matter
        name = m.name
        here = db.execute("SELECT name FROM matters WHERE id = ?", (m.id,)).fetchone()
        if here is None:
            if db.execute("SELECT 1 FROM matters WHERE name = ?", (name,)).fetchone():
                name = f"{m.name} (from {sender_fingerprint[:8]})"  # a different local matter has this name
            db.execute("INSERT INTO matters VALUES (?, ?, ?)", (m.id, name, m.created_at))
        else:
            name = here[0]
        for d in record.documents:
            # The path names the package, not a file: re-syncing a folder never touches it.
            db.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                       (d.id, m.id, d.filename, f"package:{package_id}/{d.filename}", d.kind, d.content_hash,
                        "indexed", f"read-only evidence from review package {package_id}", d.pages, d.size, utc_now()))
        db.executemany("INSERT INTO pages VALUES (?,?,?) ON CONFLICT DO NOTHING", [(p.document_id, p.number, p.text) for p in record.pages])
        ids = [c.id for c in record.chunks]
        have = {r[0] for start in range(0, len(ids), 500) for r in db.execute(
            f"SELECT id FROM chunks WHERE id IN ({','.join('?' * len(ids[start:start + 500]))})", ids[start:start + 500])}
        new = [c for c in record.chunks if c.id not in have]
        db.executemany("INSERT INTO chunks (id, document_id, matter_id, page, char_start, char_end, text, token_count, "
                       "locator) VALUES (?,?,?,?,?,?,?,?,?)",
                       [(c.id, c.document_id, m.id, c.page, c.char_start, c.char_end, c.text, c.token_count, c.locator)
                        for c in new])
        db.executemany("INSERT INTO chunks_fts (text, chunk_id, matter_id) VALUES (?,?,?)", [(c.text, c.id, m.id) for c in new])
        drafts = DraftsStore(db)
        drafts.insert(record.draft)
        for s in record.draft.signoffs:
            drafts.add_signoff(record.draft, s)
        SectionStore(db).replace_records(record.draft.id, record.review)
        return name
