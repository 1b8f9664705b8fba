import pytest

from agents.domain.review_rules import DraftStatus, IllegalTransition, ReviewAction, allowed_actions, next_status


def test_happy_path_reaches_signed_off():
    s = next_status(DraftStatus.DRAFT, ReviewAction.SUBMIT)
    s = next_status(s, ReviewAction.APPROVE)
    assert next_status(s, ReviewAction.SIGN_OFF) is DraftStatus.SIGNED_OFF


@pytest.mark.parametrize("status,action", [
    (DraftStatus.DRAFT, ReviewAction.SIGN_OFF),
    (DraftStatus.IN_REVIEW, ReviewAction.SIGN_OFF),
    (DraftStatus.CHANGES_REQUESTED, ReviewAction.APPROVE),
    (DraftStatus.SIGNED_OFF, ReviewAction.APPROVE),
    (DraftStatus.SIGNED_OFF, ReviewAction.REQUEST_CHANGES),
    (DraftStatus.SIGNED_OFF, ReviewAction.SIGN_OFF),
])
def test_illegal_transitions_are_rejected(status, action):
    with pytest.raises(IllegalTransition, match="cannot"):
        next_status(status, action)


def test_signed_off_is_terminal():
    assert allowed_actions(DraftStatus.SIGNED_OFF) == []


def test_changes_requested_goes_back_to_draft():
    assert next_status(DraftStatus.CHANGES_REQUESTED, ReviewAction.REVISE) is DraftStatus.DRAFT
