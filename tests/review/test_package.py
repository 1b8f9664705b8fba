"""Review packages between two real data directories: out for review, signed there, back again."""
import pytest
from packagegen import PAGE_2, SEEN_ONLY, app_export, cli, nothing_imported, send_for_review, sign_as_reviewer, with_app

from agents.domain.review_rules import DraftStatus, ReviewAction
from agents.review.package_format import PackageError

@pytest.fixture
def sent(tmp_path):
    return send_for_review(tmp_path)


def test_round_trip_between_two_data_directories(sent, tmp_path, capsys):
    a, b, pkg, draft_id = sent
    original = with_app(a, lambda app: app.get_draft(draft_id))
    preparer_key = with_app(a, lambda app: app.installation_key())
    capsys.readouterr()

    assert cli(b, "package", "import", str(pkg), "--expect-key", preparer_key[:20]) == 0
    out = capsys.readouterr().out
    assert "FIRST package from this key" in out and preparer_key[:4] in out

    def reviewer_view(app):
        d = app.get_draft(draft_id)
        docs = app.documents("Northwind")
        return d, docs, app.library.page_text("doc_nw", 2), app.library.page_text("doc_nw", 3), app.stale_sources(d)

    copy, docs, page_2, page_3, stale = with_app(b, reviewer_view)
    # The reviewer sees exactly what was sent, and can check each citation against its page text.
    assert copy == original and copy.provenance == original.provenance
    assert copy.content_sha256 == original.content_sha256 and copy.status is DraftStatus.IN_REVIEW
    assert [d.filename for d in docs] == ["supply.pdf"] and docs[0].path.startswith("package:")
    assert page_2 == PAGE_2 and page_3 == SEEN_ONLY and stale == []

    assert cli(b, "profile", "add", "R. Reviewer", "--initials", "RR", "--role", "partner") == 0
    for section in ("law", "cap"):
        assert cli(b, "review", "approve-section", draft_id, section, "--reviewer", "R. Reviewer") == 0
    assert cli(b, "review", "resolve", draft_id, "cap", "0", "--accept", "carve-outs read", "--reviewer", "R. Reviewer") == 0
    assert cli(b, "review", "approve", draft_id, "--reviewer", "R. Reviewer") == 0
    assert cli(b, "review", "signoff", draft_id, "--reviewer", "R. Reviewer", "--role", "partner",
               "--meaning", "approved") == 0
    reply = tmp_path / "signed.cspkg"
    assert cli(b, "package", "export", draft_id, str(reply)) == 0
    reviewer_key = with_app(b, lambda app: app.installation_key())
    assert reviewer_key != preparer_key

    capsys.readouterr()
    assert cli(a, "package", "import", str(reply), "--expect-key", reviewer_key) == 0
    assert "signed off by R. Reviewer (partner, approved)" in capsys.readouterr().out

    def preparer_view(app):
        return app.get_draft(draft_id), app.verify_audit(), [e.action for e in app.review.audit.entries(draft_id)]

    back, broken, actions = with_app(a, preparer_view)
    assert back.status is DraftStatus.SIGNED_OFF and broken is None
    [signoff] = back.signoffs
    assert (signoff.reviewer, signoff.role, signoff.meaning) == ("R. Reviewer", "partner", "approved")
    assert signoff.content_sha256 == original.content_sha256
    assert actions[:4] == ["draft.created", "draft.submit", "package.exported", "package.imported"]
    # The reviewer's entries follow as they were made there, from importing to signing.
    assert actions[4] == "package.imported" and actions[-2:] == ["draft.approve", "draft.signed_off"]
    assert with_app(b, lambda app: app.verify_audit()) is None
    assert cli(a, "verify") == 0 and cli(b, "verify") == 0

    # The same reply cannot be applied twice, and the preparer cannot import their own review package.
    with pytest.raises(PackageError, match="already imported"):
        with_app(a, lambda app: app.import_package(reply))
    with pytest.raises(PackageError, match="already in this data directory"):
        with_app(a, lambda app: app.import_package(pkg))


