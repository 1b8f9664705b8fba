"""The review package file: one canonical JSON document holding a signed manifest and the
draft's record. Any byte changed, any entry removed, or a manifest re-hashed by someone without
the sender's private key is caught here, before anything is written to the database."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from agents.domain.audit import AuditEntry
from agents.domain.drafts import Citation, Draft, DraftFlag, Section, SectionChart, SectionTable, SignOff
from agents.domain.library import Chunk, Matter
from agents.domain.review_rules import DraftStatus
from agents.domain.section_review import (FlagResolution, Resolution, ReviewRecords, SectionComment, SectionEdit,
                                          SectionState, SectionStatus)
from agents.review.keys import fingerprint, short_fingerprint, signature_valid
from agents.review.package_record import DraftRecord, EvidenceDocument, EvidencePage
from agents.review.sealed import SealedError, is_sealed, unseal

# Bump when the payload changes shape; an older Countersign then refuses the package by name.
FORMAT_VERSION = 2  # 2: the per-section review records travel with the draft
MAGIC = "countersign_review_package"
KINDS = ("review", "return")  # preparer -> reviewer, reviewer -> preparer
# Cited pages are text: a real package is a few megabytes. Past this it is not one of ours.
MAX_BYTES = 512 * 1024 * 1024


class PackageError(ValueError):
    """The file is not a package this Countersign can read."""


class PackageTampered(PackageError):
    """The package was changed after it was signed, or contradicts itself."""


@dataclass(frozen=True)
class PackageManifest:
    format_version: int
    package_id: str
    kind: str
    created_at: str
    sender_key: str  # base64 of the raw Ed25519 public key
    sender_fingerprint: str
    sender_name: str
    draft_id: str
    content_sha256: str  # the draft as packaged
    original_content_sha256: str  # the draft as the preparer sent it (same as above for "review")
    reply_to: str  # for "return": the review package this answers
    origin_head: str  # entry hash of the preparer's last entry about the draft
    audit_head: str  # the sender's whole audit chain head at export
    payload_sha256: str


@dataclass(frozen=True)
class ReviewPackage:
    manifest: PackageManifest
    record: DraftRecord
    # For "return": the preparer's entries exactly as received; the record's own audit entries
    # are then the reviewer's. For "review" the record's entries are the preparer's, and this is empty.
    origin_entries: tuple[AuditEntry, ...] = ()

    @property
    def preparer_entries(self) -> tuple[AuditEntry, ...]:
        return self.origin_entries if self.manifest.kind == "return" else self.record.audit


def canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def payload_plain(record: DraftRecord, origin_entries: tuple[AuditEntry, ...]) -> dict:
    plain = asdict(record)
    for c in plain["chunks"]:  # derivable from the text (the receiver classifies it), and older readers lack it
        c.pop("injection", None)
    return {"record": plain, "origin_entries": [asdict(e) for e in origin_entries]}


def encode(manifest: PackageManifest, payload: dict, signature: str) -> bytes:
    return canonical({MAGIC: FORMAT_VERSION, "manifest": asdict(manifest), "payload": payload,
                      "signature": signature}) + b"\n"


def read(path: Path, password: str | None = None) -> tuple[ReviewPackage, bytes]:
    """The package and the file's bytes (as sent, sealed or not), or PackageError/PackageTampered
    saying what is wrong. A password-sealed package needs `password`."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise PackageError(f"{path.name} is {path.stat().st_size // 2**20} MB, larger than any review package")
        data = file_bytes = path.read_bytes()
    except OSError as exc:
        raise PackageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if is_sealed(data):
        try:
            data = unseal(data, password, path.name)
        except SealedError as exc:
            raise PackageError(str(exc)) from None
    try:
        envelope = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise PackageError(f"{path.name} is not a Countersign review package, or it is damaged ({exc})") from None
    if not isinstance(envelope, dict) or MAGIC not in envelope:
        raise PackageError(f"{path.name} is not a Countersign review package")
    if envelope[MAGIC] != FORMAT_VERSION:
        raise PackageError(f"{path.name} is package format {envelope[MAGIC]!r}; this Countersign reads format "
                           f"{FORMAT_VERSION} (update Countersign on this machine)")
    if canonical(envelope) + b"\n" != data:
        raise PackageTampered(f"{path.name} is not byte-for-byte as Countersign wrote it: it was edited after export")
    try:
        manifest = _build(PackageManifest, envelope["manifest"])
        signature, payload = envelope["signature"], envelope["payload"]
    except (KeyError, TypeError) as exc:
        raise PackageError(f"{path.name} is a damaged package: {exc}") from None
    try:
        key_fingerprint = fingerprint(manifest.sender_key)
    except (ValueError, TypeError):
        raise PackageTampered("the manifest's sender key is not a public key: the manifest was edited") from None
    if key_fingerprint != manifest.sender_fingerprint:
        raise PackageTampered("the manifest's key fingerprint does not belong to its key: the manifest was edited")
    if not signature_valid(manifest.sender_key, canonical(asdict(manifest)), signature):
        raise PackageTampered(f"the manifest's signature does not check with the sender's key "
                              f"{short_fingerprint(manifest.sender_fingerprint)}: the package was altered after it was signed")
    actual = sha256(canonical(payload))
    if actual != manifest.payload_sha256:
        raise PackageTampered(f"the package content does not match its signed manifest (content SHA-256 {actual[:16]}…, "
                              f"manifest says {manifest.payload_sha256[:16]}…): it was altered in transit")
    if manifest.kind not in KINDS:
        raise PackageError(f"unknown package kind {manifest.kind!r}")
    try:
        record = _record(payload["record"])
        origin = tuple(_build(AuditEntry, e) for e in payload["origin_entries"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PackageError(f"{path.name} is signed but its content cannot be read ({type(exc).__name__}: {exc})") from None
    return ReviewPackage(manifest, record, origin), file_bytes


def _build(cls, plain: dict):
    """A dataclass from exactly its own fields; an extra or missing field is an error, not a guess."""
    names = [f.name for f in fields(cls)]
    if set(plain) != set(names):
        raise TypeError(f"{cls.__name__} fields differ: {sorted(set(plain) ^ set(names))}")
    return cls(**plain)


def _record(p: dict) -> DraftRecord:
    return DraftRecord(_build(Matter, p["matter"]), _draft(p["draft"]),
                       tuple(_build(EvidenceDocument, d) for d in p["documents"]),
                       tuple(_build(EvidencePage, x) for x in p["pages"]),
                       tuple(_build(Chunk, {"injection": "", **c}) for c in p["chunks"]),
                       tuple(_build(AuditEntry, e) for e in p["audit"]), _review(p["review"]))


def _review(p: dict) -> ReviewRecords:
    if set(p) != {"states", "edits", "comments", "resolutions"}:
        raise TypeError(f"ReviewRecords fields differ: {sorted(p)}")
    return ReviewRecords(
        tuple(_build(SectionState, {**s, "status": SectionStatus(s["status"])}) for s in p["states"]),
        tuple(_build(SectionEdit, e) for e in p["edits"]),
        tuple(_build(SectionComment, c) for c in p["comments"]),
        tuple(_build(FlagResolution, {**r, "resolution": Resolution(r["resolution"])}) for r in p["resolutions"]))


def _draft(p: dict) -> Draft:
    sections = tuple(_section(s) for s in p["sections"])
    signoffs = tuple(_build(SignOff, s) for s in p["signoffs"])
    rest = {k: v for k, v in p.items() if k not in ("sections", "signoffs", "status")}
    return _build(Draft, {**rest, "status": DraftStatus(p["status"]), "sections": sections, "signoffs": signoffs})


def _section(s: dict) -> Section:
    tables = tuple(_build(SectionTable, {**t, "columns": tuple(t["columns"]), "rows": tuple(tuple(r) for r in t["rows"])})
                   for t in s["tables"])
    return _build(Section, {**s, "citations": tuple(_build(Citation, c) for c in s["citations"]),
                            "flags": tuple(_build(DraftFlag, f) for f in s["flags"]), "tables": tables,
                            "charts": tuple(_build(SectionChart, c) for c in s["charts"])})
