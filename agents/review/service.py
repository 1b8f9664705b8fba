"""Review actions: each checks the state machines and the firm's policy and writes its change and
its audit entry in one synchronous transaction, so a crash never leaves a sign-off without its record."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

from agents.domain.draft_review import DraftReview, EditResult, FlagView, SectionReview
from agents.domain.drafts import Draft, SignOff
from agents.domain.review_rules import SIGN_OFF_MEANINGS, SIGN_OFF_ROLES, DraftStatus, ReviewAction, next_status
from agents.domain.section_review import (FlagResolution, Resolution, SectionAction, SectionComment, SectionStatus,
                                          approval_blockers, signoff_blockers)
from agents.domain.signoff_policy import Profile, SignOffPolicy, awaiting, check_profile, signer_refusal, with_setting
from agents.domain.text_diff import word_diff
from agents.review.audit_log import AuditLog
from agents.review.drafts_store import DraftsStore
from agents.review.people_store import PeopleStore
from agents.review.section_actions import ReviewConflict, ReviewError, SectionActions
from agents.review.section_store import SectionStore
from agents.review.transaction import Transaction
from agents.runtime.clock import utc_now
from agents.runtime.database import Database

__all__ = ["ReviewConflict", "ReviewError", "ReviewService"]


class ReviewService:
    def __init__(self, db: Database, wall=None) -> None:
        self._db = db
        self._wall = wall
        self.drafts = DraftsStore(db, wall)
        self.audit = AuditLog(db)
        self.sections = SectionStore(db)
        self.people = PeopleStore(db)
        self._section = SectionActions(self.drafts, self.sections, self.audit)

    @contextmanager
    def _tx(self, draft_id: str = "", seen: int | None = None, actor: str = ""):
        """One write transaction. `seen` is the draft's revision the reviewer decided on (from
        review()): if anyone changed the draft since, nothing is written and ReviewConflict says
        who did what. Writers are serialised (SQLite's write lock, the workspace's advisory
        lock), so of two reviewers acting on one revision exactly one wins."""
        if self._wall is not None:
            # Signed in, everyone acts under their own name: the audit log and a signature say who.
            if actor.strip() and " ".join(actor.split()).casefold() != self._wall.account.casefold():
                raise ReviewError(f"you are signed in as {self._wall.account}; review actions are recorded under "
                                  f"your own name, not '{actor.strip()}'")
            if draft_id:
                self.drafts.get(draft_id)  # walled: refused (and audited) before the transaction begins
        with Transaction(self._db):
            if seen is not None and draft_id:
                last = self.audit.last_change(draft_id)
                if (last.seq if last else 0) != seen:
                    raise ReviewConflict.after(last)
            yield

    def create(self, draft: Draft) -> Draft:
        if self._wall is not None and not self._wall.admit(draft.matter_id, "draft.create", draft.id):
            raise ReviewError(f"no matter {draft.matter_id} to put the draft in")
        with self._tx():
            self.drafts.insert(draft)
            self.audit.append(draft.preparer or "agent", "draft.created", draft.id, work_product=draft.work_product,
                              model=draft.model_id, model_sha256=draft.model_sha256, content_sha256=draft.content_sha256)
        return draft

    def act(self, draft_id: str, action: ReviewAction, actor: str, note: str = "", seen: int | None = None) -> Draft:
        if not actor.strip():
            raise ReviewError("a review action needs the reviewer's name")
        with self._tx(draft_id, seen, actor):
            return self._act(self.drafts.get(draft_id), action, actor, note)

    def _act(self, draft: Draft, action: ReviewAction, actor: str, note: str) -> Draft:
        status = next_status(draft.status, action)
        if action is ReviewAction.APPROVE:
            blockers = approval_blockers(draft, self.sections.states(draft))
            if blockers:
                raise ReviewError(f"cannot approve draft {draft.id} until every section is approved: "
                                  + "; ".join(blockers))
        self.drafts.set_status(draft.id, status)
        self.audit.append(actor, f"draft.{action.value}", draft.id, note=note, content_sha256=draft.content_sha256)
        return replace(draft, status=status)

    def approve_all(self, draft_id: str, actor: str, note: str = "", seen: int | None = None) -> Draft:
        """Approve every pending section and then the draft, for a reviewer who read it whole.
        A section sent back for changes still blocks: it needs an edit first."""
        if not actor.strip():
            raise ReviewError("a review action needs the reviewer's name")
        with self._tx(draft_id, seen, actor):
            draft = self.drafts.get(draft_id)
            next_status(draft.status, ReviewAction.APPROVE)  # refuse before approving any section
            for key, state in self.sections.states(draft).items():
                if state.status is SectionStatus.PENDING:
                    self._section.set_status(draft, key, SectionAction.APPROVE, actor.strip())
            return self._act(draft, ReviewAction.APPROVE, actor.strip(), note)

    # -- sections ----------------------------------------------------------------------------
    def section_action(self, draft_id: str, key: str, action: SectionAction, actor: str, note: str = "",
                       seen: int | None = None) -> Draft:
        if not actor.strip():
            raise ReviewError("a review action needs the reviewer's name")
        if action is SectionAction.REQUEST_CHANGES and not note.strip():
            raise ReviewError("say what should change: requesting changes needs a note")
        if action is SectionAction.EDIT:
            raise ReviewError("an edit needs the new text; use edit_section")
        with self._tx(draft_id, seen, actor):
            draft = self.drafts.get(draft_id)
            self._section.set_status(draft, key, action, actor.strip(), note.strip())
        return draft

    def edit_section(self, draft_id: str, key: str, editor: str, body: str, seen: int | None = None) -> EditResult:
        with self._tx(draft_id, seen, editor):
            return self._section.edit(self.drafts.get(draft_id), key, editor, body)

    def comment(self, draft_id: str, key: str, author: str, text: str, seen: int | None = None) -> SectionComment:
        with self._tx(draft_id, seen, author):
            return self._section.comment(self.drafts.get(draft_id), key, author, text)

    def resolve_flag(self, draft_id: str, key: str, index: int, actor: str, resolution: Resolution,
                     reason: str = "", seen: int | None = None) -> FlagResolution:
        with self._tx(draft_id, seen, actor):
            return self._section.resolve(self.drafts.get(draft_id), key, index, actor, resolution, reason)

    # -- sign-off ----------------------------------------------------------------------------
    def sign_off(self, draft_id: str, reviewer: str, role: str, meaning: str, expected_sha256: str = "",
                 domain: str = "other", seen: int | None = None) -> SignOff:
        """`expected_sha256` binds the signature to the content the reviewer was shown; `domain`
        is the work product's (legal, accounting, ...), which the policy's signer roles follow.
        Under a policy wanting two signatures the first leaves the draft approved."""
        if not reviewer.strip():
            raise ReviewError("sign-off needs the reviewer's name")
        if meaning not in SIGN_OFF_MEANINGS:
            raise ReviewError(f"meaning must be one of: {', '.join(SIGN_OFF_MEANINGS)}")
        if role and role not in SIGN_OFF_ROLES:
            raise ReviewError(f"role must be one of: {', '.join(SIGN_OFF_ROLES)}")
        with self._tx(draft_id, seen, reviewer):
            draft = self.drafts.get(draft_id)
            if expected_sha256 and expected_sha256 != draft.content_sha256:
                raise ReviewError("the draft changed since it was opened for sign-off; reopen it and check again")
            status = next_status(draft.status, ReviewAction.SIGN_OFF)
            blockers = signoff_blockers(draft, self.sections.states(draft), self.sections.resolutions(draft.id))
            if blockers:
                raise ReviewError(f"cannot sign off draft {draft.id} yet: " + "; ".join(blockers))
            policy, profile = self.people.policy(), self.people.get(reviewer)
            refusal = signer_refusal(policy, profile, reviewer.strip(), domain)
            if refusal:
                raise ReviewError(refusal)
            if role and role != profile.role:
                raise ReviewError(f"{profile.name}'s profile says {profile.role}, not {role}; sign in the role "
                                  "the firm recorded")
            signed = self._signatures(draft)
            if any(s.reviewer.casefold() == profile.name.casefold() for s in signed):
                raise ReviewError(f"{profile.name} has already signed version {draft.version} of this draft")
            signoff = SignOff(profile.name, profile.role, meaning, draft.content_sha256, utc_now(), draft.version)
            remaining = awaiting(policy, [s.reviewer for s in signed] + [signoff.reviewer], self._makers(draft))
            self.drafts.add_signoff(draft, signoff)
            if not remaining:
                self.drafts.set_status(draft_id, status)
            self.audit.append(signoff.reviewer, "draft.signed_off", draft_id, role=signoff.role, meaning=meaning,
                              version=draft.version, content_sha256=signoff.content_sha256, domain=domain,
                              complete=not remaining, awaiting=remaining)
        return signoff

    def _signatures(self, draft: Draft) -> list[SignOff]:
        return [s for s in draft.signoffs if s.version == draft.version and s.content_sha256 == draft.content_sha256]

    def _makers(self, draft: Draft) -> set[str]:
        """The preparer and everyone who edited this version or one it was made from."""
        out = set()
        for d in self.drafts.lineage(draft):
            out.add(d.preparer)
            out.update(e.editor for e in self.sections.edits(d.id))
        return out

    # -- reading -----------------------------------------------------------------------------
    def review(self, draft_id: str, viewer: str = "") -> DraftReview:
        """The draft as a reviewer sees it. Viewing signed work is itself recorded."""
        draft = self.drafts.get(draft_id)
        if draft.status is DraftStatus.SIGNED_OFF:
            # Only signed work is audited on view, so reading a draft in progress takes no write lock.
            with self._tx():
                self.audit.append(" ".join(viewer.split()) or "user", "draft.viewed", draft.id,
                                  version=draft.version, content_sha256=draft.content_sha256)
        with self._db.lock:  # one consistent read against a writer on another thread
            draft = self.drafts.get(draft_id)
            states, resolutions = self.sections.states(draft), self.sections.resolutions(draft.id)
            comments = self.sections.comments(draft.id)
            by_flag = {(r.section_key, r.flag_index): r for r in resolutions}
            sections = tuple(
                SectionReview(s, states[s.key].status, states[s.key].agent_body,
                              word_diff(states[s.key].agent_body, s.body) if s.body != states[s.key].agent_body else (),
                              tuple(c for c in comments if c.section_key == s.key),
                              tuple(FlagView(i, f, by_flag.get((s.key, i))) for i, f in enumerate(s.flags)))
                for s in draft.sections)
            signed = self._signatures(draft)
            blockers = () if draft.status is DraftStatus.SIGNED_OFF else tuple(signoff_blockers(draft, states, resolutions))
            remaining = tuple(awaiting(self.people.policy(), [s.reviewer for s in signed], self._makers(draft)))
            if not signed and draft.status is not DraftStatus.SIGNED_OFF:
                remaining = ("a sign-off",) + remaining
            last = self.audit.last_change(draft.id)
            return DraftReview(draft, sections, blockers, remaining, tuple(signed), self.drafts.successor(draft.id),
                               last.seq if last else 0)

    # -- people and policy -------------------------------------------------------------------
    def add_profile(self, name: str, initials: str, role: str, actor: str = "") -> Profile:
        profile = replace(check_profile(name, initials, role), created_at=utc_now())
        with self._tx():
            self.people.add(profile)
            self.audit.append(actor or profile.name, "profile.added", profile.name, initials=profile.initials,
                              role=profile.role)
        return profile

    def set_policy(self, key: str, value: str, actor: str) -> SignOffPolicy:
        if not actor.strip():
            raise ReviewError("changing the firm's policy needs the name of who changes it")
        with self._tx():
            policy = with_setting(self.people.policy(), key, value)
            self.people.set_policy(policy)
            self.audit.append(actor.strip(), "policy.changed", "policy", key=key, value=value)
        return policy

    def record_export(self, draft: Draft, actor: str, fmt: str, file_sha256: str) -> str:
        with self._tx():
            return self.audit.append(actor or "user", "draft.exported", draft.id, format=fmt, version=draft.version,
                                     content_sha256=draft.content_sha256, file_sha256=file_sha256).entry_hash


_Transaction = Transaction  # the name earlier code imported
