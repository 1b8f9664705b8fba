"""Both review state machines, over every (state, action) pair: the legal moves land where the
table below says, and every other move is refused with a message naming the action and state."""
import itertools

import pytest

from agents.domain.drafts import Draft, DraftFlag, Section
from agents.domain.review_rules import DraftStatus as D, IllegalTransition, ReviewAction as A, allowed_actions, next_status
from agents.domain.section_review import (FlagResolution, Resolution, SectionAction as SA, SectionState,
                                          SectionStatus as S, allowed_section_actions, fixed_refusal,
                                          next_section_status, signoff_blockers)

# Written out independently of the implementation: the workflow as the firm describes it.
DRAFT_MOVES = {
    (D.DRAFT, A.SUBMIT): D.IN_REVIEW,
    (D.DRAFT, A.APPROVE): D.APPROVED,
    (D.DRAFT, A.EDIT): D.DRAFT,
    (D.IN_REVIEW, A.APPROVE): D.APPROVED,
    (D.IN_REVIEW, A.REQUEST_CHANGES): D.CHANGES_REQUESTED,
    (D.IN_REVIEW, A.EDIT): D.IN_REVIEW,
    (D.CHANGES_REQUESTED, A.REVISE): D.DRAFT,
    (D.CHANGES_REQUESTED, A.EDIT): D.CHANGES_REQUESTED,
    (D.APPROVED, A.REQUEST_CHANGES): D.CHANGES_REQUESTED,
    (D.APPROVED, A.SIGN_OFF): D.SIGNED_OFF,
    (D.APPROVED, A.EDIT): D.IN_REVIEW,
}

SECTION_MOVES = {
    (S.PENDING, SA.APPROVE): S.APPROVED,
    (S.PENDING, SA.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.PENDING, SA.EDIT): S.PENDING,
    (S.APPROVED, SA.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.APPROVED, SA.EDIT): S.PENDING,
    (S.CHANGES_REQUESTED, SA.EDIT): S.PENDING,
}
OPEN = {D.DRAFT, D.IN_REVIEW, D.CHANGES_REQUESTED}


@pytest.mark.parametrize("status,action", list(itertools.product(D, A)))
def test_every_draft_transition(status, action):
    if (status, action) in DRAFT_MOVES:
        assert next_status(status, action) is DRAFT_MOVES[(status, action)]
        assert action in allowed_actions(status)
    else:
        with pytest.raises(IllegalTransition, match=f"cannot {action.value.replace('_', ' ')} a draft that is "
                                                    f"{status.value.replace('_', ' ')}"):
            next_status(status, action)
        assert action not in allowed_actions(status)


@pytest.mark.parametrize("status,action,draft_status", list(itertools.product(S, SA, D)))
def test_every_section_transition(status, action, draft_status):
    legal = (status, action) in SECTION_MOVES and (action is SA.EDIT or draft_status in OPEN)
    if legal:
        assert next_section_status(status, action, draft_status) is SECTION_MOVES[(status, action)]
        assert action in allowed_section_actions(status, draft_status)
    else:
        with pytest.raises(IllegalTransition, match=f"cannot {action.value.replace('_', ' ')} a section"):
            next_section_status(status, action, draft_status)
        assert action not in allowed_section_actions(status, draft_status)


def test_refusals_say_what_to_do_next():
    with pytest.raises(IllegalTransition, match="edit it first"):
        next_section_status(S.CHANGES_REQUESTED, SA.APPROVE, D.IN_REVIEW)
    with pytest.raises(IllegalTransition, match="request changes on the draft first"):
        next_section_status(S.PENDING, SA.APPROVE, D.APPROVED)


def _draft(*sections: Section) -> Draft:
    return Draft("d", "m", "contract-review", "Memo", D.DRAFT, 1, "t", "p", "model", "0" * 64, 1, sections)


def test_sign_off_is_blocked_by_each_unapproved_section_and_each_unresolved_flag():
    flags = (DraftFlag("figure 12 in no source", start=4, end=6), DraftFlag("quote not on page"))
    d = _draft(Section("a", "A", "Fee 12 paid."), Section("b", "B", "Fine.", flags=flags))
    states = {"a": SectionState("a", S.APPROVED, "Fee 12 paid."), "b": SectionState("b", S.PENDING, "Fine.")}
    blockers = signoff_blockers(d, states, [])
    assert blockers == ['"B" (section b) is not approved yet', '"B" (section b): flag 0 is unresolved: figure 12 in no source',
                        '"B" (section b): flag 1 is unresolved: quote not on page']
    states["b"] = SectionState("b", S.APPROVED, "Fine.")
    done = [FlagResolution("b", i, Resolution.ACCEPTED, "checked", "R", "t") for i in (0, 1)]
    assert signoff_blockers(d, states, done) == []


def test_fixed_needs_the_flagged_span_gone_or_for_a_whole_section_flag_an_edit():
    agent = "Revenue was 1,250 in 2024."
    span = DraftFlag("1,250 appears in no source", start=12, end=17)
    assert "still in the section" in fixed_refusal(span, agent, "Revenue was 1,250 (restated) in 2024.")
    assert fixed_refusal(span, agent, "Revenue was 1,205 in 2024.") is None
    whole = DraftFlag("citation [3] does not resolve")
    assert "unchanged" in fixed_refusal(whole, agent, agent)
    assert fixed_refusal(whole, agent, agent + " See note 4.") is None
