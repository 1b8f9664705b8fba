"""The per-section review travels with a package both ways: section states, inline edits (with
their diff), comments and flag resolutions arrive as records, checked against their audit entries."""
import pytest
from packagegen import app_export, resign, send_for_review, sign_as_reviewer, with_app

from agents.domain.review_rules import DraftStatus, ReviewAction
from agents.domain.section_review import Resolution, SectionStatus
from agents.review.keys import InstallationKey
from agents.review.package_format import PackageError, PackageTampered, _draft

REVISED_CAP = "Liability is capped at twelve months' fees, save for the carve-outs in clause 14.2 [2]."


@pytest.fixture
def sent(tmp_path):
    return send_for_review(tmp_path)


def _sections(app, draft_id):
    return {s.section.key: s for s in app.view_draft(draft_id, "test").sections}


def test_a_reply_with_the_reviewers_edits_comments_and_resolutions_is_merged(sent, tmp_path):
    a, b, pkg, draft_id = sent
    sent_content = with_app(a, lambda app: app.get_draft(draft_id)).content_sha256

    def review(app):
        app.import_package(pkg)
        app.add_profile("R. Reviewer", "RR", "partner")
        app.comment(draft_id, "law", "R. Reviewer", "Checked against clause 22.")
        app.edit_section(draft_id, "cap", "R. Reviewer", REVISED_CAP)
        app.resolve_flag(draft_id, "cap", 0, "R. Reviewer", fixed=True)
        app.approve_section(draft_id, "law", "R. Reviewer")
        app.approve_section(draft_id, "cap", "R. Reviewer", "carve-outs now named")
        app.approve(draft_id, "R. Reviewer")
        app.sign_off(draft_id, "R. Reviewer", "partner", "approved")
        # R. Reviewer edited the text, so maker-checker wants a second signature.
        assert app.get_draft(draft_id).status is DraftStatus.APPROVED
        app.add_profile("S. Second", "SS", "partner")
        app.sign_off(draft_id, "S. Second", "partner", "approved")
        return app.get_draft(draft_id)

    reviewed = with_app(b, review)
    assert reviewed.content_sha256 != sent_content
    result = with_app(a, lambda app: app.import_package(app_export(b, draft_id, tmp_path / "reply.cspkg")))
    assert result.status is DraftStatus.SIGNED_OFF and result.edited_sections == ("cap",)

    def preparer_view(app):
        return app.get_draft(draft_id), _sections(app, draft_id), app.verify_audit()

    back, sections, broken = with_app(a, preparer_view)
    assert broken is None
    # The preparer now holds the content the reviewer signed, and sees how it differs from the agent's.
    assert back.content_sha256 == reviewed.content_sha256
    assert [(s.reviewer, s.content_sha256) for s in back.signoffs] == [("R. Reviewer", back.content_sha256),
                                                                       ("S. Second", back.content_sha256)]
    cap, law = sections["cap"], sections["law"]
    assert cap.section.body == REVISED_CAP and cap.agent_body == "Liability is capped at twelve months' fees [2]."
    inserted = "".join(p.text for p in cap.diff if p.kind == "inserted")
    assert "carve-outs in clause 14.2" in inserted
    assert {s.status for s in sections.values()} == {SectionStatus.APPROVED}
    [flag] = cap.flags
    assert flag.resolution.resolution is Resolution.FIXED and flag.resolution.resolved_by == "R. Reviewer"
    assert [c.text for c in law.comments] == ["Checked against clause 22."]
    assert [c.text for c in cap.comments] == ["carve-outs now named"]


