"""Review packages edited in transit, or contradicting the preparer's record: each refused
with its reason before anything is written."""
import json

import pytest
from packagegen import app_export, nothing_imported, resign, seed_draft, send_for_review, sign_as_reviewer, with_app

from agents.domain.audit import entry_hash
from agents.domain.review_rules import DraftStatus
from agents.review.keys import InstallationKey
from agents.review.package_format import FORMAT_VERSION, PackageError, PackageTampered, canonical


@pytest.fixture
def sent(tmp_path):
    return send_for_review(tmp_path)


@pytest.mark.parametrize("position", [0.0, 0.13, 0.31, 0.5, 0.62, 0.77, 0.9, 0.999])
def test_any_changed_byte_is_rejected_and_nothing_is_written(sent, position):
    a, b, pkg, _ = sent
    data = bytearray(pkg.read_bytes())
    i = int(position * (len(data) - 1))
    data[i] = ord("#") if data[i] != ord("#") else ord("$")
    pkg.write_bytes(bytes(data))
    with pytest.raises(PackageError):
        with_app(b, lambda app: app.import_package(pkg))
    assert nothing_imported(b)


def test_edited_evidence_is_rejected_with_the_reason(sent):
    a, b, pkg, _ = sent
    pkg.write_bytes(pkg.read_bytes().replace(b"England and Wales", b"New York State!!"))
    with pytest.raises(PackageTampered, match="does not match its signed manifest"):
        with_app(b, lambda app: app.import_package(pkg))
    assert nothing_imported(b)


def _drop_last_entry(envelope):
    envelope["payload"]["record"]["audit"].pop()


def test_a_removed_entry_with_a_rehashed_manifest_fails_the_signature(sent):
    a, b, pkg, _ = sent
    resign(pkg, _drop_last_entry)
    with pytest.raises(PackageTampered, match="signature does not check"):
        with_app(b, lambda app: app.import_package(pkg))
    assert nothing_imported(b)


def test_a_package_re_signed_by_another_key_is_caught(sent, tmp_path):
    a, b, pkg, _ = sent
    mallory = InstallationKey.load_or_create(tmp_path / "mallory")
    as_sent = pkg.read_bytes()
    resign(pkg, _drop_last_entry, mallory)
    # The entries no longer end where the manifest says.
    with pytest.raises(PackageTampered, match="end elsewhere"):
        with_app(b, lambda app: app.import_package(pkg))

    def consistent_forgery(envelope):
        _drop_last_entry(envelope)
        envelope["manifest"]["origin_head"] = envelope["payload"]["record"]["audit"][-1]["entry_hash"]
    pkg.write_bytes(as_sent)
    resign(pkg, consistent_forgery, mallory)
    preparer_key = with_app(a, lambda app: app.installation_key())
    # A self-consistent forgery is signed by a key that is not the preparer's: pinned, it is refused...
    with pytest.raises(PackageTampered, match="not the expected"):
        with_app(b, lambda app: app.import_package(pkg, expect_key=preparer_key))
    assert nothing_imported(b)
    # ...and unpinned, the reviewer is shown a fingerprint that is not the preparer's.
    result = with_app(b, lambda app: app.import_package(pkg))
    assert result.first_from_sender and result.sender_fingerprint == mallory.fingerprint != preparer_key


def test_a_reply_whose_preparer_entries_were_rewritten_is_rejected(sent, tmp_path):
    a, b, pkg, draft_id = sent
    with_app(b, lambda app: app.import_package(pkg))
    sign_as_reviewer(b, draft_id)
    reply = app_export(b, draft_id, tmp_path / "reply.cspkg")

    def rewrite_preparer(envelope):
        # Claim someone else prepared it, and recompute that entry's own hash so it checks alone.
        e = envelope["payload"]["origin_entries"][0]
        e["actor"] = "M. Allory"
        e["entry_hash"] = entry_hash(e["seq"], e["at"], e["actor"], e["action"], e["subject"], e["detail"], e["prev_hash"])
    reviewer = InstallationKey.load_or_create(b / "keys")
    resign(reply, rewrite_preparer, reviewer)
    with pytest.raises(PackageTampered, match="differ from this data directory"):
        with_app(a, lambda app: app.import_package(reply))
    assert with_app(a, lambda app: app.get_draft(draft_id)).status is DraftStatus.IN_REVIEW


def test_a_forged_sign_off_without_its_entry_is_rejected(sent, tmp_path):
    a, b, pkg, draft_id = sent
    with_app(b, lambda app: app.import_package(pkg))
    with_app(b, lambda app: app.approve_all(draft_id, "R. Reviewer"))
    reply = app_export(b, draft_id, tmp_path / "reply.cspkg")

    def add_signoff(envelope):
        draft = envelope["payload"]["record"]["draft"]
        draft["status"] = "signed_off"
        draft["signoffs"].append({"reviewer": "R. Reviewer", "role": "partner", "meaning": "approved",
                                  "content_sha256": envelope["manifest"]["content_sha256"],
                                  "signed_at": "2026-01-03T00:00:00Z", "version": 1})
    resign(reply, add_signoff, InstallationKey.load_or_create(b / "keys"))
    with pytest.raises(PackageTampered, match="no matching audit entry"):
        with_app(a, lambda app: app.import_package(reply))
    assert with_app(a, lambda app: app.get_draft(draft_id)).signoffs == ()


def test_a_draft_changed_after_sending_refuses_the_reply(sent, tmp_path):
    a, b, pkg, draft_id = sent
    with_app(b, lambda app: app.import_package(pkg))
    with_app(b, lambda app: app.approve_all(draft_id, "R. Reviewer"))
    reply = app_export(b, draft_id, tmp_path / "reply.cspkg")
    with_app(a, lambda app: app.request_changes(draft_id, "A. Preparer", "found a typo"))
    with pytest.raises(PackageError, match="changed here after package"):
        with_app(a, lambda app: app.import_package(reply))


def test_a_newer_package_format_is_refused_by_name(sent):
    a, b, pkg, _ = sent
    envelope = json.loads(pkg.read_bytes())
    envelope["countersign_review_package"] = FORMAT_VERSION + 1
    pkg.write_bytes(canonical(envelope) + b"\n")
    with pytest.raises(PackageError, match=f"package format {FORMAT_VERSION + 1}; this Countersign reads format {FORMAT_VERSION}"):
        with_app(b, lambda app: app.import_package(pkg))
    with pytest.raises(PackageError, match="at least the first 16 hex digits"):
        with_app(b, lambda app: app.import_package(pkg, expect_key="3f2a"))


def test_not_a_package_and_missing_evidence_get_clear_errors(tmp_path):
    junk = tmp_path / "memo.docx"
    junk.write_bytes(b"PK\x03\x04 not json")
    a = tmp_path / "a"
    draft_id = seed_draft(a)
    with pytest.raises(PackageError, match="not a Countersign review package"):
        with_app(a, lambda app: app.import_package(junk))
    junk.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(PackageError, match="not a Countersign review package"):
        with_app(a, lambda app: app.import_package(junk))
    with pytest.raises(PackageError, match="cannot read"):
        with_app(a, lambda app: app.import_package(tmp_path / "missing.cspkg"))
    with_app(a, lambda app: app.library.delete_document("doc_nw"))
    with pytest.raises(PackageError, match="no stored evidence for 2 citation"):
        with_app(a, lambda app: app.export_package(draft_id, tmp_path / "x.cspkg"))
    assert not (tmp_path / "x.cspkg").exists()
