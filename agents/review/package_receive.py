"""Taking a checked package in: a draft received for review (first or again), or the reviewer's
reply on the preparer's side. Runs inside the import's one transaction."""
from __future__ import annotations

from dataclasses import dataclass

from agents.domain.drafts import Draft
from agents.domain.review_rules import DraftStatus, IllegalTransition, ReviewAction, next_status
from agents.review.audit_log import AuditLog
from agents.review.drafts_store import DraftNotFound, DraftsStore
from agents.review.keys import short_fingerprint
from agents.review.package_checks import detail
from agents.review.package_format import PackageError, PackageTampered, ReviewPackage
from agents.review.package_record import DraftRecord
from agents.review.package_review import check_edited_content, check_records
from agents.review.package_store import PackageStore
from agents.review.section_store import SectionStore
from agents.runtime.database import Database


@dataclass(frozen=True)
class PackageImport:
    package_id: str
    kind: str
    draft_id: str
    matter: str
    sender_name: str
    sender_fingerprint: str
    first_from_sender: bool  # no earlier package here was signed with this key: compare it out of band
    status: DraftStatus
    new_signoffs: tuple[str, ...]  # "M. Vale (partner, approved)"
    edited_sections: tuple[str, ...] = ()  # keys of the sections whose text the other side changed


