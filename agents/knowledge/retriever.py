"""Hybrid retrieval within one matter: BM25 and embeddings fused by reciprocal rank (k=60)."""
from __future__ import annotations

from agents.domain.library import Passage
from agents.knowledge.embedder import Embedder
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.vector_store import VectorStore

RRF_K = 60


def fuse(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever:
    def __init__(self, store: LibraryStore, vectors: VectorStore, embedder: Embedder) -> None:
        self._store, self._vectors, self._embedder = store, vectors, embedder

    def search(self, query: str, matter_id: str, k: int = 5, document_id: str | None = None,
               pages: tuple[int, int] | None = None) -> list[Passage]:
        pool = max(20, 4 * k)
        keyword = self._store.keyword_search(query, matter_id, pool, document_id, pages)
        vector = [cid for cid, _ in self._vectors.query(self._embedder.embed([query])[0], matter_id, pool, document_id, pages)]
        fused = fuse([vector, keyword])
        chunks = self._store.chunks([cid for cid, _ in fused])
        passages: list[Passage] = []
        docs: dict = {}
        for cid, score in fused:
            chunk = chunks.get(cid)
            if chunk is None:  # a vector whose SQLite row is gone (crash before reconcile)
                continue
            doc = docs.get(chunk.document_id) or docs.setdefault(chunk.document_id, self._store.document(chunk.document_id))
            passages.append(Passage(chunk, doc.filename, doc.content_hash, score))
            if len(passages) == k:
                break
        return passages
