"""What the Countersign facade offers for review: drafts, the workflow per draft and per section,
flags, profiles and firm policy. A mixin, so the CLI and the window keep calling one object."""
from __future__ import annotations

from agents.domain.audit import AuditEntry
from agents.domain.draft_review import DraftReview, EditResult
from agents.domain.drafts import Draft
from agents.domain.review_rules import ReviewAction
from agents.domain.section_review import FlagResolution, Resolution, SectionAction, SectionComment
from agents.domain.signoff_policy import Profile, SignOffPolicy
from agents.review.service import ReviewError
from agents.runtime.disk import DiskFull


class ReviewFacade:
    """Needs `self.review` (ReviewService), `self.library`, `self.firm` and `self.templates()` from Countersign."""

    def drafts(self, matter: str | None = None) -> list[Draft]:
        return self.review.drafts.list(self.library.matter(matter).id if matter else None)

    def get_draft(self, draft_id: str) -> Draft:
        return self.review.drafts.get(draft_id)

    def stale_sources(self, draft: Draft) -> list[str]:
        """Cited documents that changed or left the matter after the draft was written. Derived
        on every read from the citations' content hashes, so it can never go out of date."""
        docs = self.library.documents(draft.matter_id)
        current = {d.filename: d for d in docs}
        hashes = {d.content_hash for d in docs}
        notes = set()
        for c in (c for s in draft.sections for c in s.citations):
            doc = current.get(c.filename)
            if doc is None and c.content_hash in hashes:
                continue  # renamed or moved: the cited text is unchanged
            if doc is None:
                notes.add(f"{c.filename} was removed from the matter")
            elif doc.content_hash != c.content_hash:
                notes.add(f"{c.filename} changed since this draft cited it")
        return sorted(notes)

    # `seen`, on every decision: the revision of the draft the reviewer decided on
    # (view_draft(...).revision); a later change by anyone else turns the action into ReviewConflict.
    def approve(self, draft_id: str, reviewer: str, note: str = "", seen: int | None = None) -> Draft:
        return self.review.act(draft_id, ReviewAction.APPROVE, reviewer, note, seen)

    def request_changes(self, draft_id: str, reviewer: str, note: str = "", seen: int | None = None) -> Draft:
        return self.review.act(draft_id, ReviewAction.REQUEST_CHANGES, reviewer, note, seen)

    def revise(self, draft_id: str, actor: str, note: str = "") -> Draft:
        return self.review.act(draft_id, ReviewAction.REVISE, actor, note)

    def sign_off(self, draft_id: str, reviewer: str, role: str, meaning: str, expected_sha256: str = "",
                 seen: int | None = None) -> Draft:
        domain = self.work_product_domain(self.get_draft(draft_id))
        try:
            self.review.sign_off(draft_id, reviewer, role, meaning, expected_sha256, domain, seen)
        except DiskFull as exc:  # the same error, saying what the reviewer must do again
            raise DiskFull(exc.root, "the sign-off") from exc
        return self.get_draft(draft_id)


    # -- per section, people and policy ------------------------------------------------------
    def work_product_domain(self, draft: Draft) -> str:
        """The template's domain (legal, accounting, ...); a template no longer installed counts as "other"."""
        template = self.templates().get(draft.work_product)
        return template.domain if template else "other"

    def view_draft(self, draft_id: str, viewer: str) -> DraftReview:
        """The draft for display, section by section; viewing signed work is audited."""
        return self.review.review(draft_id, viewer)

    def audit_history(self, draft_id: str) -> list[AuditEntry]:
        """The audit entries about this draft and the versions it was made from, oldest first:
        the history a reviewer reads beside the draft (who edited, resolved, approved, signed)."""
        versions = self.review.drafts.lineage(self.get_draft(draft_id))
        return sorted((e for d in versions for e in self.review.audit.entries(d.id)), key=lambda e: e.seq)

    def approve_all(self, draft_id: str, reviewer: str, note: str = "", seen: int | None = None) -> Draft:
        """Approve every pending section, then the draft (the window's Approve button)."""
        return self.review.approve_all(draft_id, reviewer, note, seen)

    def approve_section(self, draft_id: str, section: str, reviewer: str, note: str = "", seen: int | None = None) -> Draft:
        return self.review.section_action(draft_id, section, SectionAction.APPROVE, reviewer, note, seen)

    def request_section_changes(self, draft_id: str, section: str, reviewer: str, note: str,
                                seen: int | None = None) -> Draft:
        return self.review.section_action(draft_id, section, SectionAction.REQUEST_CHANGES, reviewer, note, seen)

    def edit_section(self, draft_id: str, section: str, editor: str, body: str, seen: int | None = None) -> EditResult:
        return self.review.edit_section(draft_id, section, editor, body, seen)

    def comment(self, draft_id: str, section: str, author: str, text: str) -> SectionComment:
        return self.review.comment(draft_id, section, author, text)  # adds, never overwrites: no `seen`

    def resolve_flag(self, draft_id: str, section: str, index: int, actor: str, fixed: bool = False,
                     accept_reason: str = "", seen: int | None = None) -> FlagResolution:
        """Resolve as fixed (the edit removed what the flag pointed at), or else as accepted for
        the written reason given."""
        if fixed and accept_reason.strip():
            raise ValueError("resolve a flag either as fixed or as accepted with a reason, not both")
        resolution = Resolution.FIXED if fixed else Resolution.ACCEPTED
        return self.review.resolve_flag(draft_id, section, index, actor, resolution, accept_reason, seen)

    def add_profile(self, name: str, initials: str, role: str) -> Profile:
        self._firm_admin_only("adding a signing profile")
        return self.review.add_profile(name, initials, role, actor=self.user)

    def profiles(self) -> list[Profile]:
        return self.review.people.list()

    def policy(self) -> SignOffPolicy:
        return self.review.people.policy()

    def set_policy(self, key: str, value: str, actor: str) -> SignOffPolicy:
        if key in self.firm.policy:
            raise ReviewError(f"{self.firm.name}'s firm profile fixes {key} = {self.firm.policy[key]}; "
                              "it cannot be changed on this installation")
        self._firm_admin_only("changing the sign-off policy")
        return self.review.set_policy(key, value, self.user or actor)

    def _firm_admin_only(self, doing: str) -> None:
        """On the firm workspace, who may sign in what role, and the policy, are the firm's to set."""
        if self.wall is not None and not self._account().admin:
            raise PermissionError(f"{doing} on the firm workspace is for an administrator; {self.user} is not one")
