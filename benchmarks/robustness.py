"""Ingest a folder of hostile files into a throwaway matter and report what happened.

Prints one JSON object (printed at all only if the app process survived the folder): files by
status, the slowest files (parse and embed), peak RSS of the parser processes and of the app
process, and whether the matter's earlier document was still intact afterwards.
Usage: python benchmarks/robustness.py ../shared/data/malformed-pdfs [--timeout S] [--memory-mb M]
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.domain.events import FileIngested  # noqa: E402
from agents.runtime import settings as settings_mod  # noqa: E402
from agents.services import Countersign  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--memory-mb", type=int, default=1024)
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="cs-robust-"))
    settings_mod.save(settings_mod.Settings(parse_timeout_s=args.timeout, parse_memory_mb=args.memory_mb),
                      data / "settings.json")
    app = Countersign.open(str(data))
    app.create_matter("Hostile")
    canary = data / "canary.txt"
    canary.write_text("The canary clause survives hostile neighbours.")
    list(app.ingest("Hostile", [canary]))

    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() == ".pdf")
    timings: list[tuple[float, str, str]] = []
    statuses: Counter = Counter()
    started = last = time.monotonic()
    for event in app.ingest("Hostile", files):
        if isinstance(event, FileIngested):
            now = time.monotonic()
            timings.append((now - last, Path(event.path).name, event.status.value))
            statuses[event.status.value] += 1
            last = now
    total = time.monotonic() - started
    canary_ok = any("canary clause" in p.chunk.text for p in app.retriever.search("canary clause", app.library.matter("Hostile").id, 3))
    print(json.dumps({
        "files": len(files),
        "with_status": sum(statuses.values()),
        "by_status": dict(statuses),
        "all_have_status": sum(statuses.values()) == len(files),
        "canary_document_intact": canary_ok,
        "seconds_total": round(total, 1),
        "slowest": [{"file": f, "seconds": round(s, 2), "status": st} for s, f, st in sorted(timings, reverse=True)[:8]],
        "peak_rss_parser_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "peak_rss_app_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "limits": {"timeout_s": args.timeout, "memory_mb": args.memory_mb},
    }))


if __name__ == "__main__":
    main()
