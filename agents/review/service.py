"""Review actions: each checks the state machine and writes its change and its audit entry
in one synchronous transaction, so a crash never leaves a sign-off without its record."""
from __future__ import annotations

from dataclasses import replace

from agents.domain.drafts import Draft, SignOff
from agents.domain.review_rules import SIGN_OFF_MEANINGS, SIGN_OFF_ROLES, ReviewAction, next_status
from agents.review.audit_log import AuditLog
from agents.review.drafts_store import DraftsStore
from agents.runtime.clock import utc_now
from agents.runtime.database import Database


class ReviewError(ValueError):
    pass


class ReviewService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.drafts = DraftsStore(db)
        self.audit = AuditLog(db)

    def _tx(self):
        return _Transaction(self._db)

    def create(self, draft: Draft) -> Draft:
        with self._tx():
            self.drafts.insert(draft)
            self.audit.append(draft.preparer or "agent", "draft.created", draft.id, work_product=draft.work_product,
                              model=draft.model_id, model_sha256=draft.model_sha256, content_sha256=draft.content_sha256)
        return draft

    def act(self, draft_id: str, action: ReviewAction, actor: str, note: str = "") -> Draft:
        if not actor.strip():
            raise ReviewError("a review action needs the reviewer's name")
        with self._tx():
            draft = self.drafts.get(draft_id)
            status = next_status(draft.status, action)
            self.drafts.set_status(draft_id, status)
            self.audit.append(actor, f"draft.{action.value}", draft_id, note=note, content_sha256=draft.content_sha256)
        return replace(draft, status=status)

    def sign_off(self, draft_id: str, reviewer: str, role: str, meaning: str, expected_sha256: str = "") -> SignOff:
        """`expected_sha256` binds the signature to the content the reviewer was shown."""
        if not reviewer.strip():
            raise ReviewError("sign-off needs the reviewer's name")
        if meaning not in SIGN_OFF_MEANINGS:
            raise ReviewError(f"meaning must be one of: {', '.join(SIGN_OFF_MEANINGS)}")
        if role not in SIGN_OFF_ROLES:
            raise ReviewError(f"role must be one of: {', '.join(SIGN_OFF_ROLES)}")
        with self._tx():
            draft = self.drafts.get(draft_id)
            if expected_sha256 and expected_sha256 != draft.content_sha256:
                raise ReviewError("the draft changed since it was opened for sign-off; reopen it and check again")
            status = next_status(draft.status, ReviewAction.SIGN_OFF)
            signoff = SignOff(reviewer.strip(), role, meaning, draft.content_sha256, utc_now(), draft.version)
            self.drafts.add_signoff(draft, signoff)
            self.drafts.set_status(draft_id, status)
            self.audit.append(signoff.reviewer, "draft.signed_off", draft_id, role=role, meaning=meaning,
                              version=draft.version, content_sha256=signoff.content_sha256)
        return signoff

    def record_export(self, draft_id: str, actor: str, fmt: str, content_sha256: str, file_sha256: str) -> str:
        with self._tx():
            return self.audit.append(actor or "user", "draft.exported", draft_id, format=fmt,
                                     content_sha256=content_sha256, file_sha256=file_sha256).entry_hash


class _Transaction:
    def __init__(self, db: Database) -> None:
        self._db, self._lock = db, db.lock

    def __enter__(self):
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()
        return False
