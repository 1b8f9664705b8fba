"""`countersign export --format md|docx|pdf|redline-docx` and `countersign verify [FILE]` end to
end on a real data directory, with --json and exit codes."""
from __future__ import annotations


import pytest

from agents.services import Countersign
from tests.review.contract_memo import MATTER, contract_memo, store_contract
from tests.review.sample_draft import sample_draft


@pytest.fixture
def drafts(data_dir) -> tuple[str, str]:
    """A credit memo and a contract review memo, saved in the data directory and closed."""
    app = Countersign.open(str(data_dir))
    try:
        app.create_matter(MATTER)
        memo = contract_memo(app, MATTER, store_contract(app, MATTER))
        return sample_draft(app, MATTER, sections=3).id, memo.id
    finally:
        app.close()


def test_export_each_format_then_verify_the_file(cli, drafts, tmp_path):
    credit, _ = drafts
    for fmt in ("md", "docx", "pdf"):
        out = tmp_path / f"memo.{fmt}"
        code, result, _ = cli("export", credit, "--format", fmt, "--out", str(out), "--by", "A. Associé", "--json")
        assert code == 0 and result == {"path": str(out)} and out.exists()
        code, checked, _ = cli("verify", str(out), "--json")
        assert code == 0 and checked["ok"] and checked["found"] and checked["chain_ok"]
        assert (checked["draft_id"], checked["version"], checked["format"]) == (credit, 1, fmt)
        assert checked["exported_by"] == "A. Associé" and checked["signed_when_exported"] is False
    code, text, _ = cli("verify", str(tmp_path / "memo.pdf"))
    assert code == 0 and f"pdf export of draft {credit} v1" in text and "audit log intact" in text


def test_verify_fails_with_a_reason_after_a_one_byte_change(cli, drafts, tmp_path):
    credit, _ = drafts
    out = tmp_path / "memo.md"
    assert cli("export", credit, "--format", "md", "--out", str(out))[0] == 0
    out.write_bytes(out.read_bytes().replace(b"Summary", b"Summarx", 1))
    code, text, _ = cli("verify", str(out))
    assert code == 1 and "NOT VERIFIED" in text and "matches no export in the audit log" in text
    code, result, _ = cli("verify", str(out), "--json")
    assert code == 1 and result["found"] is False and result["ok"] is False
    # Without a file, verify still checks the chain, which the edit of an exported file did not touch.
    code, text, _ = cli("verify")
    assert code == 0 and text.startswith("audit log intact")
    code, _, err = cli("verify", str(tmp_path / "nowhere.pdf"))
    assert code == 1 and "no file" in err and "nowhere.pdf" in err


def test_redline_export_lists_the_revisions_placed(cli, drafts, tmp_path):
    credit, memo = drafts
    out = tmp_path / "contract-redline.docx"
    code, result, err = cli("export", memo, "--format", "redline-docx", "--out", str(out), "--json")
    assert code == 0, err
    assert result["path"] == str(out) and result["skipped"] == []
    assert sorted(result["placed"]) == ["Governing law", "Limitation of liability", "Payment terms", "Term and termination"]
    code, checked, _ = cli("verify", str(out), "--json")
    assert code == 0 and checked["format"] == "redline-docx" and checked["draft_id"] == memo
    code, _, err = cli("export", credit, "--format", "redline-docx", "--out", str(tmp_path / "x.docx"))
    assert code == 1 and "a redline is made from a contract review memo (contract-review)" in err


def test_a_log_cut_short_verifies_alone_but_not_against_a_recorded_head(cli, drafts, data_dir):
    from agents.runtime.database import raw_connection

    credit, _ = drafts
    code, before, _ = cli("verify", "--json")
    assert code == 0 and before["head_seq"] == before["entries"]
    assert cli("export", credit, "--format", "md", "--out", str(data_dir / "memo.md"))[0] == 0
    code, after, _ = cli("verify", "--json")
    recorded = after["head"]
    code, text, _ = cli("verify", "--head", recorded)
    assert code == 0 and f"head: entry {after['head_seq']}, {recorded}" in text and "recorded head is in the chain" in text

    # Someone with the database file drops the guard trigger and removes the newest entries:
    # every remaining link still checks, so only the head kept elsewhere shows the cut.
    with raw_connection(data_dir / "countersign.sqlite3") as db:
        db.execute("DROP TRIGGER audit_log_no_delete")
        db.execute("DELETE FROM audit_log WHERE seq > ?", (before["head_seq"],))
    code, alone, _ = cli("verify", "--json")
    assert code == 0 and alone["ok"] and alone["first_broken"] is None
    code, checked, _ = cli("verify", "--head", recorded, "--json")
    assert code == 1 and checked["recorded_head_found"] is False and checked["ok"] is False
    code, text, _ = cli("verify", "--head", recorded)
    assert code == 1 and "is NOT in the chain" in text
