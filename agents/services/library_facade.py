"""What the Countersign facade offers for the library: matters, documents, ingestion (guarded
against a full disk), watching folders, re-embedding, search and the source viewer's pages."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from agents.domain.library import Document, DocumentStatus, Matter, Passage
from agents.knowledge import reembed as reembedding
from agents.knowledge.ingest import Ingestor
from agents.knowledge.isolation import ParseLimits
from agents.knowledge.source_page import SourcePage, read_source_page
from agents.knowledge.watch import watch as watch_paths
from agents.review.transaction import Transaction
from agents.runtime.cancel import NEVER, CancelToken
from agents.runtime.disk import DiskFull, is_disk_full, low_space
from agents.runtime.resources import sample_files

log = logging.getLogger("countersign.services")

SAMPLE_MATTER = "Sample matter — Northwind supply agreement"


class LibraryFacade:
    """Needs `self.paths`, `self.settings`, `self.library`, `self.review`, `self.index`,
    `self.vectors`, `self.retriever`, `self._db`, `self.firm_mode` and `self._repaired` from
    Countersign."""

    # -- library ---------------------------------------------------------------------------
    def create_matter(self, name: str) -> Matter:
        return self.library.create_matter(name)

    def matters(self, include_archived: bool = True) -> list[Matter]:
        hidden = set() if include_archived else self.library.archived_ids()
        return [m for m in self.library.matters() if m.id not in hidden]

    def is_archived(self, matter: str) -> bool:
        return self.library.matter(matter).id in self.library.archived_ids()

    def rename_matter(self, matter: str, new_name: str, actor: str = "") -> Matter:
        """Drafts, documents and exports keep pointing at the matter (they hold its id); audited."""
        m = self.library.matter(matter)
        with Transaction(self._db):
            renamed = self.library.rename_matter(m.id, new_name)
            self.review.audit.append(actor or "user", "matter.renamed", m.id, old=m.name, new=renamed.name)
        return renamed

    def archive_matter(self, matter: str, archived: bool = True, actor: str = "") -> None:
        """Hide a finished matter from the window's selector (or bring it back); nothing is deleted."""
        m = self.library.matter(matter)
        with Transaction(self._db):
            self.library.set_archived(m.id, archived)
            self.review.audit.append(actor or "user", "matter.archived" if archived else "matter.restored", m.id,
                                     name=m.name)

    def documents(self, matter: str) -> list[Document]:
        return self.library.documents(self.library.matter(matter).id)

    def ingest(self, matter: str, paths: list[Path], cancel: CancelToken = NEVER) -> Iterator[object]:
        m = self.library.matter(matter)
        # Only a crash can leave the stores apart, so repair once per opening, not on every
        # ingest: listing every vector id costs seconds on a large library. On shared servers
        # the repair is per matter (None: the whole local store).
        scope = m.id if self.firm_mode else None
        if scope not in self._repaired:
            with self._disk_errors("the vector store's repair"):
                self.reconcile_vectors(scope)
            self._repaired.add(scope)
        s = self.settings
        limits = ParseLimits(s.parse_timeout_s, s.parse_memory_mb, s.max_file_mb * 1_000_000, s.ocr)
        # New files join the collection the matter searches now (chunked with that embedder's
        # tokenizer); a pending re-embed picks them up from SQLite.
        name = self.index.active(m.id)
        events = Ingestor(self.library, self.vectors.using(name), self.index.embedder(name), limits).run(m.id, paths, cancel)
        return self._disk_guarded(reembedding.after_switch(events, m.id, name, self.index, self.library, self.vectors))

    def _disk_guarded(self, events: Iterator[object]) -> Iterator[object]:
        """A full disk stops the whole ingestion (every later file would fail the same way) with
        one error naming the disk. The file being indexed is not recorded; its vectors, if
        chromadb took them, are orphans the next ingestion's reconcile removes."""
        with self._disk_errors("the file being indexed"):
            yield from events

    @contextmanager
    def _disk_errors(self, unsaved: str):
        try:
            yield
        except Exception as exc:
            if not (is_disk_full(exc) or low_space(self.paths.root)):
                raise
            self._repaired.clear()
            raise DiskFull(self.paths.root, unsaved) from exc

    def watch(self, matter: str, paths: list[Path], interval: float = 2.0, cancel: CancelToken = NEVER) -> Iterator[object]:
        """Ingest `paths` now and again whenever a file under them changes, until cancelled."""
        self.library.matter(matter)  # an unknown matter fails here, not at the first change
        return watch_paths(paths, lambda targets, token: self.ingest(matter, targets, token), interval, cancel)

    def reconcile_vectors(self, matter_id: str | None = None) -> tuple[int, int]:
        """Make chromadb match SQLite, the source of truth, for every matter and embedder; in
        firm mode, for one matter and sparing vectors another machine may be writing.
        Returns (orphans removed, vectors restored)."""
        if self.firm_mode:
            if matter_id is None:
                raise ValueError("on the firm's servers the vector store is repaired one matter at a time")
            removed, restored = reembedding.reconcile_shared(matter_id, self.library, self.vectors, self.index)
        else:
            removed, restored = reembedding.reconcile(self.library, self.vectors, self.index)
        if removed or restored:
            log.warning("reconciled vector store: %d orphans removed, %d vectors restored", removed, restored)
        return removed, restored

    # -- embedder --------------------------------------------------------------------------
    def matter_embedder(self, matter: str) -> str:
        return self.index.active(self.library.matter(matter).id)

    def pending_reembeds(self) -> list[str]:
        """Names of matters still searching with another embedder than the setting."""
        return [m.name for m in self.matters() if self.index.active(m.id) != self.index.setting]

    def reembed(self, matter: str, cancel: CancelToken = NEVER, batch: int | None = None,
                max_seconds: float | None = None) -> Iterator[object]:
        """Re-embed the matter with the setting's embedder; searches use the old vectors until
        this completes. Resumable: a cancelled run keeps what it embedded."""
        m = self.library.matter(matter)
        return reembedding.reembed(m.id, self.embedder, self.index, self.library, self.vectors, cancel,
                                   batch or reembedding.BATCH, max_seconds)

    def ensure_sample_matter(self, cancel: CancelToken = NEVER) -> Iterator[object]:
        """Seed the sample matter; yields ingestion events, none once every sample is indexed.
        A seed cancelled half-way is completed next time (indexed files are skipped)."""
        if not any(m.name == SAMPLE_MATTER for m in self.matters()):
            self.create_matter(SAMPLE_MATTER)
        if not self._sample_unindexed():
            return iter(())
        return self.ingest(SAMPLE_MATTER, sample_files(), cancel)

    def sample_pending(self) -> bool:
        """Whether the window should seed the sample matter: a data directory with no matter
        yet, or a seed that was cut short (the app closed while it ran)."""
        matters = self.matters()
        if not matters:
            return True
        # An archived sample matter was put away on purpose: it is not seeded again.
        return (any(m.name == SAMPLE_MATTER for m in self.matters(include_archived=False))
                and bool(self._sample_unindexed()))

    def _sample_unindexed(self) -> list[str]:
        indexed = {d.filename for d in self.documents(SAMPLE_MATTER) if d.status is DocumentStatus.INDEXED}
        return [p.name for p in sample_files() if p.name not in indexed]

    def search(self, matter: str, query: str, document: str | None = None, top_k: int = 5,
               pages: tuple[int, int] | None = None) -> list[Passage]:
        m = self.library.matter(matter)
        doc_id = self.find_document(matter, document).id if document else None
        return self.retriever.search(query, m.id, top_k, doc_id, pages)


    def find_document(self, matter: str, ref: str) -> Document:
        docs = self.documents(matter)
        wanted = str(Path(ref).expanduser().resolve()) if Path(ref).exists() else None
        for d in docs:
            if d.id == ref or d.filename == ref or d.path == wanted:
                if d.status is not DocumentStatus.INDEXED:
                    raise ValueError(f"{d.filename} is not indexed ({d.status.value}: {d.reason})")
                return d
        raise LookupError(f"no document '{ref}' in this matter; ingest it first with `countersign ingest`")

    def source_page(self, document_id: str, page: int, start: int = 0, end: int = 0,
                    pixel_ratio: float = 1.0) -> SourcePage:
        """A cited page for the source viewer: the original PDF page rendered (sharp at the
        screen's `pixel_ratio`) with the span `start:end` of its indexed text highlighted, or that
        text for other formats (and for a PDF that has moved or changed since indexing, saying so)."""
        doc = self.library.document(document_id)
        text = self.library.page_text(document_id, page)
        return read_source_page(doc.path, doc.content_hash, doc.kind, doc.filename, page, doc.pages, text, start, end,
                                pixel_ratio=pixel_ratio)
