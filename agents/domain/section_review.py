"""Per-section review: the section state machine, verifier-flag resolutions, and the gates a
draft must pass before it can be approved or signed off."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from agents.domain.drafts import Draft, DraftFlag, Section
from agents.domain.review_rules import DraftStatus, IllegalTransition


class SectionStatus(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class SectionAction(str, Enum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    EDIT = "edit"


_SECTION_TRANSITIONS: dict[tuple[SectionStatus, SectionAction], SectionStatus] = {
    (SectionStatus.PENDING, SectionAction.APPROVE): SectionStatus.APPROVED,
    (SectionStatus.PENDING, SectionAction.REQUEST_CHANGES): SectionStatus.CHANGES_REQUESTED,
    (SectionStatus.PENDING, SectionAction.EDIT): SectionStatus.PENDING,
    (SectionStatus.APPROVED, SectionAction.REQUEST_CHANGES): SectionStatus.CHANGES_REQUESTED,
    # Whatever the section's state, an edit puts the new text in front of a reviewer again.
    (SectionStatus.APPROVED, SectionAction.EDIT): SectionStatus.PENDING,
    (SectionStatus.CHANGES_REQUESTED, SectionAction.EDIT): SectionStatus.PENDING,
}

# Sections are approved or sent back while the draft is being reviewed; once the draft is
# approved its sections are settled (request changes on the draft to reopen them).
SECTION_REVIEW_OPEN = (DraftStatus.DRAFT, DraftStatus.IN_REVIEW, DraftStatus.CHANGES_REQUESTED)


def _words(value: str) -> str:
    return value.replace("_", " ")


def next_section_status(current: SectionStatus, action: SectionAction, draft_status: DraftStatus) -> SectionStatus:
    if action is not SectionAction.EDIT and draft_status not in SECTION_REVIEW_OPEN:
        raise IllegalTransition(f"cannot {_words(action.value)} a section of a draft that is {_words(draft_status.value)}"
                                + ("; request changes on the draft first" if draft_status is DraftStatus.APPROVED else ""))
    return section_transition(current, action)


def section_transition(current: SectionStatus, action: SectionAction) -> SectionStatus:
    """The section's next status whatever the draft's, as when replaying recorded steps."""
    try:
        return _SECTION_TRANSITIONS[(current, action)]
    except KeyError:
        hint = "; edit it first" if current is SectionStatus.CHANGES_REQUESTED else ""
        raise IllegalTransition(f"cannot {_words(action.value)} a section that is {_words(current.value)}{hint}") from None


def allowed_section_actions(current: SectionStatus, draft_status: DraftStatus) -> list[SectionAction]:
    return [a for (s, a) in _SECTION_TRANSITIONS
            if s is current and (a is SectionAction.EDIT or draft_status in SECTION_REVIEW_OPEN)]


class Resolution(str, Enum):
    FIXED = "fixed"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class SectionState:
    """Where a section stands in review, and the agent's text its edits are measured against."""

    key: str
    status: SectionStatus
    agent_body: str


@dataclass(frozen=True)
class FlagResolution:
    section_key: str
    flag_index: int
    resolution: Resolution
    reason: str
    resolved_by: str
    resolved_at: str


@dataclass(frozen=True)
class SectionComment:
    section_key: str
    author: str
    at: str
    text: str


@dataclass(frozen=True)
class SectionEdit:
    section_key: str
    editor: str
    edited_at: str
    before: str
    after: str


@dataclass(frozen=True)
class ReviewRecords:
    """A draft's whole per-section review, as it travels in a review package."""

    states: tuple[SectionState, ...]
    edits: tuple[SectionEdit, ...]
    comments: tuple[SectionComment, ...]
    resolutions: tuple[FlagResolution, ...]


def flagged_text(flag: DraftFlag, agent_body: str) -> str:
    """The words a flag points at; spans refer to the agent's text, which edits never change."""
    if 0 <= flag.start < flag.end <= len(agent_body):
        return agent_body[flag.start:flag.end]
    return ""


def fixed_refusal(flag: DraftFlag, agent_body: str, body: str) -> str | None:
    """Why "fixed" cannot be claimed for this flag, or None when the edit dealt with it: a flag on
    a span is fixed once that text is gone from the section; a flag on the whole section once
    the section was edited at all. Anything else is "accepted", with a reason."""
    span = flagged_text(flag, agent_body)
    if span.strip():
        if span in body:
            return f"the flagged text \"{span}\" is still in the section; edit it out, or accept the flag with a reason"
        return None
    if body == agent_body:
        return "the section is unchanged since the agent wrote it; edit it, or accept the flag with a reason"
    return None


def unresolved_flags(draft: Draft, resolutions: list[FlagResolution]) -> list[tuple[Section, int, DraftFlag]]:
    done = {(r.section_key, r.flag_index) for r in resolutions}
    return [(s, i, f) for s in draft.sections for i, f in enumerate(s.flags) if (s.key, i) not in done]


_NOT_APPROVED = {SectionStatus.PENDING: "is not approved yet", SectionStatus.CHANGES_REQUESTED: "has changes requested"}


def _section_name(s: Section) -> str:
    # The heading is what the reviewer sees; the key is what `countersign review` commands take.
    return f"\"{s.heading}\" (section {s.key})"


def approval_blockers(draft: Draft, states: dict[str, SectionState]) -> list[str]:
    return [f"{_section_name(s)} {_NOT_APPROVED[states[s.key].status]}"
            for s in draft.sections if states[s.key].status is not SectionStatus.APPROVED]


def signoff_blockers(draft: Draft, states: dict[str, SectionState], resolutions: list[FlagResolution]) -> list[str]:
    """Everything that stands between this draft and a signature, in words a reviewer can act on."""
    out = approval_blockers(draft, states)
    out += [f"{_section_name(s)}: flag {i} is unresolved: {f.message}" for s, i, f in unresolved_flags(draft, resolutions)]
    return out
