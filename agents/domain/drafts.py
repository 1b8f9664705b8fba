"""Drafts, their sections and citations, and the content hash a signature binds to."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from agents.domain.library import place
from agents.domain.review_rules import DraftStatus


@dataclass(frozen=True)
class Citation:
    """Points a claim at document (by content hash), page and character span."""

    number: int
    chunk_id: str
    document_id: str
    filename: str
    content_hash: str
    page: int
    char_start: int
    char_end: int
    quote: str = ""
    locator: str = ""

    @property
    def location(self) -> str:
        return place(self.filename, self.page, self.locator)


@dataclass(frozen=True)
class DraftFlag:
    """Something the reviewer must look at: what, how serious, and where in the section body."""

    message: str
    severity: str = "warning"  # "error": wrong or unsupported; "warning": check it; "info": FYI
    kind: str = ""  # e.g. "unsupported_number", "quote_not_on_page", "not_found"
    start: int = -1  # character span in the section body, -1 when it concerns the whole section
    end: int = -1

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SectionTable:
    """A table computed by code (variances, ratios, a clause matrix); cells as printed."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class SectionChart:
    title: str
    png_base64: str


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    body: str
    citations: tuple[Citation, ...] = ()
    flags: tuple[DraftFlag, ...] = ()
    tables: tuple[SectionTable, ...] = ()
    charts: tuple[SectionChart, ...] = ()


@dataclass(frozen=True)
class SignOff:
    reviewer: str
    role: str
    meaning: str
    content_sha256: str
    signed_at: str
    version: int


@dataclass(frozen=True)
class Draft:
    id: str
    matter_id: str
    work_product: str
    title: str
    status: DraftStatus
    version: int
    created_at: str
    preparer: str
    model_id: str
    model_sha256: str
    seed: int
    sections: tuple[Section, ...]
    signoffs: tuple[SignOff, ...] = field(default_factory=tuple)
    # How the draft was made: template id and version, settings, inputs, and the evidence
    # snapshot (chunk ids, document hashes, the text shown to the model at each step).
    provenance: dict = field(default_factory=dict, compare=False)
    # The id of the signed version this one was made from by an edit ("" for an agent's draft).
    supersedes: str = ""

    @property
    def content_sha256(self) -> str:
        return content_hash(self.title, self.sections)

    @property
    def flag_count(self) -> int:
        return sum(len(s.flags) for s in self.sections)


def content_hash(title: str, sections: tuple[Section, ...]) -> str:
    """SHA-256 over a canonical JSON of exactly what a reviewer reads and signs."""
    payload = {"title": title, "sections": [_signed_part(s) for s in sections]}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _signed_part(s: Section) -> dict:
    part = {"key": s.key, "heading": s.heading, "body": s.body, "citations": [asdict(c) for c in s.citations]}
    # Only when present, so the hash of a draft without tables is what it was before they existed
    # and earlier signatures still verify.
    if s.tables:
        part["tables"] = [asdict(t) for t in s.tables]
    if s.charts:
        part["charts"] = [asdict(c) for c in s.charts]
    return part
