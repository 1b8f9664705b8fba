"""Review packages: send a draft with its evidence and audit entries to a reviewer on another
installation, and take the reviewer's signed reply back. Every import is checked whole before
one transaction writes it, so a rejected package leaves no trace but its error."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from agents.domain.drafts import Draft
from agents.domain.review_rules import DraftStatus, IllegalTransition, ReviewAction, next_status
from agents.review.audit_log import AuditLog
from agents.review.drafts_store import DraftNotFound, DraftsStore
from agents.review.keys import InstallationKey, short_fingerprint
from agents.review.package_checks import check_package, detail, last_content_hash, missing_evidence
from agents.review.package_format import (FORMAT_VERSION, PackageError, PackageManifest, PackageTampered, ReviewPackage,
                                          canonical, encode, payload_plain, read, sha256)
from agents.review.package_record import gather
from agents.review.package_store import PackageStore, SentPackage, write_transaction
from agents.runtime.clock import new_id, utc_now
from agents.runtime.database import Database


@dataclass(frozen=True)
class PackageExport:
    path: Path
    package_id: str
    kind: str
    draft_id: str
    content_sha256: str
    sender_fingerprint: str
    audit_entries: int
    documents: int
    file_sha256: str


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


class PackageService:
    def __init__(self, db: Database, keys_dir: Path) -> None:
        self._db, self._keys_dir = db, keys_dir
        self._key: InstallationKey | None = None
        self._store: PackageStore | None = None

    @property
    def key(self) -> InstallationKey:
        if self._key is None:
            self._key = InstallationKey.load_or_create(self._keys_dir)
        return self._key

    @property
    def store(self) -> PackageStore:
        if self._store is None:
            self._store = PackageStore(self._db)
        return self._store

    def export(self, draft_id: str, out: Path, actor: str = "") -> PackageExport:
        """A draft received for review goes back as the reply to that package; any other draft
        goes out as a new review package."""
        store, key = self.store, self.key
        with self._db.lock:
            record = gather(self._db, draft_id)
            head = AuditLog(self._db).head()
            received = store.received_for_review(draft_id)
        gaps = missing_evidence(record)
        if gaps:
            raise PackageError(f"cannot package draft {draft_id}: no stored evidence for {len(gaps)} citation(s), e.g. "
                               f"{gaps[0]}; re-ingest the document, or draft again")
        reply_to, origin = (received.package_id, received.origin) if received else ("", ())
        if received:
            # A reply carries what the reviewer did since this package came in, not earlier rounds.
            start = next(e.seq for e in record.audit if e.action == "package.imported"
                         and detail(e).get("package_id") == reply_to)
            record = replace(record, audit=tuple(e for e in record.audit if e.seq >= start))
        prep = origin or record.audit
        if not received and last_content_hash(prep) != record.draft.content_sha256:
            raise PackageError(f"cannot package draft {draft_id}: its audit entries do not record its current content "
                               "(run `countersign verify`)")
        # A reply is sent by whoever last acted on the draft there, unless someone is named.
        sender = actor or (record.audit[-1].actor if received else record.draft.preparer)
        # Hashed and sent as JSON reads it back, so both sides hash the same values.
        payload = json.loads(canonical(payload_plain(record, origin)))
        manifest = PackageManifest(FORMAT_VERSION, new_id("pkg"), "return" if received else "review", utc_now(),
                                   key.public_key_b64, key.fingerprint, sender, draft_id,
                                   record.draft.content_sha256, last_content_hash(prep), reply_to, prep[-1].entry_hash,
                                   head, sha256(canonical(payload)))
        data = encode(manifest, payload, key.sign(canonical(asdict(manifest))))
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            file_sha = sha256(data)
            # The file takes its final name only once its sending is on record.
            with write_transaction(self._db):
                AuditLog(self._db).append(sender, "package.exported", draft_id, package_id=manifest.package_id,
                                          kind=manifest.kind, reply_to=reply_to, file_sha256=file_sha,
                                          content_sha256=manifest.content_sha256)
                store.record_sent(SentPackage(manifest.package_id, draft_id, manifest.kind, manifest.created_at,
                                              manifest.content_sha256, manifest.origin_head, file_sha))
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        return PackageExport(out, manifest.package_id, manifest.kind, draft_id, manifest.content_sha256, key.fingerprint,
                             len(record.audit), len(record.documents), file_sha)

    def inspect(self, path: Path) -> ReviewPackage:
        """The package, checked as an import checks it, without writing anything: a recipient
        compares the sender's fingerprint before taking it in."""
        pkg, _ = read(path)
        check_package(pkg)
        return pkg

    def import_(self, path: Path, actor: str = "", expect_key: str = "") -> PackageImport:
        wanted = "".join(ch for ch in expect_key.lower() if ch in "0123456789abcdef")
        if expect_key and len(wanted) < 16:
            raise PackageError(f"--expect-key needs at least the first 16 hex digits of the fingerprint, got {expect_key!r}")
        pkg, data = read(path)
        check_package(pkg)
        m = pkg.manifest
        if expect_key and not m.sender_fingerprint.startswith(wanted):
            raise PackageTampered(f"the package is signed by key {short_fingerprint(m.sender_fingerprint)}, "
                                  f"not the expected {expect_key}")
        store = self.store
        with write_transaction(self._db):
            when = store.received_at(m.package_id)
            if when:
                raise PackageError(f"package {m.package_id} was already imported here on {when}")
            first = not store.known_sender(m.sender_fingerprint)
            if m.kind == "review":
                result = self._receive_for_review(pkg, sha256(data), actor)
            else:
                result = self._receive_reply(pkg, sha256(data), actor)
            store.record_received(m.package_id, m.draft_id, m.kind, m.sender_fingerprint, m.sender_key, m.sender_name,
                                  sha256(data), pkg.record.audit)
        return replace(result, first_from_sender=first)

    def _receive_for_review(self, pkg: ReviewPackage, file_sha: str, actor: str) -> PackageImport:
        m, record = pkg.manifest, pkg.record
        try:
            here = DraftsStore(self._db).get(m.draft_id)
        except DraftNotFound:
            here = None
        if here is not None:
            return self._receive_again(pkg, here, file_sha, actor)
        matter = self.store.restore(record, m.package_id, m.sender_fingerprint)
        AuditLog(self._db).append(actor or "user", "package.imported", m.draft_id, package_id=m.package_id, kind="review",
                                  sender_fingerprint=m.sender_fingerprint, sender_name=m.sender_name,
                                  origin_head=m.origin_head, content_sha256=m.content_sha256, file_sha256=file_sha,
                                  documents=len(record.documents), chunks=len(record.chunks))
        return PackageImport(m.package_id, "review", m.draft_id, matter, m.sender_name, m.sender_fingerprint, False,
                             record.draft.status, ())

    def _receive_again(self, pkg: ReviewPackage, here: Draft, file_sha: str, actor: str) -> PackageImport:
        """The same draft sent for review again, typically after changes were requested: the
        preparer's entries must extend those received before, from the same key, and the
        preparer's status then applies here."""
        m, record = pkg.manifest, pkg.record
        prior = self.store.received_for_review(m.draft_id)
        if prior is None:
            raise PackageError(f"draft {m.draft_id} is already in this data directory; a package sent from here comes "
                               "back as the reviewer's reply (exported on the reviewer's machine), not as this file")
        if prior.sender_fingerprint != m.sender_fingerprint:
            raise PackageTampered(f"package {prior.package_id} of this draft was signed by key "
                                  f"{short_fingerprint(prior.sender_fingerprint)}, this one by {short_fingerprint(m.sender_fingerprint)}")
        if record.audit[:len(prior.origin)] != prior.origin:
            raise PackageTampered(f"the preparer's audit entries do not extend those of package {prior.package_id} received earlier")
        if record.draft.content_sha256 != here.content_sha256 or record.draft.signoffs != here.signoffs:
            raise PackageError(f"draft {m.draft_id} was revised since package {prior.package_id}; taking in revised "
                               "content is not supported yet")
        DraftsStore(self._db).set_status(m.draft_id, record.draft.status)
        AuditLog(self._db).append(actor or "user", "package.imported", m.draft_id, package_id=m.package_id, kind="review",
                                  again_after=prior.package_id, status=record.draft.status.value,
                                  sender_fingerprint=m.sender_fingerprint, sender_name=m.sender_name,
                                  origin_head=m.origin_head, content_sha256=m.content_sha256, file_sha256=file_sha)
        matter = self._db.execute("SELECT name FROM matters WHERE id = ?", (here.matter_id,)).fetchone()[0]
        return PackageImport(m.package_id, "review", m.draft_id, matter, m.sender_name, m.sender_fingerprint, False,
                             record.draft.status, ())

    def _receive_reply(self, pkg: ReviewPackage, file_sha: str, actor: str) -> PackageImport:
        m, record = pkg.manifest, pkg.record
        sent = self.store.sent(m.reply_to)
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
        changed = [e for e in local if e.seq > last_seq and e.action != "package.exported"]
        if changed:
            raise PackageError(f"draft {m.draft_id} changed here after package {m.reply_to} was sent (entry {changed[0].seq}: "
                               f"{changed[0].action}); send the reviewer a new package")
        if record.draft.content_sha256 != draft.content_sha256:
            raise PackageError("the reviewer's copy was edited; a reply with edited content cannot be merged yet — "
                               "ask the reviewer to request changes instead")
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
        for s in new:
            drafts.add_signoff(draft, s)
        if status is not draft.status:
            drafts.set_status(m.draft_id, status)
        matter = self._db.execute("SELECT name FROM matters WHERE id = ?", (draft.matter_id,)).fetchone()[0]
        return PackageImport(m.package_id, "return", m.draft_id, matter, m.sender_name, m.sender_fingerprint, False,
                             status, tuple(f"{s.reviewer} ({s.role}, {s.meaning})" for s in new))


def _review_action(action: str) -> ReviewAction | None:
    """The workflow step an audit action records, if it is one (comments and exports are not)."""
    if action == "draft.signed_off":
        return ReviewAction.SIGN_OFF
    name = action.removeprefix("draft.")
    return ReviewAction(name) if name != action and name in {a.value for a in ReviewAction} else None
