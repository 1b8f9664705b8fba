"""Composition root: builds stores, retriever, model and agents from a data directory."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Iterator

from agents.domain.drafts import Draft
from agents.domain.events import Finished
from agents.domain.library import Document, DocumentStatus, Matter, Passage
from agents.domain.review_rules import DraftStatus
from agents.engine.ask import Answer, ask
from agents.engine import inputs as draft_inputs
from agents.engine.runner import run_template
from agents.knowledge import reembed as reembedding
from agents.knowledge.embedder import Embedder
from agents.knowledge.ingest import IngestReport, Ingestor
from agents.knowledge.isolation import ParseLimits
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.matter_index import MatterIndex, MatterRetriever
from agents.knowledge.reembed import ReembedReport
from agents.knowledge.source_page import SourcePage, read_source_page
from agents.knowledge.vector_store import VectorStore
from agents.knowledge.watch import watch as watch_paths
from agents.review.package_service import PackageService
from agents.review.service import ReviewService
from agents.runtime import database, logging_setup
from agents.runtime import settings as settings_mod
from agents.domain.signoff_policy import with_setting
from agents.runtime.cancel import NEVER, CancelToken, Cancelled
from agents.runtime.firm import FirmProfile, active_firm
from agents.runtime.clock import new_id, utc_now
from agents.runtime.paths import DataPaths, resolve_data_dir
from agents.runtime.resources import sample_files
from agents.review.transaction import Transaction
from agents.services.export_facade import ExportFacade
from agents.services.model_facade import ModelFacade
from agents.services.review_facade import ReviewFacade
from agents.services.warm_up import WarmUpFacade, WarmUpReport
from agents.workproducts import templates as templates_mod
from agents.workproducts.templates import Template, load_template

__all__ = ["Answer", "Cancelled", "CancelToken", "Countersign", "IngestReport", "ReembedReport", "SAMPLE_MATTER",
           "WarmUpReport"]

log = logging.getLogger("countersign.services")

SAMPLE_MATTER = "Sample matter — Northwind supply agreement"


class Countersign(ModelFacade, ReviewFacade, ExportFacade, WarmUpFacade):
    """The one object the CLI and the desktop talk to. Heavy parts load on first use."""

    def __init__(self, paths: DataPaths, firm: FirmProfile | None = None) -> None:
        self.paths = paths.ensure()
        self.firm = active_firm() if firm is None else firm
        self.settings = self.firm.governed(settings_mod.load(paths.settings))
        logging_setup.configure(paths.logs, self.settings.log_level)
        self._db = database.connect(paths.database)
        self.library = LibraryStore(self._db)
        self.review = ReviewService(self._db)
        self.packages = PackageService(self._db, paths.root / "keys")
        # Each matter searches the collection of the embedder it was last fully embedded with;
        # the index knows which, and the retriever embeds each query with that embedder.
        self.index = MatterIndex(self._db, self.settings.embedder, paths.models, self.settings.n_threads)
        self.vectors = VectorStore(paths.vectors, active=self.index.active)
        self.retriever = MatterRetriever(self.library, self.vectors, self.index)
        self._model = None
        self._model_lock = threading.Lock()
        self._reconciled = False
        self._apply_firm_policy()

    def _apply_firm_policy(self) -> None:
        """The firm profile's sign-off policy wins over local settings; each change it makes here
        is an audited policy change, so the log shows when the firm's rules took effect."""
        for key, value in self.firm.policy.items():
            current = self.review.people.policy()
            if with_setting(current, key, value) != current:
                self.review.set_policy(key, value, f"firm profile ({self.firm.name})")

    @property
    def embedder(self) -> Embedder:
        """The embedder the settings choose (matters not yet re-embedded still use their own)."""
        return self.index.embedder()

    @classmethod
    def open(cls, data_dir: str | None = None, firm: FirmProfile | None = None) -> "Countersign":
        firm = active_firm() if firm is None else firm
        return cls(resolve_data_dir(data_dir, firm.default_data_dir()), firm)

    def close(self) -> None:
        self._db.close()

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
        # Only a previous process's crash can leave the stores apart, so check once per opening,
        # not on every ingest: listing every vector id costs seconds on a large library.
        if not self._reconciled:
            self.reconcile_vectors()
            self._reconciled = True
        s = self.settings
        limits = ParseLimits(s.parse_timeout_s, s.parse_memory_mb, s.max_file_mb * 1_000_000, s.ocr)
        # New files join the collection the matter searches now (chunked with that embedder's
        # tokenizer); a pending re-embed picks them up from SQLite.
        name = self.index.active(m.id)
        events = Ingestor(self.library, self.vectors.using(name), self.index.embedder(name), limits).run(m.id, paths, cancel)
        return reembedding.after_switch(events, m.id, name, self.index, self.library, self.vectors)

    def watch(self, matter: str, paths: list[Path], interval: float = 2.0, cancel: CancelToken = NEVER) -> Iterator[object]:
        """Ingest `paths` now and again whenever a file under them changes, until cancelled."""
        self.library.matter(matter)  # an unknown matter fails here, not at the first change
        return watch_paths(paths, lambda targets, token: self.ingest(matter, targets, token), interval, cancel)

    def reconcile_vectors(self) -> tuple[int, int]:
        """Make chromadb match SQLite, the source of truth, for every matter and embedder.
        Returns (orphans removed, vectors restored)."""
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
        indexed = {d.filename for d in self.documents(SAMPLE_MATTER) if d.status is DocumentStatus.INDEXED}
        if all(p.name in indexed for p in sample_files()):
            return iter(())
        return self.ingest(SAMPLE_MATTER, sample_files(), cancel)

    def search(self, matter: str, query: str, document: str | None = None, top_k: int = 5,
               pages: tuple[int, int] | None = None) -> list[Passage]:
        m = self.library.matter(matter)
        doc_id = self.find_document(matter, document).id if document else None
        return self.retriever.search(query, m.id, top_k, doc_id, pages)

    # -- ask and draft ---------------------------------------------------------------------
    def ask(self, matter: str, question: str, cancel: CancelToken = NEVER) -> Iterator[object]:
        m = self.library.matter(matter)
        return ask(question, m.id, self.retriever, self.model(), self.params(), self.settings.retrieval_k, cancel)

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

    def templates(self) -> dict[str, Template]:
        """Work products available here: the bundled ones and the firm's (data dir `templates/`)."""
        return {tid: load_template(path) for tid, path in templates_mod.available(self.paths.root / "templates").items()}

    def draft(self, matter: str, work_product: str, document: str | None = None, preparer: str = "",
              cancel: CancelToken = NEVER, inputs: dict[str, str] | None = None) -> Iterator[object]:
        """Run a work-product template. `document` fills the template's first document or table
        input (a path not yet in the matter is ingested first); `inputs` gives the others."""
        found = self.templates()
        if work_product not in found:
            raise ValueError(f"unknown work product '{work_product}'; available: {', '.join(sorted(found))}")
        template = found[work_product]
        given = dict(inputs or {})
        if document:
            first = next((i.name for i in template.inputs if i.type in ("document", "table")), None)
            if first is None:
                raise ValueError(f"{work_product} takes no document; use --input")
            given.setdefault(first, document)
        m = self.library.matter(matter)
        for ref in [v for k, v in given.items() if _is_file_input(template, k)]:
            yield from self._ingest_if_new(matter, ref, cancel)
        resolved = draft_inputs.resolve(template, given, self.documents(matter), lambda ref: self.find_document(matter, ref))
        model = self.model()
        result = None
        for event in run_template(template, m.id, resolved, self.library, self.retriever, model, self.params(), cancel):
            if isinstance(event, Finished):
                if event.cancelled:
                    yield Finished(None, cancelled=True)
                    return
                result = event.result
                continue
            yield event
        subject = ", ".join(f"{d.filename}" for docs in resolved.documents.values() for d in docs[:3])
        subject = subject or ", ".join(d.filename for d in resolved.tables.values())
        provenance = {"template": {"id": template.id, "version": template.version}, "inputs": resolved.summary(),
                      "model": {"id": model.model_id, "sha256": model.sha256},
                      "settings": self.settings.model_dump(mode="json"), "evidence": list(result.snapshot)}
        draft = Draft(new_id("draft"), m.id, work_product, f"{template.title} — {subject}" if subject else template.title,
                      DraftStatus.DRAFT, 1, utc_now(), preparer or self.settings.preparer_name or "agent",
                      model.model_id, model.sha256, self.settings.seed, result.sections, provenance=provenance)
        yield Finished(self.review.create(draft))

    def _ingest_if_new(self, matter: str, ref: str, cancel: CancelToken) -> Iterator[object]:
        try:
            self.find_document(matter, ref)
        except LookupError:
            if not Path(ref).is_file():
                raise
            # A path not yet in the matter is ingested first, so one command drafts from a file.
            for event in self.ingest(matter, [Path(ref)], cancel):
                if not isinstance(event, Finished):
                    yield event


def _is_file_input(template: Template, name: str) -> bool:
    return any(i.name == name and i.type in ("document", "table") for i in template.inputs)