def test_a_second_round_carries_the_preparers_edit_to_the_reviewer(sent, tmp_path):
    a, b, pkg, draft_id = sent

    def send_back(app):
        app.import_package(pkg)
        app.request_section_changes(draft_id, "cap", "R. Reviewer", "name the carve-outs")
        app.request_changes(draft_id, "R. Reviewer", "see the cap section")

    with_app(b, send_back)
    with_app(a, lambda app: app.import_package(app_export(b, draft_id, tmp_path / "r1.cspkg")))
    cap = with_app(a, lambda app: _sections(app, draft_id)["cap"])
    assert cap.status is SectionStatus.CHANGES_REQUESTED and [c.text for c in cap.comments] == ["name the carve-outs"]

    def revise(app):
        app.edit_section(draft_id, "cap", "A. Preparer", REVISED_CAP)
        app.revise(draft_id, "A. Preparer", "carve-outs named")
        app.review.act(draft_id, ReviewAction.SUBMIT, "A. Preparer")
        return app.get_draft(draft_id)

    revised = with_app(a, revise)
    again = with_app(b, lambda app: app.import_package(app_export(a, draft_id, tmp_path / "round2.cspkg")))
    assert again.edited_sections == ("cap",) and again.status is DraftStatus.IN_REVIEW
    copy, sections = with_app(b, lambda app: (app.get_draft(draft_id), _sections(app, draft_id)))
    assert copy.content_sha256 == revised.content_sha256
    assert sections["cap"].status is SectionStatus.PENDING and sections["cap"].diff
    assert sections["law"].status is SectionStatus.PENDING

    sign_as_reviewer(b, draft_id, "reviewer", "reviewed")
    back = with_app(a, lambda app: app.import_package(app_export(b, draft_id, tmp_path / "r2.cspkg")))
    assert back.status is DraftStatus.SIGNED_OFF and back.edited_sections == ()
    assert with_app(a, lambda app: app.verify_audit()) is None and with_app(b, lambda app: app.verify_audit()) is None


def test_review_records_without_their_audit_entries_are_refused(sent, tmp_path):
    a, b, pkg, draft_id = sent
    with_app(b, lambda app: app.import_package(pkg))
    with_app(b, lambda app: app.approve_all(draft_id, "R. Reviewer"))
    reviewer = InstallationKey.load_or_create(b / "keys")
    before = with_app(a, lambda app: app.review.audit.entries(draft_id))

    def forge(name, mutate):
        reply = app_export(b, draft_id, tmp_path / f"{name}.cspkg")
        resign(reply, mutate, reviewer)
        return reply

    def add_comment(envelope):
        envelope["payload"]["record"]["review"]["comments"].append({"section_key": "law", "author": "R. Reviewer",
                                             "at": "2026-01-03T00:00:00Z", "text": "never said"})

    def accept_flag(envelope):
        envelope["payload"]["record"]["review"]["resolutions"].append({"section_key": "cap", "flag_index": 0, "resolution": "accepted",
                                                "reason": "fine", "resolved_by": "R. Reviewer",
                                                "resolved_at": "2026-01-03T00:00:00Z"})

    def rewrite_body(envelope):
        draft = envelope["payload"]["record"]["draft"]
        draft["sections"][0]["body"] = "Scots law governs [1]."
        # A consistent forger recomputes the content hash the manifest names as well.
        envelope["manifest"]["content_sha256"] = _draft(draft).content_sha256

    def unapprove(envelope):
        envelope["payload"]["record"]["review"]["states"][0]["status"] = "pending"

    cases = [(add_comment, "comment on section 'law' by R. Reviewer has no audit entry"),
             (accept_flag, "resolution of flag 0 in section 'cap' has no audit entry"),
             (rewrite_body, "section 'law' in the reviewer's copy was changed without a recorded edit"),
             (unapprove, "section 'law' is pending, its audit entries lead to approved")]
    for mutate, reason in cases:
        reply = forge(mutate.__name__, mutate)
        with pytest.raises(PackageTampered, match=reason):
            with_app(a, lambda app: app.import_package(reply))
    # Nothing of any refused reply was written.
    assert with_app(a, lambda app: app.review.audit.entries(draft_id)) == before
    assert with_app(a, lambda app: app.get_draft(draft_id)).status is DraftStatus.IN_REVIEW


def test_a_reviewer_who_acted_after_replying_is_not_overwritten_by_the_next_round(sent, tmp_path):
    a, b, pkg, draft_id = sent
    with_app(b, lambda app: app.import_package(pkg))
    with_app(b, lambda app: app.request_changes(draft_id, "R. Reviewer", "cite the carve-outs"))
    with_app(a, lambda app: app.import_package(app_export(b, draft_id, tmp_path / "r1.cspkg")))
    with_app(b, lambda app: app.comment(draft_id, "law", "R. Reviewer", "one more thing"))
    with_app(a, lambda app: (app.revise(draft_id, "A. Preparer"), app.review.act(draft_id, ReviewAction.SUBMIT, "A. Preparer")))
    round2 = app_export(a, draft_id, tmp_path / "round2.cspkg")
    with pytest.raises(PackageError, match="changed here after the last package.*section.commented"):
        with_app(b, lambda app: app.import_package(round2))
    assert [c.text for c in with_app(b, lambda app: _sections(app, draft_id))["law"].comments] == ["one more thing"]