def test_show_checks_a_package_without_importing_it_and_a_clashing_matter_name_is_kept_apart(sent, capsys):
    a, b, pkg, draft_id = sent
    preparer_key = with_app(a, lambda app: app.installation_key())
    capsys.readouterr()
    assert cli(b, "package", "show", str(pkg)) == 0
    out = capsys.readouterr().out
    assert "review package" in out and draft_id in out and preparer_key in out and "the package checks" in out
    assert nothing_imported(b)
    with_app(b, lambda app: app.create_matter("Northwind"))  # the reviewer's own, unrelated matter
    result = with_app(b, lambda app: app.import_package(pkg))
    assert result.matter == f"Northwind (from {preparer_key[:8]})"
    assert [m.name for m in with_app(b, lambda app: app.matters())] == ["Northwind", result.matter]


def test_a_reply_that_requests_changes_moves_the_draft_back(sent, tmp_path):
    a, b, pkg, draft_id = sent
    with_app(b, lambda app: app.import_package(pkg))
    with_app(b, lambda app: app.request_changes(draft_id, "R. Reviewer", "cite the carve-outs"))
    reply = with_app(b, lambda app: app.export_package(draft_id, tmp_path / "changes.cspkg")).path
    result = with_app(a, lambda app: app.import_package(reply))
    assert result.kind == "return" and result.status is DraftStatus.CHANGES_REQUESTED and result.new_signoffs == ()
    assert with_app(a, lambda app: app.get_draft(draft_id)).status is DraftStatus.CHANGES_REQUESTED


def test_a_second_round_after_changes_were_requested(sent, tmp_path):
    a, b, pkg, draft_id = sent
    with_app(b, lambda app: app.import_package(pkg))
    with_app(b, lambda app: app.request_changes(draft_id, "R. Reviewer", "cite the carve-outs"))
    with_app(a, lambda app: app.import_package(app_export(b, draft_id, tmp_path / "r1.cspkg")))
    with_app(a, lambda app: app.revise(draft_id, "A. Preparer", "carve-outs checked"))
    with_app(a, lambda app: app.review.act(draft_id, ReviewAction.SUBMIT, "A. Preparer"))
    again = with_app(b, lambda app: app.import_package(app_export(a, draft_id, tmp_path / "round2.cspkg")))
    assert again.kind == "review" and again.status is DraftStatus.IN_REVIEW
    sign_as_reviewer(b, draft_id, "reviewer", "reviewed")
    back = with_app(a, lambda app: app.import_package(app_export(b, draft_id, tmp_path / "r2.cspkg")))
    assert back.status is DraftStatus.SIGNED_OFF and back.new_signoffs == ("R. Reviewer (reviewer, reviewed)",)
    assert with_app(a, lambda app: app.verify_audit()) is None and with_app(b, lambda app: app.verify_audit()) is None
    # The first round's request is recorded once on the preparer's side, not replayed with the second.
    actions = [e.action for e in with_app(a, lambda app: app.review.audit.entries(draft_id))]
    assert actions.count("draft.request_changes") == 1 and actions.count("draft.signed_off") == 1


def test_a_first_of_two_signatures_comes_back_as_approved(sent, tmp_path):
    a, b, pkg, draft_id = sent
    with_app(b, lambda app: app.import_package(pkg))
    with_app(b, lambda app: app.set_policy("second_reviewer", "on", "IT"))
    sign_as_reviewer(b, draft_id)
    back = with_app(a, lambda app: app.import_package(app_export(b, draft_id, tmp_path / "one.cspkg")))
    assert back.status is DraftStatus.APPROVED and back.new_signoffs == ("R. Reviewer (partner, approved)",)
    assert with_app(a, lambda app: app.verify_audit()) is None
