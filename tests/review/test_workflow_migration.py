"""Schema 5 adds per-section review to a database written by schema 4 without blocking drafts
that were already approved or signed under the old, draft-level review."""

from workflow_drafts import memo, seeded

from agents.domain.section_review import SectionStatus
from agents.review.service import ReviewService
from agents.runtime.database import SCHEMA_VERSION, connect, raw_connection

_V5_TABLES = ("section_reviews", "section_edits", "section_comments", "flag_resolutions", "profiles", "firm_policy")


def _as_schema_4(path) -> None:
    conn = raw_connection(path)
    for table in _V5_TABLES:
        conn.execute(f"DROP TABLE {table}")
    conn.execute("ALTER TABLE drafts DROP COLUMN supersedes")
    conn.execute("PRAGMA user_version=4")
    conn.commit()
    conn.close()


def test_migration_keeps_approved_drafts_approved_section_by_section(tmp_path):
    path = tmp_path / "db.sqlite3"
    service = ReviewService(connect(path))
    seeded(service, memo("old_approved"))
    seeded(service, memo("old_draft"))
    service._db.execute("UPDATE drafts SET status = 'approved' WHERE id = 'old_approved'")
    service._db.close()
    _as_schema_4(path)

    db = connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    migrated = ReviewService(db)
    approved = migrated.drafts.get("old_approved")
    assert approved.supersedes == ""
    assert {s.status for s in migrated.sections.states(approved).values()} == {SectionStatus.APPROVED}
    assert migrated.sections.states(approved)["law"].agent_body == approved.sections[0].body
    assert {s.status for s in migrated.sections.states(migrated.drafts.get("old_draft")).values()} == {SectionStatus.PENDING}
    assert migrated.audit.verify() is None
