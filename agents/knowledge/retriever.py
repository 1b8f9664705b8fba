"""Hybrid retrieval within one matter: BM25 and embeddings fused by weighted reciprocal rank.

Measured on FinanceBench (benchmarks/retrieval.py): BM25 is strong on exact terms and weak on
statement tables, so it gets half the dense list's weight; and both lists are cut to a fixed
pool, because long lists let chunks that are middling in both outrank either list's best. The
few chunks holding a word rare in the matter (a name, a reference number) come first, and a
question that names a financial statement puts that statement's pages before them
(statements.py): page recall@5 within a filing 0.46 -> 0.66."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from agents.domain.library import Passage
from agents.knowledge.embedder import Embedder
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.statements import asked_statements, page_statement, primary_statements
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


# Threads start on first use, so creating the pool at import costs nothing.
_KEYWORD_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="keyword-search")


def promote(fused: list[tuple[str, float]], wanted: list[str]) -> list[tuple[str, float]]:
    """Put the wanted chunks first: those already ranked in their fused order, then the rest of
    them in reading order (a statement page whose rows matched neither list is still the answer)."""
    wanted_set, ranked = set(wanted), {cid for cid, _ in fused}
    first = [(cid, score) for cid, score in fused if cid in wanted_set]
    first += [(cid, 0.0) for cid in wanted if cid not in ranked]
    return first + [(cid, score) for cid, score in fused if cid not in wanted_set]


class Retriever:
    def __init__(self, store: LibraryStore, vectors: VectorStore, embedder: Embedder) -> None:
        self._store, self._vectors, self._embedder = store, vectors, embedder
        self._statements: dict[str, dict[int, str]] = {}  # document id -> {page: statement}

    def _statement_pages(self, document_id: str) -> dict[int, str]:
        # Document ids change whenever a file is re-indexed, so a cached entry is never stale.
        if document_id not in self._statements:
            labels = {n: kind for n, text in self._store.page_texts(document_id) if (kind := page_statement(text))}
            self._statements[document_id] = primary_statements(labels)
        return self._statements[document_id]

    def _statement_chunks(self, kinds: set[str], matter_id: str, document_id: str | None,
                          pages: tuple[int, int] | None) -> list[str]:
        """Chunks on the pages of the statements a question names, in reading order."""
        doc_ids = [document_id] if document_id else [d.id for d in self._store.documents(matter_id)]
        found: list[str] = []
        for doc_id in doc_ids:
            wanted = [p for p, kind in self._statement_pages(doc_id).items() if kind in kinds
                      and (pages is None or pages[0] <= p <= pages[1])]
            found += self._store.chunk_ids_on_pages(doc_id, wanted)
        return found

    def _keyword(self, query: str, matter_id: str, pool: int, document_id: str | None,
                 pages: tuple[int, int] | None) -> tuple[list[str], list[str]]:
        return (self._store.keyword_search(query, matter_id, pool, document_id, pages),
                self._store.rare_term_search(query, matter_id, document_id, pages))

    def search(self, query: str, matter_id: str, k: int = 5, document_id: str | None = None,
               pages: tuple[int, int] | None = None, statements: bool = True, rare_terms: bool = True) -> list[Passage]:
        """`statements=False` and `rare_terms=False` rank without the statement-page and the
        rare-word preferences (benchmarks/retrieval.py measures each)."""
        pool = max(POOL, k // 2)  # the fused list of two pools still fills k
        # The keyword search runs in SQLite, which releases the GIL, while this thread embeds the
        # query and searches the vectors: a query costs the slower of the two, not their sum.
        keyword_job = _KEYWORD_POOL.submit(self._keyword, query, matter_id, pool, document_id, pages)
        vector = [cid for cid, _ in self._vectors.query(self._embedder.embed([query])[0], matter_id, pool, document_id, pages)]
        keyword, rare = keyword_job.result()
        fused = fuse([vector, keyword], [DENSE_WEIGHT, KEYWORD_WEIGHT])
        if rare_terms:
            fused = promote(fused, rare)
        kinds = asked_statements(query)
        if kinds and statements:
            fused = promote(fused, self._statement_chunks(kinds, matter_id, document_id, pages))
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
