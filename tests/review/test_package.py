"""Review packages between two real data directories: out for review, signed there, back again."""
import json

import pytest
from packagegen import PAGE_2, SEEN_ONLY, seed_draft

from agents.cli.main import main
from agents.domain.review_rules import DraftStatus, ReviewAction
from agents.review.keys import InstallationKey
from agents.review.package_format import PackageError, PackageTampered, canonical, sha256
from agents.services import Countersign

def cli(data_dir, *args) -> int:
    return main(["--data-dir", str(data_dir), *args])


def opened(data_dir):
    return Countersign.open(str(data_dir))


def resign(path, mutate, key: InstallationKey | None = None) -> None:
    """Edit a package the way an informed attacker would: change the content, recompute every
    plain hash, and sign again with a key of their own (or keep the old signature)."""
    envelope = json.loads(path.read_bytes())
    mutate(envelope)
    manifest = envelope["manifest"]
    manifest["payload_sha256"] = sha256(canonical(envelope["payload"]))
    if key is not None:
        manifest["sender_key"], manifest["sender_fingerprint"] = key.public_key_b64, key.fingerprint
        envelope["signature"] = key.sign(canonical(manifest))
    path.write_bytes(canonical(envelope) + b"\n")


@pytest.fixture
def sent(tmp_path):
    a, b, pkg = tmp_path / "a", tmp_path / "b", tmp_path / "review.cspkg"
    draft_id = seed_draft(a, [ReviewAction.SUBMIT])
    assert cli(a, "package", "export", draft_id, str(pkg)) == 0
    return a, b, pkg, draft_id


def read_only(data_dir, fn):
    app = opened(data_dir)
    try:
        return fn(app)
    finally:
        app.close()


def test_round_trip_between_two_data_directories(sent, tmp_path, capsys):
    a, b, pkg, draft_id = sent
    original = read_only(a, lambda app: app.get_draft(draft_id))
    preparer_key = read_only(a, lambda app: app.installation_key())
    capsys.readouterr()

    assert cli(b, "package", "import", str(pkg), "--expect-key", preparer_key[:20]) == 0
    out = capsys.readouterr().out
    assert "FIRST package from this key" in out and preparer_key[:4] in out

    def reviewer_view(app):
        d = app.get_draft(draft_id)
        docs = app.documents("Northwind")
        return d, docs, app.library.page_text("doc_nw", 2), app.library.page_text("doc_nw", 3), app.stale_sources(d)

    copy, docs, page_2, page_3, stale = read_only(b, reviewer_view)
    # The reviewer sees exactly what was sent, and can check each citation against its page text.
    assert copy == original and copy.provenance == original.provenance
    assert copy.content_sha256 == original.content_sha256 and copy.status is DraftStatus.IN_REVIEW
    assert [d.filename for d in docs] == ["supply.pdf"] and docs[0].path.startswith("package:")
    assert page_2 == PAGE_2 and page_3 == SEEN_ONLY and stale == []

    assert cli(b, "review", "approve", draft_id, "--reviewer", "R. Reviewer") == 0
    assert cli(b, "review", "signoff", draft_id, "--reviewer", "R. Reviewer", "--role", "partner",
               "--meaning", "approved") == 0
    reply = tmp_path / "signed.cspkg"
    assert cli(b, "package", "export", draft_id, str(reply)) == 0
    reviewer_key = read_only(b, lambda app: app.installation_key())
    assert reviewer_key != preparer_key

    capsys.readouterr()
    assert cli(a, "package", "import", str(reply), "--expect-key", reviewer_key) == 0
    assert "signed off by R. Reviewer (partner, approved)" in capsys.readouterr().out

    def preparer_view(app):
        return app.get_draft(draft_id), app.verify_audit(), [e.action for e in app.review.audit.entries(draft_id)]

    back, broken, actions = read_only(a, preparer_view)
    assert back.status is DraftStatus.SIGNED_OFF and broken is None
    [signoff] = back.signoffs
    assert (signoff.reviewer, signoff.role, signoff.meaning) == ("R. Reviewer", "partner", "approved")
    assert signoff.content_sha256 == original.content_sha256
    assert actions == ["draft.created", "draft.submit", "package.exported", "package.imported",
                       "package.imported", "draft.approve", "draft.signed_off"]
    assert read_only(b, lambda app: app.verify_audit()) is None
    assert cli(a, "verify") == 0 and cli(b, "verify") == 0

    # The same reply cannot be applied twice, and the preparer cannot import their own review package.
    with pytest.raises(PackageError, match="already imported"):
        read_only(a, lambda app: app.import_package(reply))
    with pytest.raises(PackageError, match="already in this data directory"):
        read_only(a, lambda app: app.import_package(pkg))


def test_show_checks_a_package_without_importing_it_and_a_clashing_matter_name_is_kept_apart(sent, capsys):
    a, b, pkg, draft_id = sent
    preparer_key = read_only(a, lambda app: app.installation_key())
    capsys.readouterr()
    assert cli(b, "package", "show", str(pkg)) == 0
    out = capsys.readouterr().out
    assert "review package" in out and draft_id in out and preparer_key in out and "the package checks" in out
    assert _nothing_imported(b)
    read_only(b, lambda app: app.create_matter("Northwind"))  # the reviewer's own, unrelated matter
    result = read_only(b, lambda app: app.import_package(pkg))
    assert result.matter == f"Northwind (from {preparer_key[:8]})"
    assert [m.name for m in read_only(b, lambda app: app.matters())] == ["Northwind", result.matter]


