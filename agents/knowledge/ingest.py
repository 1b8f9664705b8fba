"""Ingestion as a generator: each file parsed in a worker process (see isolation.py) while the
previous one is embedded, each failing alone, each committed alone and each a cancel point."""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from agents.domain.events import FileIngested, Finished, Progress
from agents.domain.library import Chunk, Document, DocumentStatus
from agents.knowledge.chunking import chunk_pages
from agents.knowledge.embedder import Embedder
from agents.knowledge.folder_scan import scan, shown, valid_name
from agents.knowledge.injection import label
from agents.knowledge.isolation import ParseLimits, ParseWorker
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.parsers import SUPPORTED, TABLE_KINDS, ParsedDocument, ParseFailure
from agents.knowledge.tables import table_locator
from agents.knowledge.vector_store import VectorStore
from agents.runtime.cancel import NEVER, CancelToken
from agents.runtime.clock import new_id, utc_now

log = logging.getLogger("countersign.ingest")

# Well under the 256-token window: smaller passages retrieve and cite more precisely.
CHUNK_TOKENS = 160
# Failures that depend on limits in settings, or on a file that was changing while it was read,
# so an unchanged file is worth another attempt.
_RETRY = {DocumentStatus.TIMED_OUT, DocumentStatus.TOO_LARGE, DocumentStatus.SKIPPED}
_CHANGED = "changed while it was being read; not indexed this time (the next sync reads the new version)"
_VANISHED = "moved or deleted while it was being read; not indexed"


@dataclass(frozen=True)
class IngestReport:
    files: tuple[FileIngested, ...]

    def count(self, status: DocumentStatus) -> int:
        return sum(1 for f in self.files if f.status is status)


# What identifies the bytes a file holds without reading them: an editor that saves by writing
# a new file and renaming it keeps size and even mtime, but not the inode.
Signature = tuple[int, int, int, int]


def signature(path: Path) -> Signature:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


@dataclass(frozen=True)
class _Job:
    path: Path
    resolved: str
    digest: str
    existing: Document | None
    seen: Signature  # as hashed: parsing something else (changed since, or gone) is caught

    @property
    def size(self) -> int:
        return self.seen[0]


def expand(paths: list[Path]) -> list[Path]:
    """The files a sync of `paths` reads (folder_scan.scan says which it skips and why)."""
    return scan(paths, SUPPORTED).files


