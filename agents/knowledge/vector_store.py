"""chromadb persistent store: one collection per (matter, embedder), vectors keyed by chunk id,
no text.

A collection per matter makes the wall between matters structural (a query can only ever see
its own matter's vectors) and spares every query a metadata filter, which at 100k chunks cost
more than the nearest-neighbour search itself. A collection per embedder keeps 384- and
768-dimension vectors apart, so a matter being re-embedded keeps searching its old collection
until the new one is complete."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from agents.domain.library import Chunk

PREFIX = "matter_"
# Collections written before the embedder became a setting are all MiniLM and carry no suffix;
# keeping that name for MiniLM means existing vector stores need no migration.
LEGACY_EMBEDDER = "all-MiniLM-L6-v2"
_SEP = "."  # matter ids never contain one; chromadb allows it in names
UPSERT_BATCH = 32  # chunks per chromadb call: each call holds the GIL (see _upsert)


def collection_name(matter_id: str, embedder: str) -> str:
    return PREFIX + matter_id + ("" if embedder == LEGACY_EMBEDDER else _SEP + embedder)


def parse_name(name: str) -> tuple[str, str] | None:
    if not name.startswith(PREFIX):
        return None
    matter_id, _, embedder = name[len(PREFIX):].partition(_SEP)
    return matter_id, embedder or LEGACY_EMBEDDER


def http_client(url: str, token: str):
    """chromadb's HTTP client for the firm's server. Its Rust server checks no token itself
    (chroma#3750), so the firm's reverse proxy does (docs/firm-servers.md)."""
    from urllib.parse import urlsplit

    import chromadb
    from chromadb.config import Settings

    parts = urlsplit(url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return chromadb.HttpClient(host=parts.hostname or "localhost", port=parts.port or (443 if parts.scheme == "https" else 80),
                                   ssl=parts.scheme == "https", headers=headers,
                                   settings=Settings(anonymized_telemetry=False, allow_reset=False))
    except Exception as exc:  # chromadb reports both as ValueError: a proxy's 401 page, or "Could not connect"
        where = f"{parts.hostname}:{parts.port or ''}"
        if "401" in str(exc) or "403" in str(exc):
            raise VectorServerUnavailable(f"the firm's vector server at {where} refused the token "
                                          f"({'wrong' if token else 'none'} in $COUNTERSIGN_VECTOR_SERVER_TOKEN)") from exc
        raise VectorServerUnavailable(f"the firm's vector server at {where} cannot be reached: "
                                      f"{str(exc).splitlines()[0][:160]}") from exc


VECTOR_TOKEN_ENV = "COUNTERSIGN_VECTOR_SERVER_TOKEN"  # the firm's vector server token: never in a file


class VectorServerUnavailable(ConnectionError):
    """The firm's chromadb server is down, or its proxy refused the token."""


class VectorStore:
    """`embedder=None` means the matter's current one, as told by `active` (set by services)."""

    def __init__(self, path: Path, active: Callable[[str], str] = lambda _matter_id: LEGACY_EMBEDDER,
                 in_process: bool = True, server: str = "", token: str = "") -> None:
        """`in_process=False` runs chromadb in a child process (vector_process.py): the window's
        choice, so chromadb's calls never hold the window's GIL. `server` (firm mode) is the URL
        of the firm's chromadb server instead of `path`; `token` goes with every request."""
        self._path = path
        self._in_process = in_process
        self._server, self._token = server, token
        self._client = None
        self._client_lock = threading.Lock()
        self._collections: dict[str, object] = {}
        self.active = active

    def open(self) -> None:
        """Open the store now (importing chromadb, or starting its process) rather than at the
        first call that needs it."""
        self._db().list_collections()

    def _db(self):
        # Locked: the window's warm-up may open the store while the worker's first ingest does.
        with self._client_lock:
            if self._client is None and self._server:
                self._client = http_client(self._server, self._token)
            if self._client is None and not self._in_process:
                from agents.knowledge.vector_process import ProcessClient

                self._client = ProcessClient(self._path)
            if self._client is None:
                import chromadb
                from chromadb.config import Settings

                self._client = chromadb.PersistentClient(
                    path=str(self._path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
                )
            return self._client

    def _coll(self, matter_id: str, embedder: str | None, create: bool = True):
        name = collection_name(matter_id, embedder or self.active(matter_id))
        if name not in self._collections:
            if not create and name not in {c.name for c in self._db().list_collections()}:
                return None  # reads never create: a query racing a switch must not resurrect a dropped index
            # embedding_function=None: chromadb's default would download a model at first use.
            self._collections[name] = self._db().get_or_create_collection(
                name, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
        return self._collections[name]

    def close(self) -> None:
        """Stop the child process, if chromadb runs in one (the embedded client needs nothing)."""
        if self._in_process and not self._server:
            return
        with self._client_lock:
            if self._server:  # chromadb's HTTP client holds no process or file to release
                self._client = None
                self._collections.clear()
                return
            if self._client is not None:
                self._client.close()
            self._client = None
            self._collections.clear()

    def collections(self) -> list[tuple[str, str]]:
        """(matter id, embedder) of every collection on disk."""
        return [parsed for c in self._db().list_collections() if (parsed := parse_name(c.name))]

    def add(self, ids: list[str], vectors: list[list[float]], matter_id: str, document_id: str, pages: list[int],
            embedder: str | None = None) -> None:
        if ids:
            now = int(time.time())
            metas = [{"matter_id": matter_id, "document_id": document_id, "page": page, "written": now} for page in pages]
            self._upsert(self._coll(matter_id, embedder), ids, vectors, metas)

    def add_chunks(self, chunks: list[Chunk], vectors: list[list[float]], embedder: str) -> None:
        """Chunks of one matter from any of its documents (re-embedding works across documents)."""
        if chunks:
            now = int(time.time())
            metas = [{"matter_id": c.matter_id, "document_id": c.document_id, "page": c.page, "written": now}
                     for c in chunks]
            self._upsert(self._coll(chunks[0].matter_id, embedder), [c.id for c in chunks], vectors, metas)

    @staticmethod
    def _delete(collection, ids: list[str]) -> None:
        # Deleting holds the GIL too (a 1,000-chunk document: a quarter of a second); see _upsert.
        for at in range(0, len(ids), UPSERT_BATCH):
            collection.delete(ids=ids[at:at + UPSERT_BATCH])

    @staticmethod
    def _upsert(collection, ids: list[str], vectors: list[list[float]], metas: list[dict]) -> None:
        # chromadb's Rust bindings hold the GIL for a whole upsert (about 0.5 ms a chunk here), so
        # one call for a 300-page filing froze the window for a second. Small batches hand the GIL
        # back between calls. A crash between batches leaves orphan vectors, which startup removes
        # as it does for a crash before the SQLite commit.
        for at in range(0, len(ids), UPSERT_BATCH):
            end = at + UPSERT_BATCH
            collection.upsert(ids=ids[at:end], embeddings=vectors[at:end], metadatas=metas[at:end])

    def delete_document(self, matter_id: str, document_id: str) -> None:
        # From every embedder's collection, so a re-embed in progress never keeps a removed file.
        for m, embedder in self.collections():
            if m == matter_id:
                coll = self._coll(m, embedder)
                self._delete(coll, coll.get(where={"document_id": document_id}, include=[])["ids"])

    def query(self, vector: list[float], matter_id: str, k: int, document_id: str | None = None,
              pages: tuple[int, int] | None = None, embedder: str | None = None) -> list[tuple[str, float]]:
        clauses: list[dict] = []
        if document_id:
            clauses.append({"document_id": document_id})
        if pages:
            clauses += [{"page": {"$gte": pages[0]}}, {"page": {"$lte": pages[1]}}]
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        coll = self._coll(matter_id, embedder, create=False)
        if coll is None:
            return []
        res = coll.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
        return list(zip(res["ids"][0], res["distances"][0]))

    def ids(self, matter_id: str | None = None, embedder: str | None = None) -> set[str]:
        """Every id in the store, or in one matter's collection for one embedder."""
        if matter_id is None:
            return {i for m, e in self.collections() for i in self._coll(m, e).get(include=[])["ids"]}
        coll = self._coll(matter_id, embedder, create=False)
        return set(coll.get(include=[])["ids"]) if coll is not None else set()

    def ids_written_before(self, matter_id: str, embedder: str, cutoff: float) -> set[str]:
        """Ids of one collection written before `cutoff` (unix seconds). Vectors written before
        the time was recorded count as old."""
        coll = self._coll(matter_id, embedder, create=False)
        if coll is None:
            return set()
        got = coll.get(include=["metadatas"])
        return {i for i, meta in zip(got["ids"], got["metadatas"]) if (meta or {}).get("written", 0) < cutoff}

    def count(self, matter_id: str, embedder: str) -> int:
        coll = self._coll(matter_id, embedder, create=False)
        return coll.count() if coll is not None else 0

    def dimensions(self, matter_id: str, embedder: str) -> int | None:
        coll = self._coll(matter_id, embedder, create=False)
        got = coll.get(limit=1, include=["embeddings"]) if coll is not None else None
        return len(got["embeddings"][0]) if got is not None and len(got["embeddings"]) else None

    def delete_ids(self, ids: list[str], matter_id: str | None = None, embedder: str | None = None) -> None:
        if not ids:
            return
        if matter_id is not None:
            if (coll := self._coll(matter_id, embedder, create=False)) is not None:
                self._delete(coll, ids)
            return
        for m, e in self.collections():  # an orphan's matter is unknown: SQLite no longer has its row
            self._delete(self._coll(m, e), ids)

    def drop(self, matter_id: str, embedder: str) -> None:
        name = collection_name(matter_id, embedder)
        self._collections.pop(name, None)
        if name in {c.name for c in self._db().list_collections()}:
            self._db().delete_collection(name)

    def using(self, embedder: str) -> "BoundVectors":
        return BoundVectors(self, embedder)


class BoundVectors:
    """The store as seen by one embedder, for code that writes or reads one matter's vectors
    (the ingestor, the retriever): its vectors always land in the collection they fit."""

    def __init__(self, store: VectorStore, embedder: str) -> None:
        self._store, self.embedder = store, embedder

    def add(self, ids, vectors, matter_id, document_id, pages) -> None:
        self._store.add(ids, vectors, matter_id, document_id, pages, self.embedder)

    def delete_document(self, matter_id: str, document_id: str) -> None:
        self._store.delete_document(matter_id, document_id)

    def query(self, vector, matter_id, k, document_id=None, pages=None) -> list[tuple[str, float]]:
        return self._store.query(vector, matter_id, k, document_id, pages, self.embedder)
