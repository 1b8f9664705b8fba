"""What a signed package must also agree with inside itself: the signature proves who sent it,
these checks prove the sender's draft, evidence and audit entries tell one story."""
from __future__ import annotations

import json

from agents.domain.audit import AuditEntry, entry_hash
from agents.review.package_format import PackageTampered, ReviewPackage
from agents.review.package_record import DraftRecord


def missing_evidence(record: DraftRecord) -> list[str]:
    """Citations the record cannot back with the passage, page and document version they name."""
    chunks = {c.id for c in record.chunks}
    docs = {d.id: d for d in record.documents}
    pages = {(p.document_id, p.number) for p in record.pages}
    missing = []
    for s in record.draft.sections:
        for c in s.citations:
            doc = docs.get(c.document_id)
            if c.chunk_id not in chunks or doc is None or (c.document_id, c.page) not in pages:
                missing.append(f"[{c.number}] {c.location} in '{s.heading}'")
            elif doc.content_hash != c.content_hash:
                missing.append(f"[{c.number}] {c.location} in '{s.heading}' (the document changed since it was cited)")
    return missing


def detail(e: AuditEntry) -> dict:
    try:
        value = json.loads(e.detail)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def last_content_hash(entries: tuple[AuditEntry, ...]) -> str:
    return next((detail(e)["content_sha256"] for e in reversed(entries) if "content_sha256" in detail(e)), "")


def check_entries(entries: tuple[AuditEntry, ...], draft_id: str, whose: str) -> None:
    last = 0
    for e in entries:
        if entry_hash(e.seq, e.at, e.actor, e.action, e.subject, e.detail, e.prev_hash) != e.entry_hash:
            raise PackageTampered(f"{whose} audit entry {e.seq} ({e.action}) does not match its own hash: it was edited")
        if e.seq <= last:
            raise PackageTampered(f"{whose} audit entries are out of order at entry {e.seq}")
        if e.subject != draft_id:
            raise PackageTampered(f"{whose} audit entry {e.seq} is about '{e.subject}', not this draft")
        last = e.seq


def check_package(pkg: ReviewPackage) -> None:
    m, record = pkg.manifest, pkg.record
    if record.draft.id != m.draft_id:
        raise PackageTampered(f"the package holds draft {record.draft.id} but its manifest names {m.draft_id}")
    if record.draft.content_sha256 != m.content_sha256:
        raise PackageTampered(f"the draft's content hashes to {record.draft.content_sha256[:16]}…, the signed manifest "
                              f"says {m.content_sha256[:16]}…")
    check_entries(pkg.preparer_entries, m.draft_id, "the preparer's")
    prep = pkg.preparer_entries
    if not prep or prep[0].action != "draft.created":
        raise PackageTampered("the preparer's audit entries do not start with the draft's creation")
    if prep[-1].entry_hash != m.origin_head:
        raise PackageTampered("the preparer's audit entries end elsewhere than the signed manifest says: an entry was removed or added")
    if last_content_hash(prep) != m.original_content_sha256:
        raise PackageTampered("the preparer's audit entries record other content than the draft that was sent")
    if m.kind == "review":
        if pkg.origin_entries or m.content_sha256 != m.original_content_sha256 or m.reply_to:
            raise PackageTampered("a review package carries a reply's fields")
    else:
        check_entries(record.audit, m.draft_id, "the reviewer's")
        first = record.audit[0] if record.audit else None
        if first is None or first.action != "package.imported" or detail(first).get("package_id") != m.reply_to \
                or detail(first).get("origin_head") != m.origin_head:
            raise PackageTampered("the reviewer's audit entries do not start with importing the package this answers")
    signed = {(e.actor, detail(e).get("content_sha256"), e.at) for e in (*prep, *record.audit)
              if e.action == "draft.signed_off"}
    for s in record.draft.signoffs:
        if (s.reviewer, s.content_sha256, s.signed_at) not in signed:
            raise PackageTampered(f"the sign-off by {s.reviewer} at {s.signed_at} has no matching audit entry")
    gaps = missing_evidence(record)
    if gaps:
        raise PackageTampered(f"the package lacks the evidence for {len(gaps)} citation(s), e.g. {gaps[0]}")
