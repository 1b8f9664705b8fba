import json

import pytest

from agents.domain.review_rules import DraftStatus, IllegalTransition, ReviewAction
from agents.domain.section_review import Resolution, SectionAction, SectionStatus
from agents.domain.text_diff import after_text, before_text, render
from agents.review.service import ReviewError, ReviewService
from agents.runtime.database import connect
from workflow_drafts import CAP, LAW, ready_to_sign, seeded


@pytest.fixture
def service(tmp_path):
    s = ReviewService(connect(tmp_path / "db.sqlite3"))
    s.add_profile("R. Reviewer", "RR", "reviewer")
    s.add_profile("P. Partner", "PP", "partner")
    return s


def actions(service, draft_id):
    return [e.action for e in service.audit.entries(draft_id)]


def test_an_edit_keeps_the_agents_text_shows_the_diff_and_changes_the_hash(service):
    d = seeded(service)
    new = LAW.replace("English law", "Scots law")
    result = service.edit_section(d.id, "law", "R. Reviewer", new)
    assert not result.new_version and result.draft.id == d.id
    assert result.draft.content_sha256 != d.content_sha256
    assert before_text(result.diff) == LAW and after_text(result.diff) == new
    assert render(result.diff) == "The agreement is governed by [-English-] {+Scots+} law [1]."
    view = service.review(d.id, "R. Reviewer")
    law = view.section("law")
    assert law.agent_body == LAW and law.section.body == new and law.edited and law.diff == result.diff
    assert service.drafts.get(d.id).content_sha256 == result.draft.content_sha256
    # A second edit is still measured against the agent's text, not the previous edit.
    again = service.edit_section(d.id, "law", "R. Reviewer", new + " No other law applies.")
    assert before_text(again.diff) == LAW
    entry = service.audit.entries(d.id)[-1]
    assert entry.action == "section.edited" and json.loads(entry.detail)["content_sha256"] == again.draft.content_sha256
    assert [e.editor for e in service.sections.edits(d.id)] == ["R. Reviewer", "R. Reviewer"]


def test_an_edit_sends_an_approved_section_and_an_approved_draft_back_to_review(service):
    d = seeded(service)
    ready_to_sign(service, d.id)
    assert service.drafts.get(d.id).status is DraftStatus.APPROVED
    service.edit_section(d.id, "law", "R. Reviewer", LAW + " Courts of London.")
    view = service.review(d.id)
    assert view.draft.status is DraftStatus.IN_REVIEW and view.section("law").status is SectionStatus.PENDING
    assert view.section("cap").status is SectionStatus.APPROVED


def test_edit_refusals_name_the_problem(service):
    d = seeded(service)
    with pytest.raises(ReviewError, match="no section 'scope'; its sections are: law, cap"):
        service.edit_section(d.id, "scope", "R. Reviewer", "x")
    with pytest.raises(ReviewError, match="nothing to change"):
        service.edit_section(d.id, "law", "R. Reviewer", LAW)
    with pytest.raises(ReviewError, match="cannot be left empty"):
        service.edit_section(d.id, "law", "R. Reviewer", "  \n")
    with pytest.raises(ReviewError, match="needs the reviewer's name"):
        service.edit_section(d.id, "law", " ", "New text.")
    assert actions(service, d.id) == ["draft.created"]