def test_a_reply_that_requests_changes_moves_the_draft_back(sent, tmp_path):
    a, b, pkg, draft_id = sent
    read_only(b, lambda app: app.import_package(pkg))
    read_only(b, lambda app: app.request_changes(draft_id, "R. Reviewer", "cite the carve-outs"))
    reply = read_only(b, lambda app: app.export_package(draft_id, tmp_path / "changes.cspkg")).path
    result = read_only(a, lambda app: app.import_package(reply))
    assert result.kind == "return" and result.status is DraftStatus.CHANGES_REQUESTED and result.new_signoffs == ()
    assert read_only(a, lambda app: app.get_draft(draft_id)).status is DraftStatus.CHANGES_REQUESTED


def test_a_second_round_after_changes_were_requested(sent, tmp_path):
    a, b, pkg, draft_id = sent
    read_only(b, lambda app: app.import_package(pkg))
    read_only(b, lambda app: app.request_changes(draft_id, "R. Reviewer", "cite the carve-outs"))
    read_only(a, lambda app: app.import_package(app_export(b, draft_id, tmp_path / "r1.cspkg")))
    read_only(a, lambda app: app.revise(draft_id, "A. Preparer", "carve-outs checked"))
    read_only(a, lambda app: app.review.act(draft_id, ReviewAction.SUBMIT, "A. Preparer"))
    again = read_only(b, lambda app: app.import_package(app_export(a, draft_id, tmp_path / "round2.cspkg")))
    assert again.kind == "review" and again.status is DraftStatus.IN_REVIEW
    read_only(b, lambda app: app.approve(draft_id, "R. Reviewer"))
    read_only(b, lambda app: app.sign_off(draft_id, "R. Reviewer", "reviewer", "reviewed"))
    back = read_only(a, lambda app: app.import_package(app_export(b, draft_id, tmp_path / "r2.cspkg")))
    assert back.status is DraftStatus.SIGNED_OFF and back.new_signoffs == ("R. Reviewer (reviewer, reviewed)",)
    assert read_only(a, lambda app: app.verify_audit()) is None and read_only(b, lambda app: app.verify_audit()) is None
    # The first round's request is recorded once on the preparer's side, not replayed with the second.
    actions = [e.action for e in read_only(a, lambda app: app.review.audit.entries(draft_id))]
    assert actions.count("draft.request_changes") == 1 and actions.count("draft.signed_off") == 1


def app_export(data_dir, draft_id, out):
    return read_only(data_dir, lambda app: app.export_package(draft_id, out)).path


def _nothing_imported(b) -> bool:
    return read_only(b, lambda app: app.drafts() == [] and app.review.audit.entries() == [] and app.matters() == [])


@pytest.mark.parametrize("position", [0.0, 0.13, 0.31, 0.5, 0.62, 0.77, 0.9, 0.999])
def test_any_changed_byte_is_rejected_and_nothing_is_written(sent, position):
    a, b, pkg, _ = sent
    data = bytearray(pkg.read_bytes())
    i = int(position * (len(data) - 1))
    data[i] = ord("#") if data[i] != ord("#") else ord("$")
    pkg.write_bytes(bytes(data))
    with pytest.raises(PackageError):
        read_only(b, lambda app: app.import_package(pkg))
    assert _nothing_imported(b)


def test_edited_evidence_is_rejected_with_the_reason(sent):
    a, b, pkg, _ = sent
    pkg.write_bytes(pkg.read_bytes().replace(b"England and Wales", b"New York State!!"))
    with pytest.raises(PackageTampered, match="does not match its signed manifest"):
        read_only(b, lambda app: app.import_package(pkg))
    assert _nothing_imported(b)


def _drop_last_entry(envelope):
    envelope["payload"]["record"]["audit"].pop()


def test_a_removed_entry_with_a_rehashed_manifest_fails_the_signature(sent):
    a, b, pkg, _ = sent
    resign(pkg, _drop_last_entry)
    with pytest.raises(PackageTampered, match="signature does not check"):
        read_only(b, lambda app: app.import_package(pkg))
    assert _nothing_imported(b)


