"""The firm workspace on a real PostgreSQL server: its migrations, its append-only audit log,
and what a user is told when the server is not there."""
from __future__ import annotations

import sqlite3
import threading

import psycopg
import pytest

from agents.knowledge.library_store import LibraryStore
from agents.review.audit_log import AuditLog
from agents.review.service import ReviewService
from agents.runtime.pg_database import PgDatabase, WorkspaceUnavailable, connect_workspace, placeholders
from agents.runtime.pg_schema import SCHEMA_VERSION, WorkspaceTooNew, migrate
from workflow_drafts import memo, seeded


def test_placeholders_become_psycopgs_and_literals_stay_as_written():
    assert placeholders("SELECT * FROM t WHERE a = ? AND b LIKE '50%?'") == "SELECT * FROM t WHERE a = %s AND b LIKE '50%%?'"


def test_a_new_workspace_gets_every_table_and_records_its_version(workspace_url):
    db = connect_workspace(workspace_url)
    try:
        tables = {r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert {"matters", "documents", "pages", "chunks", "drafts", "signoffs", "audit_log", "section_reviews",
                "section_edits", "section_comments", "flag_resolutions", "profiles", "firm_policy",
                "schema_migrations"} <= tables
        assert [r[0] for r in db.execute("SELECT version FROM schema_migrations")] == list(range(1, SCHEMA_VERSION + 1))
        assert db.server_version().startswith(("15", "16", "17"))
    finally:
        db.close()


def test_machines_opening_a_new_workspace_together_apply_each_migration_once(workspace_url):
    errors, opened = [], []

    def open_one():
        try:
            opened.append(connect_workspace(workspace_url))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert opened[0].execute("SELECT count(*) FROM schema_migrations")[0][0] == SCHEMA_VERSION
    for db in opened:
        db.close()


def test_the_audit_log_and_signatures_refuse_update_delete_and_truncate(workspace_url):
    db = connect_workspace(workspace_url)
    try:
        service = ReviewService(db)
        seeded(service, memo())
        assert AuditLog(db).verify() is None
        for sql in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                db.execute(sql)
        assert len(AuditLog(db).entries()) == 1
    finally:
        db.close()


def test_the_stores_run_unchanged_on_the_workspace(workspace_url):
    db = connect_workspace(workspace_url)
    try:
        library = LibraryStore(db)
        matter = library.create_matter("Northwind")
        assert library.matter("Northwind").id == matter.id
        with pytest.raises(ValueError, match="already exists"):
            library.create_matter("Northwind")
        service = ReviewService(db)
        service.add_profile("Dana Whitfield", "DW", "partner")
        assert service.people.get("dana whitfield").name == "Dana Whitfield"  # names match whatever their case
        with pytest.raises(ValueError, match="already exists"):
            service.add_profile("DANA WHITFIELD", "DW", "partner")
        service.set_policy("second_reviewer", "true", "IT")
        service.set_policy("second_reviewer", "false", "IT")  # an upsert, on PostgreSQL as on SQLite
        assert not service.people.policy().second_reviewer
    finally:
        db.close()


def test_a_workspace_newer_than_this_countersign_is_refused(workspace_url):
    db = connect_workspace(workspace_url)
    try:
        db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (SCHEMA_VERSION + 1, "later"))
        with pytest.raises(WorkspaceTooNew, match="install the firm's current version"):
            migrate(db)
    finally:
        db.close()


def test_an_unreachable_workspace_says_where_without_the_password(pg):
    url = pg.url().replace(str(pg.port), "1")  # nothing listens on port 1
    with pytest.raises(WorkspaceUnavailable) as info:
        PgDatabase(url, connect_timeout=2)
    assert "127.0.0.1:1/postgres cannot be reached" in str(info.value)
    assert "workspace-test-password" not in str(info.value)


def test_a_constraint_violation_reaches_the_stores_as_sqlite_integrity_error(workspace_url):
    db = connect_workspace(workspace_url)
    try:
        db.execute("INSERT INTO matters VALUES (?, ?, ?)", ("m1", "A", "now"))
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO matters VALUES (?, ?, ?)", ("m1", "B", "now"))
    finally:
        db.close()
