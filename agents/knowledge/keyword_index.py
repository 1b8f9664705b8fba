"""The keyword half of hybrid search: BM25 over the matter's chunks for a query's rarest words.

On SQLite it is FTS5 (porter stemming, bm25 rank); on the firm workspace (PostgreSQL) the same
queries run on a tsvector column with an English stemmer and ts_rank. The choice of words, the
share cut and the rare-word search are the same on both."""
from __future__ import annotations

import re

# Words that match nearly every passage: OR'd into a query they rank boilerplate, not answers.
QUERY_STOPWORDS = frozenset("""the and for are was were what which who whom whose how why when where with from that this
these those than then there their them they its into onto about over under also any all each such can could would should
may might must will shall has have had does did not but our your you his her per based using use answer question round
decimal places two one provide please give show tell using""".split())


# BM25 gives a word in over half the chunks no weight (its IDF is <= 0), yet such a word's
# postings are what make an OR query slow; and past a handful of rare words a long question's
# ranking no longer changes, so only the rarest few are searched.
MAX_QUERY_TERMS = 12
MAX_TERM_SHARE = 0.5
# A word in this few of a matter's chunks is a name or a reference (a party, a side letter's
# number) that a reader looks passages up by; fusion alone would rank a keyword-only hit for it
# below every dense hit (benchmarks/adversarial.py: the canary among 583 hostile files).
RARE_TERM_CHUNKS = 3


class KeywordIndex:
    def __init__(self, db) -> None:
        self._db = db
        self._pg = getattr(db, "dialect", "sqlite") == "postgresql"
        self._df: dict[str, int] = {}  # chunks containing each query word; cleared on every write
        self._chunk_total: int | None = None
        self._matter_df: dict[tuple[str, str], int] = {}  # (matter id, word) -> its chunks holding it

    def forget(self) -> None:
        self._df.clear()
        self._matter_df.clear()
        self._chunk_total = None

    def _count(self, word: str, matter_id: str | None = None) -> int:
        sql = ("SELECT count(*) FROM chunks_fts WHERE tsv @@ plainto_tsquery('english', ?)" if self._pg
               else "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?")
        args: list = [word if self._pg else f'"{word}"']
        if matter_id:
            sql += " AND matter_id = ?"
            args.append(matter_id)
        return self._db.execute(sql, args).fetchone()[0]

    def _query_terms(self, query: str) -> list[str]:
        """The query's searchable words, rarest first, without FTS syntax."""
        words = dict.fromkeys(w.replace('"', "") for w in re.findall(r"[\w']+", query.lower())
                              if len(w) > 2 and w not in QUERY_STOPWORDS)
        if self._chunk_total is None:
            self._chunk_total = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        for w in words:
            if w not in self._df:
                self._df[w] = self._count(w)
        useful = [w for w in words if 0 < self._df[w] <= MAX_TERM_SHARE * self._chunk_total]
        return sorted(useful, key=lambda w: self._df[w])[:MAX_QUERY_TERMS]

    def search(self, query: str, matter_id: str, k: int, document_id: str | None = None,
               pages: tuple[int, int] | None = None) -> list[str]:
        """BM25-ranked chunk ids for the query's rarest words."""
        return self._match(self._query_terms(query), matter_id, k, document_id, pages)

    def rare_term_search(self, query: str, matter_id: str, document_id: str | None = None,
                         pages: tuple[int, int] | None = None) -> list[str]:
        """The chunks holding a query word that at most RARE_TERM_CHUNKS of the matter's chunks
        hold, best ranked first. Counted within the matter, so other matters never shape its ranking."""
        rare = []
        for w in self._query_terms(query):
            if (matter_id, w) not in self._matter_df:
                self._matter_df[matter_id, w] = self._count(w, matter_id)
            if 0 < self._matter_df[matter_id, w] <= RARE_TERM_CHUNKS:
                rare.append(w)
        return self._match(rare, matter_id, RARE_TERM_CHUNKS * len(rare), document_id, pages)

    def _match(self, words: list[str], matter_id: str, k: int, document_id: str | None,
               pages: tuple[int, int] | None) -> list[str]:
        if not words:
            return []
        if self._pg:  # any of the words: tsqueries OR'd, each word parsed (never as query syntax)
            any_word = " || ".join("plainto_tsquery('english', ?)" for _ in words)
            sql = f"SELECT f.chunk_id FROM chunks_fts f CROSS JOIN (SELECT {any_word} AS q) query"
            args: list = list(words)
        else:
            sql, args = "SELECT f.chunk_id FROM chunks_fts f", []
        if document_id or pages:
            sql += " JOIN chunks c ON c.id = f.chunk_id"
        if self._pg:
            sql += " WHERE f.tsv @@ query.q AND f.matter_id = ?"
        else:
            sql += " WHERE chunks_fts MATCH ? AND f.matter_id = ?"
            args.append(" OR ".join(f'"{w}"' for w in words))
        args.append(matter_id)
        if document_id:
            sql += " AND c.document_id = ?"
            args.append(document_id)
        if pages:
            sql += " AND c.page BETWEEN ? AND ?"
            args += list(pages)
        # FTS5's rank is bm25() computed once, inside FTS5; ts_rank is PostgreSQL's counterpart.
        sql += " ORDER BY ts_rank(f.tsv, query.q) DESC, f.chunk_id LIMIT ?" if self._pg else " ORDER BY rank LIMIT ?"
        args.append(k)
        return [r[0] for r in self._db.execute(sql, args)]
