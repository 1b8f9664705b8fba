import sqlite3

import pytest

from agents.runtime.database import SCHEMA_VERSION, connect, raw_connection


def test_fresh_database_is_wal_at_the_current_schema(tmp_path):
    db = connect(tmp_path / "a.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_version_one_database_is_migrated_without_losing_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE chunks (id TEXT PRIMARY KEY, document_id TEXT NOT NULL, matter_id TEXT NOT NULL,
            page INTEGER NOT NULL, char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
            text TEXT NOT NULL, token_count INTEGER NOT NULL);
        INSERT INTO chunks VALUES ('c1', 'd1', 'm1', 1, 0, 4, 'text', 1);
        PRAGMA user_version = 1;
    """)
    old.close()
    db = connect(path)
    row = db.execute("SELECT text, locator FROM chunks WHERE id = 'c1'").fetchone()
    assert (row[0], row[1]) == ("text", "")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_version_two_database_gains_the_matter_embedders_table(tmp_path):
    path = tmp_path / "v2.sqlite3"
    connect(path).close()
    old = raw_connection(path)  # encrypted since connect(); the test edits it as an old version would be
    old.executescript("DROP TABLE matter_embedders; INSERT INTO matters VALUES ('m1', 'Old', 'now'); PRAGMA user_version = 2;")
    old.close()
    db = connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
    assert db.execute("SELECT count(*) FROM matter_embedders").fetchone()[0] == 0  # read as MiniLM, see MatterIndex
    assert db.execute("SELECT name FROM matters").fetchone()[0] == "Old"


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer Countersign"):
        connect(path)


def test_version_three_database_keeps_its_drafts_and_gains_provenance(tmp_path):
    path = tmp_path / "v3.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE drafts (id TEXT PRIMARY KEY, matter_id TEXT NOT NULL, work_product TEXT NOT NULL,
            title TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL,
            preparer TEXT NOT NULL, model_id TEXT NOT NULL, model_sha256 TEXT NOT NULL, seed INTEGER NOT NULL,
            sections_json TEXT NOT NULL);
        INSERT INTO drafts VALUES ('d1', 'm1', 'contract-review', 'Memo', 'draft', 1, 'now', 'a', 'm', 'h', 42,
            '[{"key": "k", "heading": "H", "body": "B", "citations": [], "flags": ["old flag"]}]');
        PRAGMA user_version = 3;
    """)
    old.close()
    db = connect(path)
    from agents.review.drafts_store import DraftsStore

    draft = DraftsStore(db).get("d1")
    assert draft.provenance == {} and str(draft.sections[0].flags[0]) == "old flag"
    assert draft.sections[0].flags[0].severity == "warning"