class Receiver:
    def __init__(self, db: Database, store: PackageStore) -> None:
        self._db, self._store = db, store

    def for_review(self, pkg: ReviewPackage, file_sha: str, actor: str) -> PackageImport:
        m, record = pkg.manifest, pkg.record
        try:
            here = DraftsStore(self._db).get(m.draft_id)
        except DraftNotFound:
            here = None
        if here is not None:
            return self._again(pkg, here, file_sha, actor)
        check_records(record.review, record.draft, list(record.audit), "the preparer's")
        matter = self._store.restore(record, m.package_id, m.sender_fingerprint)
        AuditLog(self._db).append(actor or "user", "package.imported", m.draft_id, package_id=m.package_id, kind="review",
                                  sender_fingerprint=m.sender_fingerprint, sender_name=m.sender_name,
                                  origin_head=m.origin_head, content_sha256=m.content_sha256, file_sha256=file_sha,
                                  documents=len(record.documents), chunks=len(record.chunks))
        return PackageImport(m.package_id, "review", m.draft_id, matter, m.sender_name, m.sender_fingerprint, False,
                             record.draft.status, ())

    def _again(self, pkg: ReviewPackage, here: Draft, file_sha: str, actor: str) -> PackageImport:
        """The same draft sent for review again, typically after changes were requested: the
        preparer's entries must extend those received before, from the same key, and the
        preparer's status then applies here."""
        m, record = pkg.manifest, pkg.record
        prior = self._store.received_for_review(m.draft_id)
        if prior is None:
            raise PackageError(f"draft {m.draft_id} is already in this data directory; a package sent from here comes "
                               "back as the reviewer's reply (exported on the reviewer's machine), not as this file")
        if prior.sender_fingerprint != m.sender_fingerprint:
            raise PackageTampered(f"package {prior.package_id} of this draft was signed by key "
                                  f"{short_fingerprint(prior.sender_fingerprint)}, this one by {short_fingerprint(m.sender_fingerprint)}")
        if record.audit[:len(prior.origin)] != prior.origin:
            raise PackageTampered(f"the preparer's audit entries do not extend those of package {prior.package_id} received earlier")
        if record.draft.signoffs != here.signoffs:
            raise PackageTampered(f"the sign-offs of draft {m.draft_id} differ from those recorded here")
        local = AuditLog(self._db).entries(m.draft_id)
        last_exchange = max(i for i, e in enumerate(local) if e.action in ("package.imported", "package.exported"))
        since = [e for e in local[last_exchange + 1:] if e.action not in _READ_ONLY]
        if since:
            raise PackageError(f"draft {m.draft_id} changed here after the last package exchanged about it (entry "
                               f"{since[0].seq}: {since[0].action}); taking this package in would lose that change — "
                               "send your reply first, and ask the preparer to send the draft again")
        check_edited_content(here, record.draft, list(record.audit), "the preparer's")
        check_records(record.review, record.draft, list(record.audit), "the preparer's")
        edited = self._take_review(here, record)
        DraftsStore(self._db).set_status(m.draft_id, record.draft.status)
        AuditLog(self._db).append(actor or "user", "package.imported", m.draft_id, package_id=m.package_id, kind="review",
                                  again_after=prior.package_id, status=record.draft.status.value,
                                  sender_fingerprint=m.sender_fingerprint, sender_name=m.sender_name,
                                  origin_head=m.origin_head, content_sha256=m.content_sha256, file_sha256=file_sha)
        matter = self._db.execute("SELECT name FROM matters WHERE id = ?", (here.matter_id,)).fetchone()[0]
        return PackageImport(m.package_id, "review", m.draft_id, matter, m.sender_name, m.sender_fingerprint, False,
                             record.draft.status, (), edited)

    def _take_review(self, here: Draft, record: DraftRecord) -> tuple[str, ...]:
        """The other side's sections and per-section review in place of this side's, once checked."""
        old = {s.key: s.body for s in here.sections}
        edited = tuple(s.key for s in record.draft.sections if s.body != old[s.key])
        if edited:
            DraftsStore(self._db).set_sections(here.id, record.draft.sections)
        SectionStore(self._db).replace_records(here.id, record.review)
        return edited

    def reply(self, pkg: ReviewPackage, file_sha: str, actor: str) -> PackageImport:
        m, record = pkg.manifest, pkg.record
        sent = self._store.sent(m.reply_to)
        if sent is None or sent.draft_id != m.draft_id:
            raise PackageError(f"this is a reviewer's reply to package {m.reply_to}, which was not sent from this data directory")
        drafts, audit = DraftsStore(self._db), AuditLog(self._db)
        draft = drafts.get(m.draft_id)
        if draft.content_sha256 != sent.content_sha256 or m.original_content_sha256 != sent.content_sha256:
            raise PackageTampered("the reply is about other content than the draft that was sent")
        local = audit.entries(m.draft_id)
        last_seq = pkg.origin_entries[-1].seq
        if tuple(e for e in local if e.seq <= last_seq) != pkg.origin_entries or m.origin_head != sent.origin_head:
            raise PackageTampered("the preparer's audit entries in the reply differ from this data directory's record")
        changed = [e for e in local if e.seq > last_seq and e.action not in _READ_ONLY]
        if changed:
            raise PackageError(f"draft {m.draft_id} changed here after package {m.reply_to} was sent (entry {changed[0].seq}: "
                               f"{changed[0].action}); send the reviewer a new package")
        check_edited_content(draft, record.draft, list(record.audit), "the reviewer's")
        check_records(record.review, record.draft, local + list(record.audit), "the reviewer's")
        status = draft.status
        for e in record.audit:
            action = _review_action(e.action)
            if action is ReviewAction.SIGN_OFF and detail(e).get("complete") is False:
                action = None  # a first of two signatures under the reviewer's policy leaves it approved
            try:
                status = next_status(status, action) if action else status
            except IllegalTransition as exc:
                raise PackageTampered(f"the reviewer's entry {e.seq} ({e.action}) breaks the review workflow: {exc}") from None
        if status is not record.draft.status:
            raise PackageTampered(f"the reviewer's entries lead to '{status.value}', the draft says '{record.draft.status.value}'")
        new = [s for s in record.draft.signoffs if s not in draft.signoffs]
        audit.append(actor or "user", "package.imported", m.draft_id, package_id=m.package_id, kind="return",
                     reply_to=m.reply_to, sender_fingerprint=m.sender_fingerprint, sender_name=m.sender_name,
                     reviewer_head=record.audit[-1].entry_hash, content_sha256=m.content_sha256, file_sha256=file_sha)
        # The reviewer's entries are kept in this chain as they were, each naming where it was made.
        for e in record.audit:
            audit.append(e.actor, e.action, m.draft_id, detail=detail(e),
                         origin={"package_id": m.package_id, "key": m.sender_fingerprint, "seq": e.seq, "at": e.at,
                                 "entry_hash": e.entry_hash})
        edited = self._take_review(draft, record)
        for s in new:
            drafts.add_signoff(draft, s)
        if status is not draft.status:
            drafts.set_status(m.draft_id, status)
        matter = self._db.execute("SELECT name FROM matters WHERE id = ?", (draft.matter_id,)).fetchone()[0]
        return PackageImport(m.package_id, "return", m.draft_id, matter, m.sender_name, m.sender_fingerprint, False,
                             status, tuple(f"{s.reviewer} ({s.role}, {s.meaning})" for s in new), edited)


# Entries that record reading or copying the draft, not changing it.
_READ_ONLY = ("draft.viewed", "draft.exported", "package.exported")


def _review_action(action: str) -> ReviewAction | None:
    """The workflow step an audit action records, if it is one (comments and exports are not)."""
    if action == "draft.signed_off":
        return ReviewAction.SIGN_OFF
    if action == "section.edited":
        return ReviewAction.EDIT  # an edit of approved content sends the draft back to review
    name = action.removeprefix("draft.")
    return ReviewAction(name) if name != action and name in {a.value for a in ReviewAction} else None
