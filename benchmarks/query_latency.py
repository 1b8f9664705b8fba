"""Retrieval latency at 10k and 100k chunks, query embedding included.

Real chunk text would take hours to embed here, so the library is synthetic: passages of
words drawn from the sample contract's vocabulary (realistic BM25 postings) with random unit
vectors (the HNSW index does the same work whatever the vectors mean). Queries are real
questions embedded by the real model. Prints one JSON object with p50/p95 per size.
Usage: python benchmarks/query_latency.py [--sizes 10000 100000] [--queries 50]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from agents.domain.library import Chunk, Document, DocumentStatus, Page  # noqa: E402
from agents.runtime.resources import resource  # noqa: E402
from agents.services import Countersign  # noqa: E402

QUESTIONS = ["What is the cap on liability?", "Which law governs the agreement?", "How long is the initial term?",
             "Who may assign the agreement?", "How long does confidentiality survive termination?"]


def grow(app: Countersign, matter_id: str, target: int, have: int, vocab: list[str], rng: random.Random) -> int:
    per_doc = 1000
    while have < target:
        doc_id = f"doc_synth{have // per_doc}"
        texts = [" ".join(rng.choices(vocab, k=110)) for _ in range(per_doc)]
        chunks = [Chunk(f"{doc_id}:{i}", doc_id, matter_id, i // 10 + 1, 0, len(t), t, 150) for i, t in enumerate(texts)]
        pages = [Page(n, "") for n in sorted({c.page for c in chunks})]
        doc = Document(doc_id, matter_id, f"{doc_id}.pdf", f"/synthetic/{doc_id}.pdf", "pdf", "0" * 64,
                       DocumentStatus.INDEXED, "", len(pages), 0, "now")
        vectors = np.random.default_rng(have).standard_normal((per_doc, 384)).astype("float32")
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        for start in range(0, per_doc, 500):  # chromadb caps the size of one write
            sl = slice(start, start + 500)
            app.vectors.add([c.id for c in chunks[sl]], vectors[sl].tolist(), matter_id, doc_id, [c.page for c in chunks[sl]])
        app.library.record_document(doc, pages, chunks)
        have += per_doc
    return have


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--queries", type=int, default=50)
    args = ap.parse_args()
    app = Countersign.open(tempfile.mkdtemp(prefix="cs-latency-"))
    matter = app.create_matter("Latency")
    vocab = sorted(set(resource("samples", "source", "northwind_supply_agreement.txt").read_text().lower().split()))
    rng, have, out = random.Random(7), 0, {}
    app.embedder.embed(["warm-up"])
    for size in sorted(args.sizes):
        started = time.perf_counter()
        have = grow(app, matter.id, size, have, vocab, rng)
        build = time.perf_counter() - started
        app.retriever.search(QUESTIONS[0], matter.id, 5)  # first query loads the HNSW index
        times = []
        for i in range(args.queries):
            started = time.perf_counter()
            app.retriever.search(QUESTIONS[i % len(QUESTIONS)], matter.id, 5)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[str(size)] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
                          "build_s": round(build, 1)}
    print(json.dumps({"chunks": out, "queries_per_size": args.queries, "includes_query_embedding": True}))


if __name__ == "__main__":
    main()
