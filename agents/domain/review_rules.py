"""The review state machine: which action may move a draft from which status to which."""
from __future__ import annotations

from enum import Enum


class DraftStatus(str, Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    SIGNED_OFF = "signed_off"


class ReviewAction(str, Enum):
    SUBMIT = "submit"
    REQUEST_CHANGES = "request_changes"
    REVISE = "revise"
    APPROVE = "approve"
    SIGN_OFF = "sign_off"
    # A reviewer's inline edit. A signed-off draft is never edited: the edit makes a new version.
    EDIT = "edit"


class IllegalTransition(ValueError):
    """Raised when an action is not allowed from the draft's current status."""


SIGN_OFF_MEANINGS = ("reviewed", "approved")
SIGN_OFF_ROLES = ("reviewer", "partner", "preparer")

_TRANSITIONS: dict[tuple[DraftStatus, ReviewAction], DraftStatus] = {
    (DraftStatus.DRAFT, ReviewAction.SUBMIT): DraftStatus.IN_REVIEW,
    # Approving straight from draft is allowed: the reviewer opening it is the review.
    (DraftStatus.DRAFT, ReviewAction.APPROVE): DraftStatus.APPROVED,
    (DraftStatus.IN_REVIEW, ReviewAction.APPROVE): DraftStatus.APPROVED,
    (DraftStatus.IN_REVIEW, ReviewAction.REQUEST_CHANGES): DraftStatus.CHANGES_REQUESTED,
    (DraftStatus.CHANGES_REQUESTED, ReviewAction.REVISE): DraftStatus.DRAFT,
    (DraftStatus.APPROVED, ReviewAction.REQUEST_CHANGES): DraftStatus.CHANGES_REQUESTED,
    (DraftStatus.APPROVED, ReviewAction.SIGN_OFF): DraftStatus.SIGNED_OFF,
    (DraftStatus.DRAFT, ReviewAction.EDIT): DraftStatus.DRAFT,
    (DraftStatus.IN_REVIEW, ReviewAction.EDIT): DraftStatus.IN_REVIEW,
    (DraftStatus.CHANGES_REQUESTED, ReviewAction.EDIT): DraftStatus.CHANGES_REQUESTED,
    # The approval was given to other content, so an edit sends the draft back to review.
    (DraftStatus.APPROVED, ReviewAction.EDIT): DraftStatus.IN_REVIEW,
}


def next_status(current: DraftStatus, action: ReviewAction) -> DraftStatus:
    try:
        return _TRANSITIONS[(current, action)]
    except KeyError:
        raise IllegalTransition(
            f"cannot {action.value.replace('_', ' ')} a draft that is {current.value.replace('_', ' ')}"
        ) from None


def allowed_actions(current: DraftStatus) -> list[ReviewAction]:
    return [action for (status, action) in _TRANSITIONS if status is current]
