"""What a reviewer sees of a draft: each section with its review state, the diff against the
agent's text, comments and flags with their resolutions, and what still stands before sign-off."""
from __future__ import annotations

from dataclasses import dataclass

from agents.domain.drafts import Draft, DraftFlag, Section, SignOff
from agents.domain.section_review import FlagResolution, SectionComment, SectionStatus
from agents.domain.text_diff import DiffPiece


@dataclass(frozen=True)
class FlagView:
    index: int
    flag: DraftFlag
    resolution: FlagResolution | None


@dataclass(frozen=True)
class SectionReview:
    section: Section
    status: SectionStatus
    agent_body: str
    diff: tuple[DiffPiece, ...]  # empty while the body is the agent's text
    comments: tuple[SectionComment, ...]
    flags: tuple[FlagView, ...]

    @property
    def edited(self) -> bool:
        return self.section.body != self.agent_body


@dataclass(frozen=True)
class DraftReview:
    draft: Draft
    sections: tuple[SectionReview, ...]
    blockers: tuple[str, ...]  # what must be done before anyone may sign
    awaiting: tuple[str, ...]  # signatures the firm's policy still wants for this content
    signatures: tuple[SignOff, ...]  # those on exactly this version's content
    superseded_by: str = ""  # a later version made from this one by an edit
    revision: int = 0  # the draft's last change (audit seq): actions decided on this view pass it as `seen`

    def section(self, key: str) -> SectionReview:
        return next(s for s in self.sections if s.section.key == key)


@dataclass(frozen=True)
class EditResult:
    draft: Draft  # the version that holds the edit: the same draft, or a new version of a signed one
    section_key: str
    diff: tuple[DiffPiece, ...]  # the edited body against the agent's text
    new_version: bool
