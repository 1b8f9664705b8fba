"""`verify FILE` through the facade: each exported file is found in the audit log by its
SHA-256, with its draft, version, format and sign-off; a changed byte or a broken chain fails."""
from __future__ import annotations

import pytest
from workflow_drafts import sign_with_policy

from agents.runtime.database import raw_connection
from tests.review.contract_memo import MATTER, open_app
from tests.review.sample_draft import sample_draft


@pytest.fixture
def app(data_dir):
    yield from open_app(data_dir)


def flip_one_byte(path, at: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3 if at is None else at] ^= 0x20
    path.write_bytes(bytes(data))


@pytest.fixture
def draft(app):
    return sample_draft(app, MATTER, sections=3)


def test_each_export_verifies_and_fails_after_a_one_byte_change(app, draft, tmp_path):
    for fmt in ("md", "docx", "pdf"):
        path = app.export(draft.id, fmt, tmp_path / f"memo.{fmt}", actor="A. Associé")
        result = app.verify_export(path)
        assert result.ok and result.found and result.chain_ok, result.report()
        assert (result.draft_id, result.version, result.format, result.exported_by) == (draft.id, 1, fmt, "A. Associé")
        assert result.content_sha256 == draft.content_sha256 and not result.signed_when_exported
        assert result.entry_seq == app.review.audit.entries()[-1].seq
        assert "NOT signed off when exported" in result.report()
        flip_one_byte(path)
        changed = app.verify_export(path)
        assert not changed.found and not changed.ok and changed.chain_ok
        assert "NOT VERIFIED" in changed.report() and "changed after it was exported" in changed.report()


def test_a_signed_export_says_who_signed_and_an_earlier_unsigned_one_still_says_unsigned(app, draft, tmp_path):
    before = app.export(draft.id, "pdf", tmp_path / "before.pdf")
    sign_with_policy(app, draft.id, "Dana Whitfield")
    after = app.export(draft.id, "pdf", tmp_path / "after.pdf")
    signed = app.verify_export(after)
    assert signed.ok and signed.signed_by == ("Dana Whitfield (partner, approved)",) and signed.version == 1
    assert "signed off when exported, by Dana Whitfield (partner, approved)" in signed.report()
    # The same content signed later does not turn the file exported before it into a signed one.
    assert app.verify_export(before).ok and not app.verify_export(before).signed_when_exported


def test_a_broken_chain_is_reported_with_the_file(app, draft, tmp_path, data_dir):
    path = app.export(draft.id, "md", tmp_path / "memo.md")
    # What an attacker with the database file would do: drop the guard and rewrite history.
    con = raw_connection(data_dir / "countersign.sqlite3")  # they would have the key too
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1")
    con.commit()
    con.close()
    result = app.verify_export(path)
    assert result.found and not result.chain_ok and not result.ok and result.first_broken == 1
    assert "audit log BROKEN at entry 1" in result.report()


def test_a_file_that_is_not_there_is_a_clear_error(app, tmp_path):
    with pytest.raises(ValueError, match="no file .*missing.pdf to verify"):
        app.verify_export(tmp_path / "missing.pdf")
