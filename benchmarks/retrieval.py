"""Page-level retrieval recall on the FinanceBench dev subset, through the product's own pipeline.

Ingests the filings into one matter, then for every question checks whether an evidence page is
among the top-1/5/10 distinct pages returned by five retrievers over the same stored chunks:
the product's hybrid retriever (app.search), the same without the rare-word preference
(no_rare_terms), its fusion without the statement-page preference (rrf_only), BM25 alone
(SQLite FTS5) and dense alone (chromadb).
Each is scored within the question's own filing and across the whole library. Prints one JSON object.

Usage:
  COUNTERSIGN_MODELS_DIR=/tmp/cs-models .venv/bin/python benchmarks/retrieval.py \
      [DATA_FOLDER] [--data-dir /tmp/fb-data] [--details]
DATA_FOLDER defaults to ../shared/data/financebench-dev next to the repo. A persistent --data-dir
makes reruns fast: ingestion skips unchanged files. --details adds each question's evidence rank.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.domain.events import Finished  # noqa: E402
from agents.domain.library import DocumentStatus  # noqa: E402
from agents.runtime import settings as settings_mod  # noqa: E402
from agents.services import Countersign  # noqa: E402

MATTER = "FinanceBench"
KS = (1, 5, 10)
# Chunks are ~160 tokens, so a page holds several; 60 candidates fill 10 distinct pages. Note the
# hybrid retriever fuses pools of max(20, 4*top_k), so its ranking depends on this number too.
CANDIDATES = 60


def distinct_pages(chunks) -> list[tuple[str, int]]:
    """(document_id, page) in first-seen order: recall counts pages, not chunks."""
    seen: list[tuple[str, int]] = []
    for c in chunks:
        if (c.document_id, c.page) not in seen:
            seen.append((c.document_id, c.page))
    return seen


def ranked_chunks(app, ids: list[str]):
    found = app.library.chunks(ids)
    return [found[i] for i in ids if i in found]


def retrieve(app, matter_id: str, question: str, vector, doc_id: str | None, doc_name: str | None) -> dict:
    """Each retriever's distinct pages for one question in one scope."""
    hybrid = [p.chunk for p in app.search(MATTER, question, document=doc_name, top_k=CANDIDATES)]
    # The same fusion without the statement-page preference, so that ingredient is measured too.
    fused = [p.chunk for p in app.retriever.search(question, matter_id, CANDIDATES, doc_id, statements=False)]
    # And without the rare-word preference: the hybrid as it ranked before that was added.
    common = [p.chunk for p in app.retriever.search(question, matter_id, CANDIDATES, doc_id, rare_terms=False)]
    bm25 = ranked_chunks(app, app.library.keyword_search(question, matter_id, CANDIDATES, doc_id))
    dense = ranked_chunks(app, [cid for cid, _ in app.vectors.query(vector, matter_id, CANDIDATES, doc_id)])
    return {"hybrid": distinct_pages(hybrid), "no_rare_terms": distinct_pages(common), "rrf_only": distinct_pages(fused), "bm25": distinct_pages(bm25), "dense": distinct_pages(dense)}


def first_hit(pages: list[tuple[str, int]], evidence: set[tuple[str, int]]) -> int | None:
    """1-based rank of the first evidence page among the distinct pages, or None."""
    return next((r for r, p in enumerate(pages, 1) if p in evidence), None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data" / "financebench-dev"))
    ap.add_argument("--data-dir", help="Countersign data directory (default: a new temp dir)")
    ap.add_argument("--details", action="store_true", help="include each question's evidence rank")
    args = ap.parse_args()
    folder = Path(args.data)
    questions = [json.loads(line) for line in (folder / "questions.jsonl").read_text().splitlines() if line.strip()]
    pdfs = sorted((folder / "pdfs").glob("*.pdf"))

    data = Path(args.data_dir or tempfile.mkdtemp(prefix="cs-fb-"))
    data.mkdir(parents=True, exist_ok=True)
    # A 300-page 10-K on a busy 2-core machine can outlast the default 120 s parse limit; this
    # benchmark measures retrieval, so a timed-out filing would only hide questions.
    settings_path = data / "settings.json"
    settings = settings_mod.load(settings_path).model_copy(update={"parse_timeout_s": 900.0})
    settings_mod.save(settings, settings_path)
    app = Countersign.open(str(data))
    try:
        app.create_matter(MATTER)
    except ValueError:
        pass  # reused data dir

    started = time.perf_counter()
    report = None
    for event in app.ingest(MATTER, pdfs):
        if isinstance(event, Finished):
            report = event.result
    ingest_s = time.perf_counter() - started
    indexed_now = report.count(DocumentStatus.INDEXED) if report else 0

    matter_id = app.library.matter(MATTER).id
    docs = {d.filename: d for d in app.documents(MATTER)}
    failed = {n: f"{d.status.value}: {d.reason}" for n, d in docs.items() if d.status is not DocumentStatus.INDEXED}
    chunk_counts = [len(app.library.document_chunks(d.id)) for d in docs.values()]

    scopes = ("within_filing", "library")
    hits = {s: {r: {k: 0 for k in KS} for r in ("hybrid", "no_rare_terms", "rrf_only", "bm25", "dense")} for s in scopes}
    details, fill = [], []
    q_started = time.perf_counter()
    for q in questions:
        name = q["doc_name"] + ".pdf"
        doc = docs.get(name)
        if doc is None or name in failed:
            continue  # counted as a miss: the denominator stays all questions
        # Evidence pages are zero-based pypdf indexes; Countersign numbers pages from 1.
        evidence = {(docs[e["doc_name"] + ".pdf"].id, e["evidence_page_num"] + 1) for e in q["evidence"]
                    if e["doc_name"] + ".pdf" in docs}
        vector = app.embedder.embed([q["question"]])[0]
        row = {"id": q["financebench_id"], "doc": q["doc_name"], "evidence": sorted(p for _, p in evidence)}
        for scope, (doc_id, doc_name) in zip(scopes, ((doc.id, name), (None, None))):
            ranked = retrieve(app, matter_id, q["question"], vector, doc_id, doc_name)
            for retriever, pages in ranked.items():
                fill.append(min(len(pages), 10))
                rank = first_hit(pages, evidence)
                for k in KS:
                    hits[scope][retriever][k] += rank is not None and rank <= k
                row[f"{scope}.{retriever}"] = rank
        details.append(row)

    n = len(questions)
    out = {s: {r: {f"r{k}": round(h[k] / n, 3) for k in KS} for r, h in hits[s].items()} for s in scopes}
    out.update(
        questions=n,
        documents=len(docs) - len(failed),
        failed_documents=failed,
        chunks=sum(chunk_counts),
        pages=sum(d.pages for d in docs.values()),
        candidates=CANDIDATES,
        # Below 10 means some lists ran out of candidates before 10 distinct pages.
        mean_pages_filled=round(sum(fill) / max(len(fill), 1), 2),
        ingest_s=round(ingest_s, 1) if indexed_now else None,
        indexed_this_run=indexed_now,
        query_s=round(time.perf_counter() - q_started, 1),
    )
    if args.details:
        out["details"] = details
    app.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
