"""Composition root: builds stores, retriever, model and agents from a data directory."""
from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path
from typing import Iterator

from agents.domain.drafts import Draft
from agents.domain.events import Finished
from agents.domain.review_rules import DraftStatus
from agents.engine.ask import Answer, ask
from agents.engine import inputs as draft_inputs
from agents.engine.runner import run_template
from agents.knowledge.embedder import Embedder
from agents.knowledge.ingest import IngestReport
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.matter_index import MatterIndex, MatterRetriever
from agents.knowledge.reembed import ReembedReport
from agents.knowledge.vector_store import VECTOR_TOKEN_ENV, VectorStore
from agents.review.package_service import PackageService
from agents.review.service import ReviewService
from agents.runtime import database, instance_lock, logging_setup
from agents.runtime import settings as settings_mod
from agents.domain.signoff_policy import with_setting
from agents.runtime.cancel import NEVER, CancelToken, Cancelled
from agents.runtime.firm import FirmProfile, active_firm
from agents.runtime.clock import new_id, utc_now
from agents.runtime.paths import DataPaths, resolve_data_dir
from agents.services.export_facade import ExportFacade
from agents.services.key_facade import KeyFacade
from agents.services.library_facade import SAMPLE_MATTER, LibraryFacade
from agents.services.model_facade import ModelFacade
from agents.services.review_facade import ReviewFacade
from agents.services.walls_facade import WallsFacade, signed_in
from agents.services.warm_up import WarmUpFacade, WarmUpReport
from agents.workproducts import templates as templates_mod
from agents.workproducts.templates import Template, load_template

__all__ = ["Answer", "Cancelled", "CancelToken", "Countersign", "IngestReport", "ReembedReport", "SAMPLE_MATTER",
           "WarmUpReport"]


class Countersign(LibraryFacade, ModelFacade, ReviewFacade, ExportFacade, WarmUpFacade, KeyFacade, WallsFacade):
    """The one object the CLI and the desktop talk to. Heavy parts load on first use."""

    def __init__(self, paths: DataPaths, firm: FirmProfile | None = None, read_only: bool = False,
                 vector_process: bool = False, user: str = "", password: str = "") -> None:
        """`read_only` opens beside a Countersign that has the data directory (for commands that
        only read); otherwise this process takes the directory's write lock, and a second
        process is refused with DataDirectoryInUse naming the first. `vector_process` runs
        chromadb in a child process (the window's choice: its calls hold the GIL). `user` and
        `password` sign in to the firm workspace (firm mode); single-user mode needs neither."""
        self.paths = paths.ensure()
        self.read_only = read_only
        self._vector_process = vector_process
        key = None if read_only else instance_lock.acquire(paths.root)
        # Released by close(), or when an unclosed Countersign is collected, so a forgotten
        # object in a long-lived process does not keep other processes out for good.
        self._release = weakref.finalize(self, instance_lock.release, key) if key else lambda: None
        try:
            self._open(firm, user, password)
        except BaseException:
            self._release()
            raise

    def _open(self, firm: FirmProfile | None, user: str = "", password: str = "") -> None:
        paths = self.paths
        self.firm = active_firm() if firm is None else firm
        self.settings = self.firm.governed(settings_mod.load(paths.settings))
        if not self.read_only:  # two processes rotating one log file would clobber each other's lines
            logging_setup.configure(paths.logs, self.settings.log_level)
        self._db = self._connect()
        try:
            self.user, self.wall = signed_in(self._db, user, password)
        except BaseException:
            self._db.close()
            raise
        self.library = LibraryStore(self._db, self.wall)
        self.review = ReviewService(self._db, self.wall)
        self.packages = PackageService(self._db, paths.root / "keys")
        # Each matter searches the collection of the embedder it was last fully embedded with;
        # the index knows which, and the retriever embeds each query with that embedder.
        self.index = MatterIndex(self._db, self.settings.embedder, paths.models, self.settings.n_threads)
        self.vectors = VectorStore(paths.vectors, active=self.index.active, in_process=not self._vector_process,
                                   server=self.settings.vector_server_url, token=os.environ.get(VECTOR_TOKEN_ENV, ""))
        self.retriever = MatterRetriever(self.library, self.vectors, self.index)
        self._model = None
        self._model_lock = threading.Lock()
        # What the vector repair has covered since opening: None for the whole local store; on
        # shared servers, each matter before this machine's first ingest into it, sparing
        # vectors another machine may be writing (reembed.reconcile_shared).
        self._repaired: set[str | None] = set()
        if not self.read_only:
            self._apply_firm_policy()

    @property
    def firm_mode(self) -> bool:
        """The workspace or the vectors are on the firm's servers rather than in the data directory."""
        return bool(self.settings.workspace_url or self.settings.vector_server_url)

    def _connect(self):
        if not self.settings.workspace_url:
            return database.connect(self.paths.database, read_only=self.read_only)
        from agents.runtime.pg_database import connect_workspace

        return connect_workspace(self.settings.workspace_url, read_only=self.read_only)

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
    def open(cls, data_dir: str | None = None, firm: FirmProfile | None = None, read_only: bool = False,
             vector_process: bool = False, user: str = "", password: str = "") -> "Countersign":
        firm = active_firm() if firm is None else firm
        return cls(resolve_data_dir(data_dir, firm.default_data_dir()), firm, read_only, vector_process, user, password)

    def close(self) -> None:
        self.release_model()
        self.vectors.close()
        self._db.close()
        self._release()

    # -- ask and draft ---------------------------------------------------------------------
    def ask(self, matter: str, question: str, cancel: CancelToken = NEVER) -> Iterator[object]:
        m = self.library.matter(matter)
        return ask(question, m.id, self.retriever, self.model(), self.params(), self.settings.retrieval_k, cancel)

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
