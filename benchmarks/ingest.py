"""End-to-end ingestion throughput against the raw embedder on the same chunks, in one run.

Prints one JSON object: files, pages, chunks, wall seconds, pages/s and chunks/s end to end,
the raw embedder's chunks/s on exactly the chunks that were stored (the ceiling), their ratio
(target >= 0.85), peak RSS of app and parser processes, and the time of a re-sync with nothing
changed (target < 5 s for the 18 FinanceBench filings).
Usage: python benchmarks/ingest.py ../shared/data/financebench-dev [--limit N] [--threads T]
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.domain.events import Finished  # noqa: E402
from agents.runtime import settings as settings_mod  # noqa: E402
from agents.services import Countersign  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="only the first N PDFs")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    files = sorted(args.folder.rglob("*.pdf"))[: args.limit or None]
    data = Path(tempfile.mkdtemp(prefix="cs-ingest-"))
    settings_mod.save(settings_mod.Settings(n_threads=args.threads, ocr=False), data / "settings.json")
    app = Countersign.open(str(data))
    app.create_matter("Bench")
    app.embedder.embed(["warm-up"])  # model load is start-up cost, not throughput

    started = time.perf_counter()
    report = next(e for e in app.ingest("Bench", files) if isinstance(e, Finished)).result
    wall = time.perf_counter() - started

    chunks = [c for d in app.documents("Bench") for c in app.library.document_chunks(d.id)]
    texts = [c.text for c in chunks]
    started = time.perf_counter()
    app.embedder.embed(texts)
    raw = time.perf_counter() - started

    started = time.perf_counter()
    list(app.ingest("Bench", files))
    resync = time.perf_counter() - started

    pages = sum(d.pages for d in app.documents("Bench"))
    print(json.dumps({
        "files": len(files), "indexed": sum(1 for f in report.files if f.status.value == "indexed"),
        "pages": pages, "chunks": len(chunks), "wall_s": round(wall, 1),
        "pages_per_s": round(pages / wall, 2), "chunks_per_s": round(len(chunks) / wall, 2),
        "raw_embed_chunks_per_s": round(len(chunks) / raw, 2),
        "end_to_end_vs_raw": round((len(chunks) / wall) / (len(chunks) / raw), 3),
        "resync_unchanged_s": round(resync, 2),
        "peak_rss_app_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_parser_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "threads": args.threads,
    }))


if __name__ == "__main__":
    main()
