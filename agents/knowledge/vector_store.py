"""chromadb persistent store: vectors keyed by chunk id with matter/document ids, and no text."""
from __future__ import annotations

from pathlib import Path


class VectorStore:
    COLLECTION = "chunks"

    def __init__(self, path: Path) -> None:
        self._path = path
        self._collection = None

    def _coll(self):
        if self._collection is None:
            import chromadb
            from chromadb.config import Settings

            client = chromadb.PersistentClient(
                path=str(self._path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
            )
            # embedding_function=None: chromadb's default would download a model at first use.
            self._collection = client.get_or_create_collection(
                self.COLLECTION, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
        return self._collection

    def add(self, ids: list[str], vectors: list[list[float]], matter_id: str, document_id: str, pages: list[int]) -> None:
        if ids:
            metas = [{"matter_id": matter_id, "document_id": document_id, "page": page} for page in pages]
            self._coll().upsert(ids=ids, embeddings=vectors, metadatas=metas)

    def delete_document(self, document_id: str) -> None:
        self._coll().delete(where={"document_id": document_id})

    def query(self, vector: list[float], matter_id: str, k: int, document_id: str | None = None,
              pages: tuple[int, int] | None = None) -> list[tuple[str, float]]:
        # The matter filter is part of the search itself, so ranking never sees another matter.
        clauses: list[dict] = [{"matter_id": matter_id}]
        if document_id:
            clauses.append({"document_id": document_id})
        if pages:
            clauses += [{"page": {"$gte": pages[0]}}, {"page": {"$lte": pages[1]}}]
        where = clauses[0] if len(clauses) == 1 else {"$and": clauses}
        res = self._coll().query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
        return list(zip(res["ids"][0], res["distances"][0]))

    def ids(self) -> set[str]:
        return set(self._coll().get(include=[])["ids"])

    def delete_ids(self, ids: list[str]) -> None:
        if ids:
            self._coll().delete(ids=ids)