def test_editing_a_signed_draft_makes_a_new_version_and_leaves_the_signed_one_untouched(service):
    d = seeded(service)
    ready_to_sign(service, d.id)
    service.sign_off(d.id, "R. Reviewer", "reviewer", "reviewed", domain="legal")
    signed = service.drafts.get(d.id)
    frozen = service._db.execute("SELECT * FROM signoffs WHERE draft_id = ?", (d.id,))
    result = service.edit_section(d.id, "law", "R. Reviewer", LAW + " Courts of London.")
    assert result.new_version and result.draft.id != d.id
    v2 = service.drafts.get(result.draft.id)
    assert (v2.version, v2.status, v2.supersedes, v2.signoffs) == (2, DraftStatus.DRAFT, d.id, ())
    assert v2.content_sha256 != signed.content_sha256
    again = service.drafts.get(d.id)
    assert again == signed and again.content_sha256 == signed.content_sha256
    assert again.signoffs[0].content_sha256 == signed.content_sha256 == again.content_sha256
    assert [tuple(r) for r in service._db.execute("SELECT * FROM signoffs WHERE draft_id = ?", (d.id,))] == \
        [tuple(r) for r in frozen]
    # The new version is reviewed from scratch, but flags settled on unchanged text stay settled.
    view = service.review(v2.id)
    assert {s.section.key: s.status for s in view.sections} == {"law": SectionStatus.PENDING, "cap": SectionStatus.PENDING}
    assert view.section("law").agent_body == LAW
    assert all(f.resolution for f in view.section("cap").flags)
    with pytest.raises(IllegalTransition):
        service.sign_off(v2.id, "R. Reviewer", "reviewer", "reviewed", domain="legal")
    with pytest.raises(ReviewError, match=f"superseded by {v2.id}"):
        service.edit_section(d.id, "law", "R. Reviewer", "Another branch.")
    for key in ("law", "cap"):
        service.section_action(v2.id, key, SectionAction.APPROVE, "P. Partner")
    service.act(v2.id, ReviewAction.APPROVE, "P. Partner")
    s2 = service.sign_off(v2.id, "P. Partner", "partner", "approved", domain="legal")
    assert s2.version == 2 and s2.content_sha256 == v2.content_sha256
    assert service.drafts.get(d.id) == signed
    assert actions(service, v2.id)[:2] == ["draft.new_version", "section.edited"]
    assert service.audit.verify() is None


def test_flags_gate_sign_off_until_each_is_fixed_or_accepted_with_a_reason(service):
    d = seeded(service)
    for key in ("law", "cap"):
        service.section_action(d.id, key, SectionAction.APPROVE, "R. Reviewer")
    service.act(d.id, ReviewAction.APPROVE, "R. Reviewer")
    with pytest.raises(ReviewError, match='"Limitation of liability" \\(section cap\\): flag 0 is unresolved: 250,000 appears in no source; '
                                          '"Limitation of liability" \\(section cap\\): flag 1 is unresolved'):
        service.sign_off(d.id, "R. Reviewer", "", "reviewed")
    with pytest.raises(ReviewError, match='flagged text "250,000" is still in the section'):
        service.resolve_flag(d.id, "cap", 0, "R. Reviewer", Resolution.FIXED)
    with pytest.raises(ReviewError, match="unchanged since the agent wrote it"):
        service.resolve_flag(d.id, "cap", 1, "R. Reviewer", Resolution.FIXED)
    with pytest.raises(ReviewError, match="needs a written reason"):
        service.resolve_flag(d.id, "cap", 1, "R. Reviewer", Resolution.ACCEPTED, "   ")
    with pytest.raises(ReviewError, match="numbered 0 to 1; there is no flag 2"):
        service.resolve_flag(d.id, "cap", 2, "R. Reviewer", Resolution.ACCEPTED, "fine")
    with pytest.raises(ReviewError, match="section 'law' has no verifier flags"):
        service.resolve_flag(d.id, "law", 0, "R. Reviewer", Resolution.ACCEPTED, "fine")
    service.resolve_flag(d.id, "cap", 0, "R. Reviewer", Resolution.ACCEPTED, "the cap is in the side letter")
    with pytest.raises(ReviewError, match='"Limitation of liability" \\(section cap\\): flag 1 is unresolved') as refused:
        service.sign_off(d.id, "R. Reviewer", "", "reviewed")
    assert "flag 0" not in str(refused.value)
    service.resolve_flag(d.id, "cap", 1, "R. Reviewer", Resolution.ACCEPTED, "quote checked by hand")
    assert service.sign_off(d.id, "R. Reviewer", "", "reviewed").role == "reviewer"
    resolved = [json.loads(e.detail) for e in service.audit.entries(d.id) if e.action == "flag.resolved"]
    assert [(r["flag"], r["resolution"], r["reason"]) for r in resolved] == [
        (0, "accepted", "the cap is in the side letter"), (1, "accepted", "quote checked by hand")]


