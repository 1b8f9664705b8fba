"""Ingestion as a generator: one file at a time, each failing alone, each a cancel point."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from agents.domain.events import FileIngested, Finished, Progress
from agents.domain.library import Chunk, Document, DocumentStatus
from agents.knowledge.chunking import chunk_pages
from agents.knowledge.embedder import MAX_INPUT_TOKENS, Embedder
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.parsers import SUPPORTED, ParseFailure, parse
from agents.knowledge.vector_store import VectorStore
from agents.runtime.cancel import NEVER, CancelToken
from agents.runtime.clock import new_id, utc_now

log = logging.getLogger("countersign.ingest")

# Well under the 256-token window: smaller passages retrieve and cite more precisely.
CHUNK_TOKENS = 160


@dataclass(frozen=True)
class IngestReport:
    files: tuple[FileIngested, ...]

    def count(self, status: DocumentStatus) -> int:
        return sum(1 for f in self.files if f.status is status)


def expand(paths: list[Path]) -> list[Path]:
    """Files named directly are kept whatever their type (so they get a status); folders
    contribute only supported files, and symlinks out of a folder are not followed."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            root = p.resolve()
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUPPORTED and root in f.resolve().parents:
                    out.append(f)
        else:
            out.append(p)
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Ingestor:
    def __init__(self, store: LibraryStore, vectors: VectorStore, embedder: Embedder, max_file_mb: int) -> None:
        self._store, self._vectors, self._embedder = store, vectors, embedder
        self._max_bytes = max_file_mb * 1_000_000

    def run(self, matter_id: str, paths: list[Path], cancel: CancelToken = NEVER) -> Iterator[object]:
        files = expand(paths)
        results: list[FileIngested] = []
        yield Progress(0, len(files), "starting")
        for i, path in enumerate(files):
            if cancel.cancelled:
                yield Finished(IngestReport(tuple(results)), cancelled=True)
                return
            outcome = self._one(matter_id, path)
            results.append(outcome)
            log.info("ingest %s -> %s", outcome.document_id or "-", outcome.status.value)
            yield outcome
            yield Progress(i + 1, len(files), path.name)
        yield Finished(IngestReport(tuple(results)))

    def _one(self, matter_id: str, path: Path) -> FileIngested:
        resolved = str(path.resolve())
        if not path.exists():
            return FileIngested(str(path), DocumentStatus.CORRUPT, "file not found")
        try:
            digest = sha256_file(path)
        except OSError as exc:
            return FileIngested(str(path), DocumentStatus.CORRUPT, f"cannot read file: {exc.strerror}")
        existing = self._store.find_document(matter_id, resolved)
        if existing and existing.content_hash == digest and existing.status is DocumentStatus.INDEXED:
            return FileIngested(str(path), DocumentStatus.UNCHANGED, "", existing.id, existing.pages)
        doc_id = new_id("doc")
        kind = SUPPORTED.get(path.suffix.lower(), "other")
        try:
            parsed = parse(path, self._max_bytes)
        except ParseFailure as failure:
            self._record(Document(doc_id, matter_id, path.name, resolved, kind, digest, failure.status,
                                  failure.reason, 0, path.stat().st_size, utc_now()), existing, [], [])
            return FileIngested(str(path), failure.status, failure.reason, doc_id)
        spans = chunk_pages(parsed.pages, self._embedder.count_tokens, CHUNK_TOKENS)
        chunks = [Chunk(f"{doc_id}:{n}", doc_id, matter_id, s.page, s.start, s.end, s.text, s.tokens)
                  for n, s in enumerate(spans)]
        vectors = self._embedder.embed([c.text for c in chunks])
        doc = Document(doc_id, matter_id, path.name, resolved, parsed.kind, digest, DocumentStatus.INDEXED, "",
                       len(parsed.pages), path.stat().st_size, utc_now())
        self._vectors.add([c.id for c in chunks], vectors, matter_id, doc_id)
        self._record(doc, existing, parsed.pages, chunks)
        return FileIngested(str(path), DocumentStatus.INDEXED, "", doc_id, len(parsed.pages), len(chunks))

    def _record(self, doc: Document, existing: Document | None, pages, chunks) -> None:
        # SQLite commits last: vectors written before a crash are orphans that startup removes.
        self._store.record_document(doc, pages, chunks)
        if existing is not None:
            self._vectors.delete_document(existing.id)