def _smallest_first(jobs: list[_Job]) -> None:
    """Move the smallest file to the front: the first parse is the only one nothing overlaps
    (every later file is parsed while its predecessor embeds), so it should be the shortest."""
    if len(jobs) > 1:
        sizes = [job.size for job in jobs]
        jobs.insert(0, jobs.pop(sizes.index(min(sizes))))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Ingestor:
    def __init__(self, store: LibraryStore, vectors: VectorStore, embedder: Embedder, limits: ParseLimits) -> None:
        self._store, self._vectors, self._embedder = store, vectors, embedder
        self._limits = limits

    def run(self, matter_id: str, paths: list[Path], cancel: CancelToken = NEVER) -> Iterator[object]:
        found = scan(paths, SUPPORTED)
        files = found.files
        results: list[FileIngested] = list(found.skipped)
        started = time.monotonic()

        def progress(name: str) -> Progress:
            # Skipped links are outcomes but not among `files`, so they do not count as done.
            done, elapsed = len(results) - len(found.skipped), time.monotonic() - started
            rate = done / elapsed if elapsed > 0 else 0.0
            eta = (len(files) - done) / rate if rate > 0 and done < len(files) else None
            return Progress(min(done, len(files)), len(files), name, round(rate, 2), eta)

        yield Progress(0, len(files), "starting")
        yield from found.skipped
        jobs: list[_Job] = []
        for path in files:  # quick outcomes first: missing, unreadable, unchanged
            checked = self._precheck(matter_id, path)
            if isinstance(checked, _Job):
                jobs.append(checked)
            else:
                results.append(checked)
                yield checked
                yield progress(shown(path.name))
        for moved in self._take_renames(matter_id, jobs):
            results.append(moved)
            yield moved
            yield progress(moved.path)
        for removed in self._remove_deleted(matter_id, paths, files):
            results.append(removed)
            yield removed
        _smallest_first(jobs)
        worker = ParseWorker(self._limits)
        try:
            if jobs:
                worker.submit(jobs[0].path)
            for k, job in enumerate(jobs):
                if cancel.cancelled:
                    yield Finished(IngestReport(tuple(results)), cancelled=True)
                    return
                try:
                    parsed, failure = worker.result(), None
                except ParseFailure as exc:
                    parsed, failure = None, exc
                if k + 1 < len(jobs):
                    worker.submit(jobs[k + 1].path)  # parse the next file while this one embeds
                outcome = self._index(matter_id, job, parsed, failure, lambda: worker.busy)
                log.info("ingest %s -> %s", outcome.document_id or "-", outcome.status.value)
                results.append(outcome)
                yield outcome
                yield progress(shown(job.path.name))
        finally:
            worker.close()
        yield Finished(IngestReport(tuple(results)))

    def _precheck(self, matter_id: str, path: Path) -> FileIngested | _Job:
        if not valid_name(path):
            return FileIngested(shown(path), DocumentStatus.UNSUPPORTED,
                                "the file name is not valid UTF-8 (shown with its bytes escaped); rename the file")
        try:
            seen = signature(path)
            if not path.is_file():  # a pipe or device would block whoever reads it
                return FileIngested(str(path), DocumentStatus.UNSUPPORTED, "not a regular file")
            digest = sha256_file(path)
            if signature(path) != seen:
                return self._not_read(matter_id, path, _CHANGED)
        except FileNotFoundError:
            return FileIngested(str(path), DocumentStatus.CORRUPT, "file not found")
        except OSError as exc:  # unreadable, or a path longer than the OS allows
            return FileIngested(str(path), DocumentStatus.CORRUPT, f"cannot read file: {exc.strerror}")
        resolved = str(path.resolve())
        existing = self._store.find_document(matter_id, resolved)
        if existing and existing.content_hash == digest:
            if existing.status is DocumentStatus.INDEXED:
                return FileIngested(str(path), DocumentStatus.UNCHANGED, "", existing.id, existing.pages)
            if existing.status not in _RETRY:  # the same bytes fail the same way; say so again
                return FileIngested(str(path), existing.status, existing.reason, existing.id)
        return _Job(path, resolved, digest, existing, seen)

    def _take_renames(self, matter_id: str, jobs: list[_Job]) -> Iterator[FileIngested]:
        """A new path with the bytes of an indexed document whose own path is gone is that
        document moved or renamed: it keeps its id, chunks and vectors (and the drafts citing it
        stay valid) instead of being indexed again and the original removed."""
        if all(job.existing is not None for job in jobs):
            return  # no new path in this sync, so nothing can have been renamed
        gone: dict[str, Document] = {}
        for doc in self._store.documents(matter_id):
            if doc.status is DocumentStatus.INDEXED and not Path(doc.path).exists():
                gone.setdefault(doc.content_hash, doc)
        for job in list(jobs):
            doc = gone.pop(job.digest, None) if job.existing is None else None
            if doc is not None:
                jobs.remove(job)
                self._store.move_document(doc.id, job.resolved, job.path.name)
                yield FileIngested(str(job.path), DocumentStatus.UNCHANGED, f"renamed from {doc.filename}", doc.id,
                                   doc.pages)

    def _remove_deleted(self, matter_id: str, paths: list[Path], files: list[Path]) -> Iterator[FileIngested]:
        """Documents that lived under a re-synced folder but are no longer there."""
        folders = [p.resolve() for p in paths if p.is_dir()]
        if not folders:
            return
        present = {str(f.resolve()) for f in files}
        for doc in self._store.documents(matter_id):
            inside = any(Path(doc.path).is_relative_to(folder) for folder in folders)
            if inside and doc.path not in present:
                self._store.delete_document(doc.id)
                self._vectors.delete_document(matter_id, doc.id)
                yield FileIngested(doc.path, DocumentStatus.REMOVED, "no longer in the folder", doc.id)

    def _index(self, matter_id: str, job: _Job, parsed: ParsedDocument | None, failure: ParseFailure | None,
               parsing: Callable[[], bool]) -> FileIngested:
        # What the parser read must be what was hashed, or the document's hash (which drafts
        # cite and staleness is judged by) would not describe its text.
        try:
            moved = signature(job.path) != job.seen
        except OSError:
            return self._not_read(matter_id, job.path, _VANISHED, job.existing)
        if moved:
            return self._not_read(matter_id, job.path, _CHANGED, job.existing)
        doc_id = new_id("doc")
        size = job.size
        if failure is not None:
            kind = SUPPORTED.get(job.path.suffix.lower(), "other")
            self._record(Document(doc_id, matter_id, job.path.name, job.resolved, kind, job.digest, failure.status,
                                  failure.reason, 0, size, utc_now()), job.existing, [], [])
            return FileIngested(str(job.path), failure.status, failure.reason, doc_id)
        table = parsed.kind in TABLE_KINDS
        ocr_pages = {p.number for p in parsed.pages if p.ocr}
        spans = chunk_pages(parsed.pages, self._embedder.count_tokens, CHUNK_TOKENS, by_line=table,
                            count_many=self._embedder.count_tokens_many)
        chunks = [Chunk(f"{doc_id}:{n}", doc_id, matter_id, s.page, s.start, s.end, s.text, s.tokens,
                        table_locator(s.text) if table else (f"p. {s.page} (OCR)" if s.page in ocr_pages else ""),
                        label(s.text))
                  for n, s in enumerate(spans)]
        vectors = self._embedder.embed([c.text for c in chunks], contended=parsing)
        doc = Document(doc_id, matter_id, job.path.name, job.resolved, parsed.kind, job.digest, DocumentStatus.INDEXED,
                       "", len(parsed.pages), size, utc_now())
        self._vectors.add([c.id for c in chunks], vectors, matter_id, doc_id, [c.page for c in chunks])
        self._record(doc, job.existing, parsed.pages, chunks)
        return FileIngested(str(job.path), DocumentStatus.INDEXED, "", doc_id, len(parsed.pages), len(chunks))

    def _not_read(self, matter_id: str, path: Path, reason: str, existing: Document | None = None) -> FileIngested:
        """A file that changed or vanished while it was read is skipped. If an earlier version
        was indexed, its chunks no longer describe the file: searching and citing them would
        serve stale text, so the document keeps its row (with this status and reason, and its
        old hash, so the next sync reads the file again) but loses its chunks and vectors."""
        if existing is None:
            existing = self._store.find_document(matter_id, str(path.resolve()))
        if existing is None or existing.status is not DocumentStatus.INDEXED:
            return FileIngested(str(path), DocumentStatus.SKIPPED, reason)
        doc = replace(existing, id=new_id("doc"), status=DocumentStatus.SKIPPED, reason=reason, pages=0,
                      indexed_at=utc_now())
        self._record(doc, existing, [], [])
        log.info("ingest %s -> skipped (was %s; its chunks withdrawn)", doc.id, existing.id)
        return FileIngested(str(path), DocumentStatus.SKIPPED, reason, doc.id)

    def _record(self, doc: Document, existing: Document | None, pages, chunks) -> None:
        # SQLite commits last: vectors written before a crash are orphans that startup removes.
        self._store.record_document(doc, pages, chunks)
        if existing is not None:
            self._vectors.delete_document(existing.matter_id, existing.id)