def test_sections_must_all_be_approved_before_the_draft(service):
    d = seeded(service)
    with pytest.raises(ReviewError, match=r'"Governing law" \(section law\) is not approved yet; "Limitation of liability" \(section cap\)'):
        service.act(d.id, ReviewAction.APPROVE, "R. Reviewer")
    with pytest.raises(ReviewError, match="requesting changes needs a note"):
        service.section_action(d.id, "cap", SectionAction.REQUEST_CHANGES, "R. Reviewer")
    service.section_action(d.id, "law", SectionAction.APPROVE, "R. Reviewer")
    service.section_action(d.id, "cap", SectionAction.REQUEST_CHANGES, "R. Reviewer", "which year?")
    with pytest.raises(IllegalTransition, match="edit it first"):
        service.section_action(d.id, "cap", SectionAction.APPROVE, "R. Reviewer")
    with pytest.raises(ReviewError, match=r'"Limitation of liability" \(section cap\) has changes requested'):
        service.approve_all(d.id, "R. Reviewer")
    assert service.drafts.get(d.id).status is DraftStatus.DRAFT  # the failed approve_all left nothing behind
    assert [c.text for c in service.review(d.id).section("cap").comments] == ["which year?"]
    service.edit_section(d.id, "cap", "A. Associate", CAP.replace("any year", "any contract year"))
    assert service.approve_all(d.id, "R. Reviewer").status is DraftStatus.APPROVED
    assert actions(service, d.id) == ["draft.created", "section.approved", "section.changes_requested",
                                      "section.edited", "section.approved", "draft.approve"]


def test_comments_are_kept_per_section_and_audited(service):
    d = seeded(service)
    c = service.comment(d.id, "cap", "R. Reviewer", "  Check the side letter.  ")
    assert (c.author, c.text, c.at.endswith("Z")) == ("R. Reviewer", "Check the side letter.", True)
    service.comment(d.id, "law", "P. Partner", "Fine.")
    assert [(x.author, x.text) for x in service.review(d.id).section("cap").comments] == [("R. Reviewer", "Check the side letter.")]
    with pytest.raises(ReviewError, match="needs some text"):
        service.comment(d.id, "law", "P. Partner", " ")
    entry = service.audit.entries(d.id)[1]
    assert entry.action == "section.commented" and "side letter" not in entry.detail and "text_sha256" in entry.detail


def test_viewing_signed_work_is_audited_and_viewing_a_draft_is_not(service):
    d = seeded(service)
    service.review(d.id, "R. Reviewer")
    assert "draft.viewed" not in actions(service, d.id)
    ready_to_sign(service, d.id)
    service.sign_off(d.id, "R. Reviewer", "", "reviewed")
    view = service.review(d.id, "Auditor General")
    assert view.blockers == () and [s.reviewer for s in view.signatures] == ["R. Reviewer"]
    last = service.audit.entries(d.id)[-1]
    assert (last.action, last.actor) == ("draft.viewed", "Auditor General")
    assert json.loads(last.detail)["content_sha256"] == view.draft.content_sha256


def test_the_whole_workflow_is_in_the_chain_and_the_chain_verifies(service):
    d = seeded(service)
    ready_to_sign(service, d.id)
    service.comment(d.id, "law", "R. Reviewer", "Agreed.")
    service.sign_off(d.id, "R. Reviewer", "", "reviewed")
    service.review(d.id, "R. Reviewer")
    assert actions(service, d.id) == ["draft.created", "section.edited", "flag.resolved", "flag.resolved",
                                      "section.approved", "section.approved", "draft.approve", "section.commented",
                                      "draft.signed_off", "draft.viewed"]
    assert service.audit.verify() is None


def test_a_refused_action_writes_nothing(service):
    d = seeded(service)
    before = len(service.audit.entries())
    for attempt in (lambda: service.resolve_flag(d.id, "cap", 0, "R. Reviewer", Resolution.ACCEPTED, ""),
                    lambda: service.section_action(d.id, "nope", SectionAction.APPROVE, "R. Reviewer"),
                    lambda: service.sign_off(d.id, "R. Reviewer", "", "reviewed")):
        with pytest.raises(ValueError):
            attempt()
    assert len(service.audit.entries()) == before
    assert service.sections.resolutions(d.id) == []
