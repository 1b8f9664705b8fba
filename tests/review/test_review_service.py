import pytest

from agents.domain.drafts import Draft, Section
from agents.domain.review_rules import DraftStatus, IllegalTransition, ReviewAction
from agents.domain.section_review import SectionAction
from agents.review.service import ReviewError, ReviewService
from agents.runtime.database import connect


@pytest.fixture
def service(tmp_path):
    s = ReviewService(connect(tmp_path / "db.sqlite3"))
    s.add_profile("R. Reviewer", "RR", "partner")
    return s


def _draft(service) -> Draft:
    d = Draft("draft_1", "mat_1", "contract-review", "Memo", DraftStatus.DRAFT, 1, "2026-01-01T00:00:00Z",
              "A. Associate", "model", "0" * 64, 42, (Section("law", "Governing law", "English law [1]."),))
    service._db.execute("INSERT INTO matters VALUES ('mat_1', 'M', 'now')")
    service.create(d)
    service.section_action(d.id, "law", SectionAction.APPROVE, "R. Reviewer")
    return d


def test_sign_off_binds_to_the_content_the_reviewer_saw(service):
    d = _draft(service)
    service.act(d.id, ReviewAction.APPROVE, "R. Reviewer")
    with pytest.raises(ReviewError, match="changed since"):
        service.sign_off(d.id, "R. Reviewer", "partner", "approved", expected_sha256="f" * 64)
    signoff = service.sign_off(d.id, "R. Reviewer", "partner", "approved", expected_sha256=d.content_sha256)
    assert signoff.content_sha256 == d.content_sha256
    assert service.drafts.get(d.id).status is DraftStatus.SIGNED_OFF
    assert [e.action for e in service.audit.entries(d.id)] == ["draft.created", "section.approved", "draft.approve",
                                                            "draft.signed_off"]


def test_sign_off_needs_an_approved_draft_a_name_a_meaning_and_a_role(service):
    d = _draft(service)
    with pytest.raises(IllegalTransition):
        service.sign_off(d.id, "R. Reviewer", "partner", "approved")
    service.act(d.id, ReviewAction.APPROVE, "R. Reviewer")
    with pytest.raises(ReviewError, match="name"):
        service.sign_off(d.id, " ", "partner", "approved")
    with pytest.raises(ReviewError, match="meaning"):
        service.sign_off(d.id, "R. Reviewer", "partner", "looked at it")
    with pytest.raises(ReviewError, match="role"):
        service.sign_off(d.id, "R. Reviewer", "intern", "approved")
    assert service.drafts.get(d.id).signoffs == ()


def test_changes_requested_then_revised_returns_to_draft(service):
    d = _draft(service)
    service.act(d.id, ReviewAction.SUBMIT, "A. Associate")
    service.act(d.id, ReviewAction.REQUEST_CHANGES, "R. Reviewer", "cite the cap")
    assert service.act(d.id, ReviewAction.REVISE, "A. Associate").status is DraftStatus.DRAFT
