import json

import pytest

from agents.domain.review_rules import DraftStatus
from agents.domain.signoff_policy import PolicyError, SignOffPolicy, awaiting
from agents.review.service import ReviewError, ReviewService
from agents.runtime.database import connect
from workflow_drafts import memo, ready_to_sign, seeded


@pytest.fixture
def service(tmp_path):
    s = ReviewService(connect(tmp_path / "db.sqlite3"))
    for name, initials, role in (("R. Reviewer", "RR", "reviewer"), ("P. Partner", "PP", "partner"),
                                 ("S. Second", "SS", "reviewer"), ("A. Associate", "AA", "preparer"),
                                 ("E. Editor", "EE", "reviewer")):
        s.add_profile(name, initials, role)
    return s


def approved(service, draft_id="draft_1", preparer="A. Associate"):
    d = seeded(service, memo(draft_id, preparer))
    ready_to_sign(service, d.id)
    return d


def test_a_signature_records_name_role_utc_time_meaning_and_the_content_hash(service):
    d = approved(service)
    s = service.sign_off(d.id, "r. reviewer", "", "reviewed", domain="legal")  # names match case-insensitively
    current = service.drafts.get(d.id)
    assert (s.reviewer, s.role, s.meaning, s.version) == ("R. Reviewer", "reviewer", "reviewed", 1)
    assert s.content_sha256 == current.content_sha256 and s.signed_at.endswith("Z") and "T" in s.signed_at
    assert current.status is DraftStatus.SIGNED_OFF and current.signoffs == (s,)


def test_an_unknown_person_or_a_role_other_than_the_profiles_cannot_sign(service):
    d = approved(service)
    with pytest.raises(ReviewError, match="'M. Vale' has no profile.*countersign profile add"):
        service.sign_off(d.id, "M. Vale", "partner", "approved")
    with pytest.raises(ReviewError, match="R. Reviewer's profile says reviewer, not partner"):
        service.sign_off(d.id, "R. Reviewer", "partner", "approved")
    assert service.drafts.get(d.id).signoffs == ()


def test_roles_allowed_to_sign_follow_the_work_products_domain(service):
    service.set_policy("signers.legal", "partner", "Managing Partner")
    d = approved(service)
    with pytest.raises(ReviewError, match="R. Reviewer is a reviewer; firm policy lets only partner sign legal"):
        service.sign_off(d.id, "R. Reviewer", "", "reviewed", domain="legal")
    with pytest.raises(ReviewError, match="A. Associate is a preparer; firm policy lets only reviewer or partner "
                                          "sign finance"):
        service.sign_off(d.id, "A. Associate", "", "reviewed", domain="finance")
    assert service.sign_off(d.id, "P. Partner", "", "approved", domain="legal").role == "partner"
    f = approved(service, "draft_2")
    assert service.sign_off(f.id, "R. Reviewer", "", "reviewed", domain="finance").role == "reviewer"


def test_a_second_reviewer_must_be_a_different_person(service):
    service.set_policy("second_reviewer", "on", "Managing Partner")
    d = approved(service)
    service.sign_off(d.id, "R. Reviewer", "", "reviewed")
    first = service.review(d.id)
    assert first.draft.status is DraftStatus.APPROVED
    assert first.awaiting == ("a second reviewer's sign-off (policy requires two different people)",)
    with pytest.raises(ReviewError, match="R. Reviewer has already signed version 1"):
        service.sign_off(d.id, "R. REVIEWER", "", "reviewed")
    service.sign_off(d.id, "P. Partner", "", "approved")
    done = service.drafts.get(d.id)
    assert done.status is DraftStatus.SIGNED_OFF
    assert [(s.reviewer, s.meaning) for s in done.signoffs] == [("R. Reviewer", "reviewed"), ("P. Partner", "approved")]
    assert {s.content_sha256 for s in done.signoffs} == {done.content_sha256}
    details = [json.loads(e.detail) for e in service.audit.entries(d.id) if e.action == "draft.signed_off"]
    assert [x["complete"] for x in details] == [False, True]