def test_a_package_re_signed_by_another_key_is_caught(sent, tmp_path):
    a, b, pkg, _ = sent
    mallory = InstallationKey.load_or_create(tmp_path / "mallory")
    as_sent = pkg.read_bytes()
    resign(pkg, _drop_last_entry, mallory)
    # The entries no longer end where the manifest says.
    with pytest.raises(PackageTampered, match="end elsewhere"):
        read_only(b, lambda app: app.import_package(pkg))

    def consistent_forgery(envelope):
        _drop_last_entry(envelope)
        envelope["manifest"]["origin_head"] = envelope["payload"]["record"]["audit"][-1]["entry_hash"]
    pkg.write_bytes(as_sent)
    resign(pkg, consistent_forgery, mallory)
    preparer_key = read_only(a, lambda app: app.installation_key())
    # A self-consistent forgery is signed by a key that is not the preparer's: pinned, it is refused...
    with pytest.raises(PackageTampered, match="not the expected"):
        read_only(b, lambda app: app.import_package(pkg, expect_key=preparer_key))
    assert _nothing_imported(b)
    # ...and unpinned, the reviewer is shown a fingerprint that is not the preparer's.
    result = read_only(b, lambda app: app.import_package(pkg))
    assert result.first_from_sender and result.sender_fingerprint == mallory.fingerprint != preparer_key


def test_a_reply_whose_preparer_entries_were_rewritten_is_rejected(sent, tmp_path):
    a, b, pkg, draft_id = sent
    read_only(b, lambda app: app.import_package(pkg))
    read_only(b, lambda app: app.approve(draft_id, "R. Reviewer"))
    read_only(b, lambda app: app.sign_off(draft_id, "R. Reviewer", "partner", "approved"))
    reply = read_only(b, lambda app: app.export_package(draft_id, tmp_path / "reply.cspkg")).path
    from agents.domain.audit import entry_hash

    def rewrite_preparer(envelope):
        # Claim someone else prepared it, and recompute that entry's own hash so it checks alone.
        e = envelope["payload"]["origin_entries"][0]
        e["actor"] = "M. Allory"
        e["entry_hash"] = entry_hash(e["seq"], e["at"], e["actor"], e["action"], e["subject"], e["detail"], e["prev_hash"])
    reviewer = InstallationKey.load_or_create(b / "keys")
    resign(reply, rewrite_preparer, reviewer)
    with pytest.raises(PackageTampered, match="differ from this data directory"):
        read_only(a, lambda app: app.import_package(reply))
    assert read_only(a, lambda app: app.get_draft(draft_id)).status is DraftStatus.IN_REVIEW


def test_a_forged_sign_off_without_its_entry_is_rejected(sent, tmp_path):
    a, b, pkg, draft_id = sent
    read_only(b, lambda app: app.import_package(pkg))
    read_only(b, lambda app: app.approve(draft_id, "R. Reviewer"))
    reply = read_only(b, lambda app: app.export_package(draft_id, tmp_path / "reply.cspkg")).path

    def add_signoff(envelope):
        draft = envelope["payload"]["record"]["draft"]
        draft["status"] = "signed_off"
        draft["signoffs"].append({"reviewer": "R. Reviewer", "role": "partner", "meaning": "approved",
                                  "content_sha256": envelope["manifest"]["content_sha256"],
                                  "signed_at": "2026-01-03T00:00:00Z", "version": 1})
    resign(reply, add_signoff, InstallationKey.load_or_create(b / "keys"))
    with pytest.raises(PackageTampered, match="no matching audit entry"):
        read_only(a, lambda app: app.import_package(reply))
    assert read_only(a, lambda app: app.get_draft(draft_id)).signoffs == ()


def test_a_draft_changed_after_sending_refuses_the_reply(sent, tmp_path):
    a, b, pkg, draft_id = sent
    read_only(b, lambda app: app.import_package(pkg))
    read_only(b, lambda app: app.approve(draft_id, "R. Reviewer"))
    reply = read_only(b, lambda app: app.export_package(draft_id, tmp_path / "reply.cspkg")).path
    read_only(a, lambda app: app.request_changes(draft_id, "A. Preparer", "found a typo"))
    with pytest.raises(PackageError, match="changed here after package"):
        read_only(a, lambda app: app.import_package(reply))


def test_a_newer_package_format_is_refused_by_name(sent):
    a, b, pkg, _ = sent
    envelope = json.loads(pkg.read_bytes())
    envelope["countersign_review_package"] = 2
    pkg.write_bytes(canonical(envelope) + b"\n")
    with pytest.raises(PackageError, match="package format 2; this Countersign reads format 1"):
        read_only(b, lambda app: app.import_package(pkg))
    with pytest.raises(PackageError, match="at least the first 16 hex digits"):
        read_only(b, lambda app: app.import_package(pkg, expect_key="3f2a"))


def test_not_a_package_and_missing_evidence_get_clear_errors(tmp_path):
    junk = tmp_path / "memo.docx"
    junk.write_bytes(b"PK\x03\x04 not json")
    a = tmp_path / "a"
    draft_id = seed_draft(a)
    with pytest.raises(PackageError, match="not a Countersign review package"):
        read_only(a, lambda app: app.import_package(junk))
    junk.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(PackageError, match="not a Countersign review package"):
        read_only(a, lambda app: app.import_package(junk))
    with pytest.raises(PackageError, match="cannot read"):
        read_only(a, lambda app: app.import_package(tmp_path / "missing.cspkg"))
    read_only(a, lambda app: app.library.delete_document("doc_nw"))
    with pytest.raises(PackageError, match="no stored evidence for 2 citation"):
        read_only(a, lambda app: app.export_package(draft_id, tmp_path / "x.cspkg"))
    assert not (tmp_path / "x.cspkg").exists()
