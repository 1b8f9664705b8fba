"""What every export states beyond the draft's sections, whatever its format: whether it is
signed, the sign-off certificate, and the appendix of cited sources."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from agents.domain.drafts import Citation, Draft, SignOff

DRAFT_MARK = "DRAFT — NOT REVIEWED"
CERTIFICATE_NOTE = ("Certificate of review and sign-off. The content SHA-256 is computed over exactly the sections "
                    "signed; the audit-chain head is the log entry this export was made after.")


def signatures(draft: Draft) -> tuple[SignOff, ...]:
    """The sign-offs of exactly the content being exported; a signature of an earlier
    version's content does not make this one signed."""
    return tuple(s for s in draft.signoffs if s.content_sha256 == draft.content_sha256)


def is_signed(draft: Draft) -> bool:
    return bool(signatures(draft))


@dataclass(frozen=True)
class SourceQuote:
    """One cited passage of the appendix and every citation that points at it."""

    document: str
    page: int
    location: str  # "contract.pdf, p. 3" or a sheet range
    content_hash: str
    passage: str
    cited_by: tuple[str, ...]  # "Governing law [1]"


@dataclass(frozen=True)
class Certificate:
    draft_id: str
    title: str
    version: int
    status: str
    content_sha256: str
    audit_head: str
    preparer: str
    prepared_at: str
    model: str
    model_sha256: str
    template: str
    signatures: tuple[SignOff, ...] = field(default_factory=tuple)

    def fields(self) -> list[tuple[str, str]]:
        return [("Draft", f"{self.draft_id} — {self.title}"), ("Version", str(self.version)),
                ("Status", self.status.replace("_", " ")),
                ("Prepared by", f"{self.preparer}, {self.prepared_at} (UTC)"),
                ("Model", self.model), ("Model SHA-256", self.model_sha256), ("Template", self.template),
                ("Content SHA-256", self.content_sha256), ("Audit-chain head", self.audit_head)]


def certificate(draft: Draft, audit_head: str) -> Certificate:
    model = draft.provenance.get("model") or {}
    template = draft.provenance.get("template") or {}
    return Certificate(
        draft.id, draft.title, draft.version, draft.status.value, draft.content_sha256, audit_head,
        draft.preparer or "agent", draft.created_at,
        model.get("id") or draft.model_id, model.get("sha256") or draft.model_sha256,
        f"{template.get('id') or draft.work_product}, version {template.get('version') or 'not recorded'}",
        signatures(draft))


def signature_lines(s: SignOff) -> list[str]:
    return [f"Signed off by {s.reviewer} ({s.role}) — meaning: {s.meaning}", f"Signed at (UTC): {s.signed_at}",
            f"Version: {s.version}", f"Content SHA-256: {s.content_sha256}"]


def certificate_lines(c: Certificate) -> list[str]:
    """The certificate as plain lines, for formats without tables (Markdown)."""
    lines = [f"{label}: {value}" for label, value in c.fields()]
    for s in c.signatures:
        lines += signature_lines(s)
    return lines


PassageLookup = Callable[[Citation], str]


def source_quotes(draft: Draft, passage_of: PassageLookup | None = None) -> tuple[SourceQuote, ...]:
    """Every citation's passage, once per distinct passage, in document and page order.
    A citation's own quote is the passage when it has one (a clause quoted by code); otherwise
    `passage_of` reads the cited span from the library, which knows the text as it was cited
    only while the document is unchanged."""
    found: dict[tuple, tuple[Citation, str, list[str]]] = {}
    for s in draft.sections:
        for c in s.citations:
            passage = c.quote or (passage_of(c) if passage_of else "")
            key = (c.filename, c.page, c.locator, c.content_hash, " ".join(passage.split()))
            entry = found.setdefault(key, (c, passage, []))
            entry[2].append(f"{s.heading} [{c.number}]")
    ordered = sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2]))
    return tuple(SourceQuote(c.filename, c.page, c.location, c.content_hash,
                             " ".join(passage.split()) or "(no passage text was recorded for this citation)", tuple(by))
                 for _, (c, passage, by) in ordered)


def source_heading(q: SourceQuote) -> str:
    return f"{q.location} (document SHA-256 {q.content_hash[:16]}…) — cited in {', '.join(q.cited_by)}"
