"""The two embedders measured on the same chunks in one run, through the product's own path.

Ingests a few FinanceBench filings with all-MiniLM-L6-v2 (the default), then
1. raw throughput: each embedder's chunks/s on the same sample of stored chunks (model load
   and a warm-up excluded);
2. within-filing page recall@1/5 (dense alone and the product's hybrid search) for the
   questions on those filings, first with MiniLM, then after switching the setting to
   all-mpnet-base-v2 and re-embedding the matter with the product's re-embed (its chunks/s is
   reported too, since that is what a user waits for).
Prints one JSON object. Few questions (the filings are kept small so mpnet finishes in
minutes), so recall here is a sanity check, not a ranking.

Usage:
  COUNTERSIGN_MODELS_DIR=/tmp/cs-models .venv/bin/python benchmarks/embedders.py \
      [DATA_FOLDER] [--sample 300] [--filings NAME ...] [--threads 2]
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
from agents.runtime import settings as settings_mod  # noqa: E402
from agents.services import Countersign  # noqa: E402

MATTER = "Embedders"
MINILM, MPNET = "all-MiniLM-L6-v2", "all-mpnet-base-v2"
# Small filings with questions: 6 questions and 265 chunks in all (under the 300-chunk sample).
FILINGS = ("BESTBUY_2024Q2_10Q", "PEPSICO_2023Q1_EARNINGS", "JOHNSON_JOHNSON_2023Q2_EARNINGS")
KS = (1, 5)


def distinct_pages(chunks) -> list[int]:
    pages: list[int] = []
    for c in chunks:
        if c.page not in pages:
            pages.append(c.page)
    return pages


def recall(app: Countersign, matter_id: str, questions: list[dict], docs: dict) -> dict:
    """Within-filing page recall for dense-only and the product's hybrid search."""
    embedder = app.index.embedder(app.index.active(matter_id))
    hits = {r: {k: 0 for k in KS} for r in ("dense", "hybrid")}
    for q in questions:
        doc = docs[q["doc_name"]]
        evidence = {e["evidence_page_num"] + 1 for e in q["evidence"] if e["doc_name"] == q["doc_name"]}
        ids = [cid for cid, _ in app.vectors.query(embedder.embed([q["question"]])[0], matter_id, 40, doc.id)]
        found = app.library.chunks(ids)
        ranked = {"dense": distinct_pages([found[i] for i in ids if i in found]),
                  "hybrid": distinct_pages([p.chunk for p in app.search(MATTER, q["question"], doc.filename, 40)])}
        for r, pages in ranked.items():
            rank = next((n for n, p in enumerate(pages, 1) if p in evidence), None)
            for k in KS:
                hits[r][k] += rank is not None and rank <= k
    n = max(len(questions), 1)
    return {r: {f"r{k}": round(h[k] / n, 3) for k in KS} for r, h in hits.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data" / "financebench-dev"))
    ap.add_argument("--sample", type=int, default=300, help="chunks for the raw throughput comparison")
    ap.add_argument("--filings", nargs="+", default=list(FILINGS))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    folder = Path(args.data)
    questions = [q for line in (folder / "questions.jsonl").read_text().splitlines() if line.strip()
                 and (q := json.loads(line))["doc_name"] in args.filings]

    data = Path(tempfile.mkdtemp(prefix="cs-embedders-"))
    settings = settings_mod.Settings(n_threads=args.threads, ocr=False, parse_timeout_s=900.0)
    settings_mod.save(settings, data / "settings.json")
    app = Countersign.open(str(data))
    app.create_matter(MATTER)
    next(e for e in app.ingest(MATTER, [folder / "pdfs" / f"{n}.pdf" for n in args.filings]) if isinstance(e, Finished))
    matter_id = app.library.matter(MATTER).id
    docs = {Path(d.filename).stem: d for d in app.documents(MATTER)}
    chunks = [c for d in docs.values() for c in app.library.document_chunks(d.id)]
    # An even spread over the filings, not just the first pages (covers, tables of contents).
    step = max(len(chunks) / args.sample, 1.0)
    texts = [chunks[int(i * step)].text for i in range(min(args.sample, len(chunks)))]

    raw = {}
    for name in (MINILM, MPNET):
        embedder = app.index.embedder(name)
        started = time.perf_counter()
        embedder.embed(["warm-up"])
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        embedder.embed(texts)
        seconds = time.perf_counter() - started
        raw[name] = {"chunks_per_s": round(len(texts) / seconds, 2), "seconds": round(seconds, 1),
                     "load_s": round(load_s, 2), "dimensions": embedder.dimensions}
    before = recall(app, matter_id, questions, docs)
    app.close()

    settings_mod.update(data / "settings.json", "embedder", MPNET)
    app = Countersign.open(str(data))
    report = next(e for e in app.reembed(MATTER) if isinstance(e, Finished)).result
    after = recall(app, matter_id, questions, docs)
    app.close()
    print(json.dumps({
        "filings": args.filings, "pages": sum(d.pages for d in docs.values()), "chunks": len(chunks),
        "sample_chunks": len(texts), "threads": args.threads, "raw": raw,
        "mpnet_vs_minilm_speed": round(raw[MPNET]["chunks_per_s"] / raw[MINILM]["chunks_per_s"], 3),
        # The whole re-embed as a user waits for it, model load included.
        "reembed": {"embedder": report.embedder, "chunks": report.embedded, "seconds_with_load": report.seconds,
                    "chunks_per_s": round(report.embedded / max(report.seconds, 1e-9), 2), "complete": report.complete},
        "questions": len(questions), "recall_within_filing": {MINILM: before, MPNET: after},
    }))


if __name__ == "__main__":
    main()
