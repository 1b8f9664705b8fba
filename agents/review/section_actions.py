"""Review actions on one section: approve, request changes, edit inline, comment, resolve a flag.
Each runs in one transaction with its audit entry. Editing a draft that carries a signature
never touches it: the edit goes into a new version, which needs its own sign-off."""
from __future__ import annotations

import hashlib
from dataclasses import replace

from agents.domain.draft_review import EditResult
from agents.domain.drafts import Draft, Section
from agents.domain.review_rules import DraftStatus, ReviewAction, next_status
from agents.domain.section_review import (FlagResolution, Resolution, SectionAction, SectionComment, SectionEdit,
                                          SectionState, SectionStatus, fixed_refusal, next_section_status)
from agents.domain.text_diff import word_diff
from agents.review.audit_log import AuditLog
from agents.review.drafts_store import DraftsStore
from agents.review.section_store import SectionStore
from agents.runtime.clock import new_id, utc_now


class ReviewError(ValueError):
    """A review action refused for a reason the reviewer can act on."""


# What each change to a draft was, for the message a reviewer gets when it beat theirs.
_CHANGES = {"draft.created": "created it", "draft.submit": "submitted it", "draft.approve": "approved it",
            "draft.request_changes": "requested changes", "draft.revise": "revised it", "draft.signed_off": "signed it off",
            "draft.new_version": "made a new version",
            "section.approved": "approved section '{}'", "section.changes_requested": "requested changes on section '{}'",
            "section.edited": "edited section '{}'", "section.commented": "commented on section '{}'",
            "flag.resolved": "resolved a flag in section '{}'"}


class ReviewConflict(ReviewError):
    """Someone else changed the draft after this reviewer opened it; nothing was written."""

    @classmethod
    def after(cls, last) -> "ReviewConflict":
        import json

        if last is None:
            return cls("this draft's history is not what you opened; reload it and check again")
        section = json.loads(last.detail).get("section", "")
        what = _CHANGES.get(last.action, last.action).format(section)
        return cls(f"{last.actor} {what} at {last.at[11:16]} UTC, after you opened this draft; your action was not "
                   "saved. Reload the draft, check what changed, and act again.")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_section(draft: Draft, key: str) -> Section:
    for s in draft.sections:
        if s.key == key:
            return s
    raise ReviewError(f"draft {draft.id} has no section '{key}'; its sections are: "
                      f"{', '.join(s.key for s in draft.sections)}")


