"""chromadb persistent store: one collection per matter, vectors keyed by chunk id, no text.

A collection per matter makes the wall between matters structural (a query can only ever see
its own matter's vectors) and spares every query a metadata filter, which at 100k chunks cost
more than the nearest-neighbour search itself."""
from __future__ import annotations

from pathlib import Path

PREFIX = "matter_"


class VectorStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._client = None
        self._collections: dict[str, object] = {}

    def _db(self):
        if self._client is None:
            import chromadb
            from chromadb.config import Settings

            self._client = chromadb.PersistentClient(
                path=str(self._path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
            )
        return self._client

    def _coll(self, matter_id: str):
        if matter_id not in self._collections:
            # embedding_function=None: chromadb's default would download a model at first use.
            self._collections[matter_id] = self._db().get_or_create_collection(
                PREFIX + matter_id, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
        return self._collections[matter_id]

    def _all(self) -> list:
        return [self._coll(c.name[len(PREFIX):]) for c in self._db().list_collections() if c.name.startswith(PREFIX)]

    def add(self, ids: list[str], vectors: list[list[float]], matter_id: str, document_id: str, pages: list[int]) -> None:
        if ids:
            metas = [{"matter_id": matter_id, "document_id": document_id, "page": page} for page in pages]
            self._coll(matter_id).upsert(ids=ids, embeddings=vectors, metadatas=metas)

    def delete_document(self, matter_id: str, document_id: str) -> None:
        self._coll(matter_id).delete(where={"document_id": document_id})

    def query(self, vector: list[float], matter_id: str, k: int, document_id: str | None = None,
              pages: tuple[int, int] | None = None) -> list[tuple[str, float]]:
        clauses: list[dict] = []
        if document_id:
            clauses.append({"document_id": document_id})
        if pages:
            clauses += [{"page": {"$gte": pages[0]}}, {"page": {"$lte": pages[1]}}]
        where = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        coll = self._coll(matter_id)
        res = coll.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
        return list(zip(res["ids"][0], res["distances"][0]))

    def ids(self) -> set[str]:
        return {i for coll in self._all() for i in coll.get(include=[])["ids"]}

    def delete_ids(self, ids: list[str]) -> None:
        if ids:
            for coll in self._all():  # an orphan's matter is unknown: SQLite no longer has its row
                coll.delete(ids=ids)
