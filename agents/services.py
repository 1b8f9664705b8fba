"""Composition root: builds stores, retriever, model and agents from a data directory."""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from agents.domain.draft_review import DraftReview, EditResult
from agents.domain.drafts import Citation, Draft
from agents.domain.events import Finished
from agents.domain.library import Document, DocumentStatus, Matter, Passage
from agents.domain.review_rules import DraftStatus, ReviewAction
from agents.domain.section_review import FlagResolution, Resolution, SectionAction, SectionComment
from agents.domain.signoff_policy import Profile, SignOffPolicy
from agents.engine.ask import Answer, ask
from agents.engine import inputs as draft_inputs
from agents.engine.runner import run_template
from agents.knowledge import reembed as reembedding
from agents.knowledge.embedder import Embedder
from agents.knowledge.ingest import IngestReport, Ingestor, sha256_file
from agents.knowledge.isolation import ParseLimits
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.matter_index import MatterIndex, MatterRetriever
from agents.knowledge.reembed import ReembedReport
from agents.knowledge.source_page import SourcePage, read_source_page
from agents.knowledge.vector_store import VectorStore
from agents.knowledge.watch import watch as watch_paths
from agents.llm import registry
from agents.llm.http_backend import HttpModel
from agents.llm.protocol import GenerationParams
from agents.review import export
from agents.review.certificate import source_quotes
from agents.review.export_verify import FileVerification, verify_file
from agents.review.export_redline import memo_contract, redline_memo
from agents.review.redline import RedlineReport
from agents.review.package_format import PackageManifest
from agents.review.package_service import PackageExport, PackageImport, PackageService
from agents.review.service import ReviewService
from agents.runtime import database, logging_setup
from agents.runtime import settings as settings_mod
from agents.runtime.cancel import NEVER, CancelToken, Cancelled
from agents.runtime.clock import new_id, utc_now
from agents.runtime.paths import DataPaths, resolve_data_dir
from agents.runtime.resources import sample_files
from agents.workproducts import templates as templates_mod
from agents.workproducts.templates import Template, load_template

# What the desktop needs from the core comes from here, so one import-linter rule can hold it.
__all__ = ["Answer", "Cancelled", "CancelToken", "Countersign", "IngestReport", "ReembedReport", "SAMPLE_MATTER"]

log = logging.getLogger("countersign.services")

SAMPLE_MATTER = "Sample matter — Northwind supply agreement"
EXPORT_FORMATS = (*export.FORMATS, "redline-docx")