def _who(name: str, doing: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ReviewError(f"{doing} needs the reviewer's name")
    return name


class SectionActions:
    """Called inside a transaction the review service holds (see ReviewService)."""

    def __init__(self, drafts: DraftsStore, sections: SectionStore, audit: AuditLog) -> None:
        self.drafts, self.sections, self.audit = drafts, sections, audit

    def set_status(self, draft: Draft, key: str, action: SectionAction, actor: str, note: str = "") -> SectionState:
        find_section(draft, key)
        state = self.sections.states(draft)[key]
        new = replace(state, status=next_section_status(state.status, action, draft.status))
        self.sections.put_state(draft.id, new)
        if note:
            self.sections.add_comment(draft.id, SectionComment(key, actor, utc_now(), note))
        event = "section.approved" if action is SectionAction.APPROVE else "section.changes_requested"
        self.audit.append(actor, event, draft.id, section=key, note=note, content_sha256=draft.content_sha256)
        return new

    def comment(self, draft: Draft, key: str, author: str, text: str) -> SectionComment:
        author = _who(author, "a comment")
        if not text.strip():
            raise ReviewError("a comment needs some text")
        find_section(draft, key)
        c = SectionComment(key, author, utc_now(), text.strip())
        self.sections.add_comment(draft.id, c)
        self.audit.append(author, "section.commented", draft.id, section=key, text_sha256=_sha(c.text))
        return c

    def resolve(self, draft: Draft, key: str, index: int, actor: str, resolution: Resolution,
                reason: str = "") -> FlagResolution:
        actor = _who(actor, "resolving a flag")
        if draft.status is DraftStatus.SIGNED_OFF:
            raise ReviewError(f"draft {draft.id} is signed off; its flags were settled when it was signed")
        section = find_section(draft, key)
        if not 0 <= index < len(section.flags):
            raise ReviewError(f"section '{key}' has {len(section.flags)} flag(s), numbered 0 to "
                              f"{len(section.flags) - 1}; there is no flag {index}" if section.flags
                              else f"section '{key}' has no verifier flags")
        flag = section.flags[index]
        if resolution is Resolution.ACCEPTED and not reason.strip():
            raise ReviewError("accepting a flag needs a written reason (why the text stands as it is)")
        if resolution is Resolution.FIXED:
            refusal = fixed_refusal(flag, self.sections.states(draft)[key].agent_body, section.body)
            if refusal:
                raise ReviewError(f"flag {index} of section '{key}' is not fixed: {refusal}")
        r = FlagResolution(key, index, resolution, reason.strip(), actor, utc_now())
        self.sections.put_resolution(draft.id, r)
        self.audit.append(actor, "flag.resolved", draft.id, section=key, flag=index, kind=flag.kind,
                          message=flag.message, resolution=resolution.value, reason=r.reason)
        return r

    def edit(self, draft: Draft, key: str, editor: str, body: str) -> EditResult:
        editor = _who(editor, "an edit")
        section = find_section(draft, key)
        if not body.strip():
            raise ReviewError("a section cannot be left empty; write what it should say")
        if body == section.body:
            raise ReviewError(f"the text given is section '{key}' as it stands; nothing to change")
        later = self.drafts.successor(draft.id)
        if later:
            raise ReviewError(f"draft {draft.id} was superseded by {later}; edit that version")
        states = self.sections.states(draft)
        signed = draft.status is DraftStatus.SIGNED_OFF or any(s.version == draft.version for s in draft.signoffs)
        target = self._new_version(draft, states, key, editor) if signed else draft
        status = target.status if signed else next_status(draft.status, ReviewAction.EDIT)
        state = self.sections.states(target)[key]
        new_state = replace(state, status=next_section_status(state.status, SectionAction.EDIT, status))
        sections = tuple(replace(s, body=body) if s.key == key else s for s in target.sections)
        self.drafts.set_sections(target.id, sections)
        if status is not target.status:
            self.drafts.set_status(target.id, status)
        self.sections.put_state(target.id, new_state)
        self.sections.add_edit(target.id, SectionEdit(key, editor, utc_now(), section.body, body))
        edited = replace(target, sections=sections, status=status)
        self.audit.append(editor, "section.edited", target.id, section=key, before_sha256=_sha(section.body),
                          after_sha256=_sha(body), content_sha256=edited.content_sha256, version=edited.version)
        return EditResult(edited, key, word_diff(new_state.agent_body, body), signed)

    def _new_version(self, draft: Draft, states: dict[str, SectionState], key: str, editor: str) -> Draft:
        """A copy of the signed version to take the edit; the signed row is never written again."""
        new = replace(draft, id=new_id("draft"), status=DraftStatus.DRAFT, version=draft.version + 1,
                      created_at=utc_now(), signoffs=(), supersedes=draft.id)
        self.drafts.insert(new)
        for s in states.values():
            # The new content needs a fresh review of every section.
            self.sections.put_state(new.id, replace(s, status=SectionStatus.PENDING))
        for r in self.sections.resolutions(draft.id):
            # A flag's resolution holds for text that did not change; the edited section's are
            # settled again against the new text.
            if r.section_key != key:
                self.sections.put_resolution(new.id, r)
        self.audit.append(editor, "draft.new_version", new.id, supersedes=draft.id, version=new.version,
                          signed_content_sha256=draft.content_sha256)
        return new
