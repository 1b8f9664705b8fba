"""Review packages: send a draft with its evidence and audit entries to a reviewer on another
installation, and take the reviewer's signed reply back. Every import is checked whole before
one transaction writes it, so a rejected package leaves no trace but its error."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from agents.review.audit_log import AuditLog
from agents.review.keys import InstallationKey, short_fingerprint
from agents.review.package_checks import check_package, detail, last_content_hash, missing_evidence
from agents.review.package_format import (FORMAT_VERSION, PackageError, PackageManifest, PackageTampered, ReviewPackage,
                                          canonical, encode, payload_plain, read, sha256)
from agents.review.package_record import gather
from agents.review.package_review import check_records
from agents.review.package_receive import PackageImport, Receiver
from agents.review.package_store import PackageStore, SentPackage, write_transaction
from agents.review.sealed import seal
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

    def export(self, draft_id: str, out: Path, actor: str = "", password: str | None = None) -> PackageExport:
        """A draft received for review goes back as the reply to that package; any other draft
        goes out as a new review package. With `password` the signed file is sealed (sealed.py):
        it crosses email and USB sticks unreadable, and the recipient's import asks for it."""
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
        if password:
            data = seal(data, password)
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

    def inspect(self, path: Path, password: str | None = None) -> ReviewPackage:
        """The package, checked as an import checks it, without writing anything: a recipient
        compares the sender's fingerprint before taking it in."""
        pkg, _ = read(path, password)
        check_package(pkg)
        if pkg.manifest.kind == "review":
            check_records(pkg.record.review, pkg.record.draft, list(pkg.record.audit), "the preparer's")
        return pkg

    def import_(self, path: Path, actor: str = "", expect_key: str = "", password: str | None = None) -> PackageImport:
        wanted = "".join(ch for ch in expect_key.lower() if ch in "0123456789abcdef")
        if expect_key and len(wanted) < 16:
            raise PackageError(f"--expect-key needs at least the first 16 hex digits of the fingerprint, got {expect_key!r}")
        pkg, data = read(path, password)
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
                result = Receiver(self._db, store).for_review(pkg, sha256(data), actor)
            else:
                result = Receiver(self._db, store).reply(pkg, sha256(data), actor)
            store.record_received(m.package_id, m.draft_id, m.kind, m.sender_fingerprint, m.sender_key, m.sender_name,
                                  sha256(data), pkg.record.audit)
        return replace(result, first_from_sender=first)
