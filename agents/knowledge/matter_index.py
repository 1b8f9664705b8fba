"""Which embedder each matter's search uses, the embedders themselves, and a retriever that
embeds every query with the embedder of the collection it searches.

The choice is recorded per matter in SQLite (table matter_embedders) rather than derived from
chromadb: while a matter is being re-embedded both collections exist, and only a completed
re-embed may move its searches to the new one."""
from __future__ import annotations

import threading
from pathlib import Path

from agents.domain.library import Passage
from agents.knowledge.embedder import Embedder
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.retriever import Retriever
from agents.knowledge.vector_store import LEGACY_EMBEDDER, VectorStore
from agents.runtime.database import Database


class MatterIndex:
    def __init__(self, db: Database, setting: str, models_dir: Path, n_threads: int) -> None:
        self._db = db
        self.setting = setting  # the embedder every matter should end up searching with
        self._models_dir, self._n_threads = models_dir, n_threads
        self._embedders: dict[str, Embedder] = {}
        self._lock = threading.Lock()

    def embedder(self, name: str | None = None) -> Embedder:
        """One loaded model per embedder name for the whole process (the setting's by default)."""
        name = name or self.setting
        with self._lock:
            if name not in self._embedders:
                self._embedders[name] = Embedder(name, self._models_dir, self._n_threads)
            return self._embedders[name]

    def active(self, matter_id: str) -> str:
        """The embedder whose collection the matter's searches use now."""
        row = self._db.execute("SELECT embedder FROM matter_embedders WHERE matter_id = ?", (matter_id,)).fetchone()
        if row is not None:
            return row[0]
        # No record: either a matter indexed before the embedder was a setting (its vectors are
        # MiniLM), or one with nothing indexed yet, which can start with the setting's embedder.
        with self._db.lock:
            has_chunks = self._db.execute("SELECT 1 FROM chunks WHERE matter_id = ? LIMIT 1", (matter_id,)).fetchone()
            name = LEGACY_EMBEDDER if has_chunks else self.setting
            if self._db.read_only:
                return name  # a reader beside the writing Countersign derives it without recording
            # Guarded so an id that is not a matter (nothing to record) never trips the foreign key.
            self._db.execute("INSERT INTO matter_embedders SELECT ?, ? WHERE EXISTS "
                             "(SELECT 1 FROM matters WHERE id = ?) ON CONFLICT DO NOTHING", (matter_id, name, matter_id))
        return name

    def switch(self, matter_id: str, name: str) -> None:
        self._db.execute("INSERT INTO matter_embedders (matter_id, embedder) VALUES (?, ?) "
                         "ON CONFLICT (matter_id) DO UPDATE SET embedder = excluded.embedder", (matter_id, name))

    def chunk_ids(self, matter_id: str) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT id FROM chunks WHERE matter_id = ?", (matter_id,))}

    def chunk_ids_by_matter(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for r in self._db.execute("SELECT matter_id, id FROM chunks"):
            out.setdefault(r[0], set()).add(r[1])
        return out


class MatterRetriever:
    """Retriever's interface over every matter: each search runs on a Retriever built for the
    matter's current embedder, so a query vector always has the dimensions of the collection."""

    def __init__(self, library: LibraryStore, vectors: VectorStore, index: MatterIndex) -> None:
        self._library, self._vectors, self._index = library, vectors, index
        self._retrievers: dict[str, Retriever] = {}

    def for_matter(self, matter_id: str) -> Retriever:
        name = self._index.active(matter_id)
        if name not in self._retrievers:
            self._retrievers[name] = Retriever(self._library, self._vectors.using(name), self._index.embedder(name))
        return self._retrievers[name]

    def search(self, query: str, matter_id: str, k: int = 5, document_id: str | None = None,
               pages: tuple[int, int] | None = None, **options) -> list[Passage]:
        # **options: the Retriever's own switches (e.g. statements=False), passed through as given.
        return self.for_matter(matter_id).search(query, matter_id, k, document_id, pages, **options)