class Countersign:
    """The one object the CLI and the desktop talk to. Heavy parts load on first use."""

    def __init__(self, paths: DataPaths) -> None:
        self.paths = paths.ensure()
        self.settings = settings_mod.load(paths.settings)
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

    @property
    def embedder(self) -> Embedder:
        """The embedder the settings choose (matters not yet re-embedded still use their own)."""
        return self.index.embedder()

    @classmethod
    def open(cls, data_dir: str | None = None) -> "Countersign":
        return cls(resolve_data_dir(data_dir))

    def close(self) -> None:
        self._db.close()

    # -- model -----------------------------------------------------------------------------
    def model(self):
        with self._model_lock:
            if self._model is None and self.settings.model_server_url:
                self._model = HttpModel(self.settings.model_server_url, self.settings.model_server_model,
                                        os.environ.get("COUNTERSIGN_MODEL_SERVER_KEY", ""), self.settings.n_ctx)
            if self._model is None:
                choice = registry.resolve(self.settings.model_path, self.paths.models)
                self._model = registry.load_with(choice, self.settings)
            return self._model

    def params(self) -> GenerationParams:
        s = self.settings
        return GenerationParams(s.max_tokens, s.temperature, s.seed)

    # -- library ---------------------------------------------------------------------------
    def create_matter(self, name: str) -> Matter:
        return self.library.create_matter(name)

    def matters(self) -> list[Matter]:
        return self.library.matters()

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

    def source_page(self, document_id: str, page: int, start: int = 0, end: int = 0) -> SourcePage:
        """A cited page for the source viewer: the original PDF page rendered with the span
        `start:end` of its indexed text highlighted, or that text for other formats (and for a
        PDF that has moved or changed since it was indexed, saying so)."""
        doc = self.library.document(document_id)
        text = self.library.page_text(document_id, page)
        return read_source_page(doc.path, doc.content_hash, doc.kind, doc.filename, page, doc.pages, text, start, end)

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

    # -- review and export -----------------------------------------------------------------
    def drafts(self, matter: str | None = None) -> list[Draft]:
        return self.review.drafts.list(self.library.matter(matter).id if matter else None)

    def get_draft(self, draft_id: str) -> Draft:
        return self.review.drafts.get(draft_id)

    def stale_sources(self, draft: Draft) -> list[str]:
        """Cited documents that changed or left the matter after the draft was written. Derived
        on every read from the citations' content hashes, so it can never go out of date."""
        docs = self.library.documents(draft.matter_id)
        current = {d.filename: d for d in docs}
        hashes = {d.content_hash for d in docs}
        notes = set()
        for c in (c for s in draft.sections for c in s.citations):
            doc = current.get(c.filename)
            if doc is None and c.content_hash in hashes:
                continue  # renamed or moved: the cited text is unchanged
            if doc is None:
                notes.add(f"{c.filename} was removed from the matter")
            elif doc.content_hash != c.content_hash:
                notes.add(f"{c.filename} changed since this draft cited it")
        return sorted(notes)

    def approve(self, draft_id: str, reviewer: str, note: str = "") -> Draft:
        return self.review.act(draft_id, ReviewAction.APPROVE, reviewer, note)

    def request_changes(self, draft_id: str, reviewer: str, note: str = "") -> Draft:
        return self.review.act(draft_id, ReviewAction.REQUEST_CHANGES, reviewer, note)

    def revise(self, draft_id: str, actor: str, note: str = "") -> Draft:
        return self.review.act(draft_id, ReviewAction.REVISE, actor, note)

    def sign_off(self, draft_id: str, reviewer: str, role: str, meaning: str, expected_sha256: str = "") -> Draft:
        domain = self.work_product_domain(self.get_draft(draft_id))
        self.review.sign_off(draft_id, reviewer, role, meaning, expected_sha256, domain)
        return self.get_draft(draft_id)

    # -- per-section review, people and policy -----------------------------------------------
    def work_product_domain(self, draft: Draft) -> str:
        """The template's domain (legal, accounting, ...); a template no longer installed counts as "other"."""
        template = self.templates().get(draft.work_product)
        return template.domain if template else "other"

    def view_draft(self, draft_id: str, viewer: str) -> DraftReview:
        """The draft for display, section by section; viewing signed work is audited."""
        return self.review.review(draft_id, viewer)

    def approve_all(self, draft_id: str, reviewer: str, note: str = "") -> Draft:
        """Approve every pending section, then the draft (the window's Approve button)."""
        return self.review.approve_all(draft_id, reviewer, note)

    def approve_section(self, draft_id: str, section: str, reviewer: str, note: str = "") -> Draft:
        return self.review.section_action(draft_id, section, SectionAction.APPROVE, reviewer, note)

    def request_section_changes(self, draft_id: str, section: str, reviewer: str, note: str) -> Draft:
        return self.review.section_action(draft_id, section, SectionAction.REQUEST_CHANGES, reviewer, note)

    def edit_section(self, draft_id: str, section: str, editor: str, body: str) -> EditResult:
        return self.review.edit_section(draft_id, section, editor, body)

    def comment(self, draft_id: str, section: str, author: str, text: str) -> SectionComment:
        return self.review.comment(draft_id, section, author, text)

    def resolve_flag(self, draft_id: str, section: str, index: int, actor: str, fixed: bool = False,
                     accept_reason: str = "") -> FlagResolution:
        """Resolve as fixed (the edit removed what the flag pointed at), or else as accepted for
        the written reason given."""
        if fixed and accept_reason.strip():
            raise ValueError("resolve a flag either as fixed or as accepted with a reason, not both")
        resolution = Resolution.FIXED if fixed else Resolution.ACCEPTED
        return self.review.resolve_flag(draft_id, section, index, actor, resolution, accept_reason)

    def add_profile(self, name: str, initials: str, role: str) -> Profile:
        return self.review.add_profile(name, initials, role)

    def profiles(self) -> list[Profile]:
        return self.review.people.list()

    def policy(self) -> SignOffPolicy:
        return self.review.people.policy()

    def set_policy(self, key: str, value: str, actor: str) -> SignOffPolicy:
        return self.review.set_policy(key, value, actor)

    def export(self, draft_id: str, fmt: str, out: Path | None = None, actor: str = "") -> Path:
        """Write the draft as md, docx or pdf, or a contract review memo's suggested revisions as
        tracked changes in the contract (redline-docx). Each export is audited with its file's hash."""
        if fmt == "redline-docx":
            return self.export_redline(draft_id, out, actor)[0]
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"export format must be one of: {', '.join(EXPORT_FORMATS)}")
        draft = self.get_draft(draft_id)
        quotes = source_quotes(draft, self._cited_passage)
        return self._audited_export(draft, fmt, out or self.paths.exports / f"{draft.id}-v{draft.version}.{fmt}", actor,
                                    lambda head, tmp: export.write(draft, fmt, head, tmp, quotes))

    def export_redline(self, draft_id: str, out: Path | None = None, actor: str = "") -> tuple[Path, RedlineReport]:
        """The contract as DOCX with the memo's suggested revisions as tracked changes, and which
        findings' revisions were placed (or why not)."""
        draft = self.get_draft(draft_id)
        reports: list[RedlineReport] = []
        path = self._audited_export(draft, "redline-docx", out or self.paths.exports / f"{draft.id}-v{draft.version}-redline.docx",
                                    actor, lambda head, tmp: reports.append(self._redline(draft, tmp)))
        return path, reports[0]

    def _audited_export(self, draft: Draft, fmt: str, out: Path, actor: str, write) -> Path:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial")
        # The file names the audit head it was made against; the export entry then records the
        # file's own hash, and only a file whose export is on record takes its final name.
        head = self.review.audit.head()
        try:
            write(head, tmp)
            self.review.record_export(draft.id, actor, fmt, draft.content_sha256, sha256_file(tmp))
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        return out

    def _cited_passage(self, c: Citation) -> str:
        """The cited chunk's text while the library still holds the version that was cited."""
        chunk = self.library.chunks([c.chunk_id]).get(c.chunk_id)
        if chunk is None:
            return "(the cited document has since changed or been removed; the passage is no longer in the library)"
        return chunk.text

    def _redline(self, draft: Draft, path: Path) -> RedlineReport:
        doc_id = memo_contract(draft)
        try:
            contract = self.library.document(doc_id)
        except LookupError:
            raise LookupError(f"the contract memo {draft.id} reviewed is no longer in the library; "
                              "ingest it again and re-run the review") from None
        return redline_memo(draft, contract, self.library.page_texts(contract.id), path, utc_now())

    def verify_export(self, path: Path) -> FileVerification:
        """Which export of which draft this exact file is, from the audit log, with the chain checked."""
        result = verify_file(Path(path), self.review.audit.entries())
        if result.found and result.version is None:
            try:
                draft = self.get_draft(result.draft_id)
            except LookupError:
                return result
            known = {s.content_sha256: s.version for s in draft.signoffs} | {draft.content_sha256: draft.version}
            result = replace(result, version=known.get(result.content_sha256))
        return result

    def verify_audit(self) -> int | None:
        return self.review.audit.verify()

    # -- review packages -------------------------------------------------------------------
    def export_package(self, draft_id: str, out: Path | None = None, actor: str = "") -> PackageExport:
        """One signed file with the draft, its evidence and audit entries, for a reviewer on
        another installation; a draft that came in a package goes back as the signed reply."""
        return self.packages.export(draft_id, out or self.paths.exports / f"{draft_id}.cspkg", actor)

    def import_package(self, path: Path, actor: str = "", expect_key: str = "") -> PackageImport:
        """`expect_key` (a fingerprint, or its first 16+ hex digits) refuses a package signed by any other key."""
        return self.packages.import_(path, actor, expect_key)

    def inspect_package(self, path: Path) -> PackageManifest:
        """What a package holds and who signed it, checked like an import but writing nothing."""
        return self.packages.inspect(path).manifest

    def installation_key(self) -> str:
        """This installation's key fingerprint, which a package's recipient compares out of band."""
        return self.packages.key.fingerprint



def _is_file_input(template: Template, name: str) -> bool:
    return any(i.name == name and i.type in ("document", "table") for i in template.inputs)
