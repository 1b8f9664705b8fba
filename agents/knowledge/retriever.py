"""Hybrid retrieval within one matter: BM25 and embeddings fused by weighted reciprocal rank.

Measured on FinanceBench (benchmarks/retrieval.py): BM25 is strong on exact terms and weak on
statement tables, so it gets half the dense list's weight; and both lists are cut to a fixed
pool, because long lists let chunks that are middling in both outrank either list's best."""
from __future__ import annotations

from agents.domain.library import Passage
from agents.knowledge.embedder import Embedder
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.vector_store import VectorStore

RRF_K = 60
POOL = 40
DENSE_WEIGHT, KEYWORD_WEIGHT = 1.0, 0.5


def fuse(rankings: list[list[str]], weights: list[float] | None = None, k: int = RRF_K) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever:
    def __init__(self, store: LibraryStore, vectors: VectorStore, embedder: Embedder) -> None:
        self._store, self._vectors, self._embedder = store, vectors, embedder

    def search(self, query: str, matter_id: str, k: int = 5, document_id: str | None = None,
               pages: tuple[int, int] | None = None) -> list[Passage]:
        pool = max(POOL, k // 2)  # the fused list of two pools still fills k
        keyword = self._store.keyword_search(query, matter_id, pool, document_id, pages)
        vector = [cid for cid, _ in self._vectors.query(self._embedder.embed([query])[0], matter_id, pool, document_id, pages)]
        fused = fuse([vector, keyword], [DENSE_WEIGHT, KEYWORD_WEIGHT])
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
