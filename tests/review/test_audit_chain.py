import sqlite3

import pytest

from agents.domain.audit import first_broken
from agents.domain.review_rules import ReviewAction
from agents.runtime.database import connect
from agents.review.audit_log import AuditLog
from agents.review.service import ReviewService


def test_chain_links_every_entry_and_verifies(tmp_path):
    conn = connect(tmp_path / "db.sqlite3")
    log = AuditLog(conn)
    a = log.append("alice", "draft.created", "d1", n=1)
    b = log.append("bob", "draft.approve", "d1")
    assert b.prev_hash == a.entry_hash
    assert log.verify() is None
    assert log.head() == b.entry_hash


def test_database_refuses_to_rewrite_or_delete_history(tmp_path):
    conn = connect(tmp_path / "db.sqlite3")
    AuditLog(conn).append("alice", "draft.created", "d1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_log SET actor = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_log")


def test_tampering_is_detected_at_the_first_broken_entry(tmp_path):
    conn = connect(tmp_path / "db.sqlite3")
    log = AuditLog(conn)
    for i in range(4):
        log.append("alice", "draft.edit", "d1", i=i)
    entries = log.entries()
    forged = entries[2].__class__(**{**entries[2].__dict__, "actor": "mallory"})
    assert first_broken(entries[:2] + [forged] + entries[3:]) == 3


def test_failed_action_writes_no_audit_entry(tmp_path):
    conn = connect(tmp_path / "db.sqlite3")
    service = ReviewService(conn)
    with pytest.raises(LookupError):
        service.act("missing", ReviewAction.APPROVE, "bob")
    assert service.audit.entries() == []
