"""Everything about one draft that a reviewer on another machine needs, gathered by one function:
the draft, its matter, the evidence it cites (so every citation can be checked without the
source files) and its audit entries. A new kind of review record joins the package here."""
from __future__ import annotations

from dataclasses import dataclass

from agents.domain.audit import AuditEntry
from agents.domain.drafts import Draft
from agents.domain.library import Chunk, Matter
from agents.domain.section_review import ReviewRecords
from agents.review.audit_log import AuditLog
from agents.review.drafts_store import DraftsStore
from agents.review.section_store import SectionStore
from agents.runtime.database import Database


@dataclass(frozen=True)
class EvidenceDocument:
    """A cited document as the reviewer sees it: no local path, only what identifies the version."""

    id: str
    filename: str
    kind: str
    content_hash: str
    pages: int
    size: int


@dataclass(frozen=True)
class EvidencePage:
    document_id: str
    number: int
    text: str


@dataclass(frozen=True)
class DraftRecord:
    matter: Matter
    draft: Draft
    documents: tuple[EvidenceDocument, ...]
    pages: tuple[EvidencePage, ...]
    chunks: tuple[Chunk, ...]
    audit: tuple[AuditEntry, ...]  # this installation's entries about the draft, in chain order
    review: ReviewRecords  # section states, edits, comments and flag resolutions, as the sender has them


def evidence_chunk_ids(draft: Draft) -> list[str]:
    """Chunks the draft cites, then those the model was shown (the provenance snapshot): a
    reviewer checks a claim against the passage the model read, not only the one it cited."""
    ids = [c.chunk_id for s in draft.sections for c in s.citations]
    for step in draft.provenance.get("evidence", ()):
        if isinstance(step, dict):
            ids += [i for i in step.get("chunks", ()) if isinstance(i, str)]
    return list(dict.fromkeys(ids))


def gather(db: Database, draft_id: str) -> DraftRecord:
    """Read under the database lock so the record is one consistent moment of the draft."""
    with db.lock:
        draft = DraftsStore(db).get(draft_id)
        m = db.execute("SELECT id, name, created_at FROM matters WHERE id = ?", (draft.matter_id,)).fetchone()
        matter = Matter(m["id"], m["name"], m["created_at"])
        chunks = _chunks(db, evidence_chunk_ids(draft))
        # Pages of every cited span as well as of every chunk: a citation's span indexes into the page.
        wanted_pages = {(c.document_id, c.page) for s in draft.sections for c in s.citations}
        wanted_pages |= {(c.document_id, c.page) for c in chunks}
        doc_ids = sorted({d for d, _ in wanted_pages})
        documents = tuple(_document(db, d) for d in doc_ids)
        pages = tuple(EvidencePage(d, n, r[0]) for d, n in sorted(wanted_pages)
                      for r in db.execute("SELECT text FROM pages WHERE document_id = ? AND number = ?", (d, n)))
        audit = tuple(AuditLog(db).entries(draft_id))
        review = SectionStore(db).records(draft)
    return DraftRecord(matter, draft, tuple(d for d in documents if d), pages, chunks, audit, review)


def _chunks(db: Database, ids: list[str]) -> tuple[Chunk, ...]:
    found = {}
    for start in range(0, len(ids), 500):  # under SQLite's bound-parameter limit
        part = ids[start:start + 500]
        rows = db.execute(f"SELECT * FROM chunks WHERE id IN ({','.join('?' * len(part))})", part)
        found.update({r["id"]: Chunk(r["id"], r["document_id"], r["matter_id"], r["page"], r["char_start"],
                                     r["char_end"], r["text"], r["token_count"], r["locator"],
                                     r["injection"] or "") for r in rows})
    return tuple(found[i] for i in ids if i in found)


def _document(db: Database, document_id: str) -> EvidenceDocument | None:
    r = db.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
    if r is None:
        return None
    return EvidenceDocument(r["id"], r["filename"], r["kind"], r["content_hash"], r["pages"], r["size"])
