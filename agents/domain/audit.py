"""Audit entries and the hash chain that makes any rewrite of history detectable."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    entry_hash: str


def entry_hash(seq: int, at: str, actor: str, action: str, subject: str, detail: str, prev_hash: str) -> str:
    blob = json.dumps([seq, at, actor, action, subject, detail, prev_hash], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def first_broken(entries: list[AuditEntry]) -> int | None:
    """Sequence number of the first entry whose link or own hash does not check, else None."""
    prev = GENESIS_HASH
    for e in entries:
        expected = entry_hash(e.seq, e.at, e.actor, e.action, e.subject, e.detail, prev)
        if e.prev_hash != prev or e.entry_hash != expected:
            return e.seq
        prev = e.entry_hash
    return None