def test_maker_checker_the_preparer_or_an_editor_cannot_be_the_only_signer(service):
    service.add_profile("B. Preparer", "BP", "reviewer")
    d = approved(service, preparer="B. Preparer")
    service.sign_off(d.id, "B. Preparer", "", "reviewed")
    assert service.drafts.get(d.id).status is DraftStatus.APPROVED
    assert service.review(d.id).awaiting == ("a sign-off by someone who neither prepared nor edited the draft "
                                             "(maker-checker)",)
    service.sign_off(d.id, "P. Partner", "", "approved")
    assert service.drafts.get(d.id).status is DraftStatus.SIGNED_OFF

    e = seeded(service, memo("draft_2"))
    service.edit_section(e.id, "law", "E. Editor", "Scots law governs [1].")
    ready_to_sign(service, e.id)
    service.sign_off(e.id, "E. Editor", "", "reviewed")
    assert service.drafts.get(e.id).status is DraftStatus.APPROVED  # an editor is a maker too
    service.sign_off(e.id, "S. Second", "", "reviewed")
    assert service.drafts.get(e.id).status is DraftStatus.SIGNED_OFF


def test_without_maker_checker_the_preparer_may_sign_alone(service):
    service.set_policy("maker_checker", "off", "Managing Partner")
    service.add_profile("B. Preparer", "BP", "reviewer")
    d = approved(service, preparer="B. Preparer")
    service.sign_off(d.id, "B. Preparer", "", "reviewed")
    assert service.drafts.get(d.id).status is DraftStatus.SIGNED_OFF


def test_awaiting_is_pure_and_case_insensitive():
    both = SignOffPolicy(second_reviewer=True, maker_checker=True)
    assert len(awaiting(both, ["Ann"], {"ann"})) == 2
    assert awaiting(both, ["Ann", "Bob"], {"ann"}) == []
    assert awaiting(both, ["Ann", "Bob"], {"ANN", "bob"}) == [
        "a sign-off by someone who neither prepared nor edited the draft (maker-checker)"]
    assert awaiting(SignOffPolicy(maker_checker=False), ["Ann"], {"Ann"}) == []


def test_profiles_are_validated_unique_and_audited(service):
    with pytest.raises(PolicyError, match="initials 'M.V.' must be 1 to 4 letters"):
        service.add_profile("M. Vale", "M.V.", "partner")
    with pytest.raises(PolicyError, match="role 'intern' is not one of: preparer, reviewer, partner"):
        service.add_profile("M. Vale", "MV", "intern")
    with pytest.raises(PolicyError, match="needs a name"):
        service.add_profile("  ", "MV", "partner")
    with pytest.raises(PolicyError, match="'r.  reviewer' already exists|'r. reviewer' already exists"):
        service.add_profile("r.  reviewer", "RR", "reviewer")
    p = service.add_profile("  M.   Vale ", "mv", "partner")
    assert (p.name, p.initials, p.role) == ("M. Vale", "MV", "partner")
    assert [x.name for x in service.people.list()] == ["A. Associate", "E. Editor", "M. Vale", "P. Partner",
                                                        "R. Reviewer", "S. Second"]
    last = service.audit.entries("M. Vale")[-1]
    assert last.action == "profile.added" and json.loads(last.detail) == {"initials": "MV", "role": "partner"}


def test_policy_settings_are_checked_kept_and_audited(service, tmp_path):
    with pytest.raises(PolicyError, match="unknown policy setting 'signers.marketing'"):
        service.set_policy("signers.marketing", "partner", "MP")
    with pytest.raises(PolicyError, match="takes roles from preparer, reviewer, partner"):
        service.set_policy("signers.legal", "partner, boss", "MP")
    with pytest.raises(PolicyError, match="second_reviewer must be on or off, not 'maybe'"):
        service.set_policy("second_reviewer", "maybe", "MP")
    with pytest.raises(ReviewError, match="needs the name"):
        service.set_policy("second_reviewer", "on", " ")
    assert service.audit.entries("policy") == []
    service.set_policy("signers.tax", "partner", "MP")
    service.set_policy("second_reviewer", "yes", "MP")
    reopened = ReviewService(connect(tmp_path / "db.sqlite3")).people.policy()
    assert reopened.roles_for("tax") == ("partner",) and reopened.roles_for("legal") == ("reviewer", "partner")
    assert reopened.second_reviewer and reopened.maker_checker
    assert [json.loads(e.detail)["key"] for e in service.audit.entries("policy")] == ["signers.tax", "second_reviewer"]
    assert service.audit.verify() is None


def test_an_edit_after_a_first_signature_goes_into_a_new_version(service):
    service.set_policy("second_reviewer", "on", "Managing Partner")
    d = approved(service)
    first = service.sign_off(d.id, "R. Reviewer", "", "reviewed")
    result = service.edit_section(d.id, "law", "P. Partner", "Scots law governs [1].")
    assert result.new_version and result.draft.version == 2
    kept = service.drafts.get(d.id)
    assert kept.status is DraftStatus.APPROVED and kept.signoffs == (first,)
    assert kept.content_sha256 == first.content_sha256
