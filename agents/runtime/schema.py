"""The app database's tables, and the steps that bring an older database up to them."""
from __future__ import annotations

import json
import sqlite3

SCHEMA_VERSION = 7

# Steps from each older schema version to the next; a fresh database gets SCHEMA directly.
MIGRATIONS = {
    2: ["ALTER TABLE chunks ADD COLUMN locator TEXT NOT NULL DEFAULT ''"],
    # No rows are copied: a matter without one is read as MiniLM if it has chunks (the only
    # embedder before this version), see agents/knowledge/matter_index.py.
    3: ["CREATE TABLE IF NOT EXISTS matter_embedders (matter_id TEXT PRIMARY KEY REFERENCES matters(id), "
        "embedder TEXT NOT NULL)"],
    4: [lambda conn: _add_column(conn, "drafts", "provenance_json", "TEXT NOT NULL DEFAULT '{}'")],
    5: [lambda conn: _add_column(conn, "drafts", "supersedes", "TEXT NOT NULL DEFAULT ''"),
        lambda conn: _review_tables(conn),
        lambda conn: _settle_reviewed_sections(conn)],
    # Archiving is a table of its own, not a column on matters, so rows keep their three
    # columns (review packages carry them) and an unarchived matter needs no row.
    6: ["CREATE TABLE IF NOT EXISTS matter_archive (matter_id TEXT PRIMARY KEY REFERENCES matters(id), "
        "archived_at TEXT NOT NULL)"],
    # NULL for chunks indexed before v7: the store classifies those when it reads them.
    7: [lambda conn: _add_column(conn, "chunks", "injection", "TEXT")],
}


def _add_column(conn: sqlite3.Connection, table: str, column: str, decl: str) -> None:
    # A table the old schema lacked is created whole by SCHEMA after the migrations run.
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    if columns and column not in columns:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")

def _review_tables(conn: sqlite3.Connection) -> None:
    # Not executescript: it would commit the migration's transaction half-way.
    for statement in REVIEW_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def _settle_reviewed_sections(conn: sqlite3.Connection) -> None:
    """Drafts approved or signed before sections had their own review keep that standing:
    their sections are recorded approved, so the draft is not blocked by a review it had."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'drafts'").fetchall():
        return
    for r in conn.execute("SELECT id, sections_json FROM drafts WHERE status IN ('approved', 'signed_off')").fetchall():
        for s in json.loads(r[1]):
            conn.execute("INSERT OR IGNORE INTO section_reviews VALUES (?,?,?,?)", (r[0], s["key"], "approved", s["body"]))


# Per-section review (v5). A section with no row is pending and still holds the agent's text.
REVIEW_SCHEMA = """
CREATE TABLE IF NOT EXISTS section_reviews (
    draft_id TEXT NOT NULL REFERENCES drafts(id), section_key TEXT NOT NULL, status TEXT NOT NULL,
    agent_body TEXT NOT NULL, PRIMARY KEY (draft_id, section_key)
);
CREATE TABLE IF NOT EXISTS section_edits (
    id INTEGER PRIMARY KEY AUTOINCREMENT, draft_id TEXT NOT NULL REFERENCES drafts(id),
    section_key TEXT NOT NULL, editor TEXT NOT NULL, edited_at TEXT NOT NULL,
    before_body TEXT NOT NULL, after_body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS section_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT, draft_id TEXT NOT NULL REFERENCES drafts(id),
    section_key TEXT NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL, text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS flag_resolutions (
    draft_id TEXT NOT NULL REFERENCES drafts(id), section_key TEXT NOT NULL, flag_index INTEGER NOT NULL,
    resolution TEXT NOT NULL, reason TEXT NOT NULL, resolved_by TEXT NOT NULL, resolved_at TEXT NOT NULL,
    PRIMARY KEY (draft_id, section_key, flag_index)
);
CREATE TABLE IF NOT EXISTS profiles (
    name TEXT PRIMARY KEY COLLATE NOCASE, initials TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL
);
-- The firm's sign-off policy as one JSON value, so a change is one audited write.
CREATE TABLE IF NOT EXISTS firm_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1), policy_json TEXT NOT NULL
)
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS matters (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, matter_id TEXT NOT NULL REFERENCES matters(id),
    filename TEXT NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,
    content_hash TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
    pages INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL DEFAULT 0, indexed_at TEXT NOT NULL,
    UNIQUE (matter_id, path)
);
CREATE TABLE IF NOT EXISTS pages (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (document_id, number)
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    matter_id TEXT NOT NULL, page INTEGER NOT NULL, char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL, text TEXT NOT NULL, token_count INTEGER NOT NULL,
    locator TEXT NOT NULL DEFAULT '', injection TEXT
);
CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id);
-- Which embedder's vectors each matter's search uses (one chromadb collection per embedder).
CREATE TABLE IF NOT EXISTS matter_embedders (
    matter_id TEXT PRIMARY KEY REFERENCES matters(id), embedder TEXT NOT NULL
);
-- Matters hidden from the window's selector (v6); their documents and drafts stay as they are.
CREATE TABLE IF NOT EXISTS matter_archive (
    matter_id TEXT PRIMARY KEY REFERENCES matters(id), archived_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, chunk_id UNINDEXED, matter_id UNINDEXED, tokenize = 'porter unicode61'
);
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY, matter_id TEXT NOT NULL REFERENCES matters(id),
    work_product TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL,
    version INTEGER NOT NULL, created_at TEXT NOT NULL, preparer TEXT NOT NULL,
    model_id TEXT NOT NULL, model_sha256 TEXT NOT NULL, seed INTEGER NOT NULL,
    sections_json TEXT NOT NULL, provenance_json TEXT NOT NULL DEFAULT '{}',
    supersedes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS signoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, draft_id TEXT NOT NULL REFERENCES drafts(id),
    version INTEGER NOT NULL, reviewer TEXT NOT NULL, role TEXT NOT NULL, meaning TEXT NOT NULL,
    content_sha256 TEXT NOT NULL, signed_at TEXT NOT NULL, frozen_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    subject TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL
);
-- Append-only is enforced by the database itself, not by the goodwill of callers.
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS signoffs_no_update BEFORE UPDATE ON signoffs
BEGIN SELECT RAISE(ABORT, 'sign-offs are frozen'); END;
CREATE TRIGGER IF NOT EXISTS signoffs_no_delete BEFORE DELETE ON signoffs
BEGIN SELECT RAISE(ABORT, 'sign-offs are frozen'); END;
"""
