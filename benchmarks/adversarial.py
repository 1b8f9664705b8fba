"""Adversarial ingestion and confidentiality, in one JSON report.

Ingests, into one throwaway matter, a canary document, then a folder of hostile files given by
path (e.g. ../shared/data/malformed-pdfs), the hostile Word/Excel files and the folder of awkward
names and links that the tests generate (tests/hostile_files.py). Reports files by status,
crashes (exceptions that escaped ingestion: target 0), parser crashes contained by the worker
process, hangs past the hard limit (a file whose outcome took longer than the parse timeout plus
a margin: target 0), peak memory of the parse workers and of the app, the stores' integrity, and
the canary scan: the canary's token in no file under the data directory, the SQLCipher database
included (raw bytes, after close), no chunk's text in the vector store's files, and the canary
still found by search and signed off in a draft that cites it.

Also: the large files (a 2,000-page PDF, a 199 MB PDF under the 200 MB limit, a 201 MB text file
over it, a sheet past the cell limit; written under the temp dir and deleted after), a file
rewritten while the parse worker reads it (tests/ingest_race.py), and with --crashes N the SIGKILL
figures of benchmarks/crashes.py. With --injection, the report gains an "injection" section:
benchmarks/injection.py's run (prompt injection documents through Ask and every work product with
the real model), with --clean giving the clean text its false-positive rate is measured on.

Usage: python benchmarks/adversarial.py ../shared/data/malformed-pdfs [--limit N] [--timeout S] [--memory-mb M]
       [--no-big] [--crashes N] [--injection [--clean DIR ...] [--threads 1] [--max-tokens 160]]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

import hostile_files  # noqa: E402
import ingest_race  # noqa: E402
import injection  # noqa: E402  (benchmarks/injection.py, on the path as this script's folder)
from workflow_drafts import sign_with_policy  # noqa: E402
from agents.domain.drafts import Citation, Draft, Section  # noqa: E402
from agents.domain.events import FileIngested  # noqa: E402
from agents.domain.review_rules import DraftStatus  # noqa: E402
from agents.knowledge.isolation import ParseLimits, ParseWorker  # noqa: E402
from agents.knowledge.parsers import ParseFailure  # noqa: E402
from agents.runtime.clock import new_id, utc_now  # noqa: E402
from agents.runtime import settings as settings_mod  # noqa: E402
from agents.services import Countersign  # noqa: E402

TOKEN = "Quillfeather7731"
CANARY = f"Under side letter {TOKEN} the client pays GBP 4,417,009 to Marrowgate Ltd on 3 March."
HANG_MARGIN_S = 10.0  # past the parse timeout: killing the worker and starting another


class WorkerPeaks(threading.Thread):
    """Peak resident memory of this process's children (the parse workers), from each one's
    VmHWM. Not getrusage(RUSAGE_CHILDREN): Linux counts in it the parent's memory at the fork
    that starts a spawned child, so it reports the app's size, not the worker's. Linux only."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        me = str(os.getpid())
        while not self.stop.wait(0.1):
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                parent = re.search(r"^PPid:\s+(\d+)", status, re.M)
                peak = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
                if parent and peak and parent[1] == me:
                    self.peaks[int(pid)] = max(self.peaks.get(int(pid), 0), int(peak[1]))

    @property
    def peak_mb(self) -> float:
        return round(max(self.peaks.values(), default=0) / 1024, 1)


def _reason_kind(reason: str) -> str:
    """A reason without what varies by file (paths, part names, sizes), for counting."""
    return re.sub(r"\s+", " ", re.sub(r"\([^)]*\)|part \S+|[\d,.]+ ?[KM]B|(?<![-\w])\d[\d,:.]*", "", reason)).strip()[:90]


def _parse_seconds(path: Path, limits: ParseLimits) -> float:
    worker = ParseWorker(limits)
    try:
        started = time.monotonic()
        worker.submit(path)
        try:
            worker.result()
        except ParseFailure:
            pass
        return time.monotonic() - started
    finally:
        worker.close()


def ingest_group(app: Countersign, name: str, paths: list[Path], hard_limit: float, limits: ParseLimits) -> dict:
    statuses: Counter = Counter()
    slowest: list[tuple[float, str, str]] = []
    reasons: Counter = Counter()
    crashes: list[str] = []
    started = last = time.monotonic()
    try:
        for event in app.ingest("Adversarial", paths):
            if isinstance(event, FileIngested):
                now = time.monotonic()
                statuses[event.status.value] += 1
                slowest.append((now - last, Path(event.path).name[:60], event.status.value))
                if event.reason:
                    reasons[_reason_kind(event.reason)] += 1
                last = now
    except Exception as exc:  # noqa: BLE001 - counted, not raised: the figure is how many escape
        crashes.append(f"{type(exc).__name__}: {str(exc)[:160]}")
    slowest.sort(reverse=True)
    # An outcome's time includes embedding its text, which grows with the text, not a hang: for
    # each outcome past the hard limit the parse alone is timed again in a fresh worker.
    by_name = {p.name[:60]: p for p in paths}
    slow = [(s, f, st, _parse_seconds(by_name[f], limits)) for s, f, st in slowest if s > hard_limit and f in by_name]
    group = {"group": name, "outcomes": sum(statuses.values()), "by_status": dict(statuses),
            "crashes": crashes, "parser_crashes_contained": reasons["the parser crashed on this file"],
            "hangs_past_hard_limit": sum(1 for *_, parse_s in slow if parse_s > hard_limit),
            "outcomes_past_hard_limit": [{"file": f, "seconds": round(s, 1), "status": st, "parse_seconds": round(p, 1)}
                                         for s, f, st, p in slow],
            "seconds": round(time.monotonic() - started, 1),
            "slowest": [{"file": f, "seconds": round(s, 2), "status": st} for s, f, st in slowest[:5]],
            "top_reasons": [{"reason": r, "files": n} for r, n in reasons.most_common(6) if r]}
    print(json.dumps(group), file=sys.stderr, flush=True)  # a long run's groups so far survive a later failure
    return group


def files_carrying(data: Path) -> tuple[int, list[str]]:
    files = [p for p in data.rglob("*") if p.is_file()]
    return len(files), [str(p.relative_to(data)) for p in files if hostile_files.carries(p, TOKEN)]


def sign_canary(app: Countersign) -> bool:
    """A draft citing the canary's passage, signed off: the encrypted store still does the loop."""
    # The canary's chunk from its own document: among hundreds of hostile files the search's top
    # few need not hold it (whether search finds it is its own figure, canary_document_still_found).
    letter = next(d for d in app.documents("Adversarial") if d.filename == "side_letter.txt")
    c = next(c for c in app.library.document_chunks(letter.id) if TOKEN in c.text)
    doc = app.library.document(c.document_id)
    cite = Citation(1, c.id, doc.id, doc.filename, doc.content_hash, c.page, c.char_start, c.char_end)
    draft = app.review.create(Draft(new_id("draft"), app.library.matter("Adversarial").id, "tax-memo", "Side letter",
                                    DraftStatus.DRAFT, 1, utc_now(), "A. Preparer", "qwen", "a" * 64, 1,
                                    (Section("summary", "Summary", "As the side letter states [1].", (cite,)),)))
    return sign_with_policy(app, draft.id, "M. Partner").status is DraftStatus.SIGNED_OFF


def canary_scan(app: Countersign, data: Path) -> dict:
    scanned, carrying = files_carrying(data)
    vector_blobs = [p.read_bytes() for p in (data / "vectors").rglob("*") if p.is_file()]
    chunk_ids = sorted(app.library.all_chunk_ids())
    chunks = app.library.chunks(chunk_ids)
    leaked = [cid for cid, c in chunks.items() if len(c.text.strip()) >= 16
              and any(c.text.strip()[:32].encode() in blob for blob in vector_blobs)]
    found = app.search("Adversarial", f"{TOKEN} side letter payment", top_k=10)
    return {"files_scanned": scanned, "files_carrying_canary_while_open": carrying,
            "database_encrypted": app.database_key_status().encrypted, "database_key_storage": app.database_key_status().storage,
            "canary_draft_signed_off": sign_canary(app),
            "log_files": len(list((data / "logs").glob("*.log*"))),
            "vector_store_bytes": sum(map(len, vector_blobs)), "chunks_checked": len(chunks),
            "chunks_with_text_in_vector_store": len(leaked),
            "canary_document_still_found": any(TOKEN in p.chunk.text for p in found)}


def main() -> None:
    ap = argparse.ArgumentParser(parents=[injection.parser(add_help=False)])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="only the first N files of the folder (0: all)")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--memory-mb", type=int, default=1024)
    ap.add_argument("--injection", action="store_true", help="add the prompt-injection section (runs the model)")
    ap.add_argument("--no-big", action="store_true", help="skip the 2,000-page PDF, the ~200 MB files and the huge sheet")
    ap.add_argument("--crashes", type=int, default=0,
                    help="also SIGKILL ingestion, drafting and sign-off N times each (benchmarks/crashes.py)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cs-adversarial-"))
    data = work / "data"
    data.mkdir()
    settings_mod.save(settings_mod.Settings(parse_timeout_s=args.timeout, parse_memory_mb=args.memory_mb,
                                            log_level="DEBUG"), data / "settings.json")
    app = Countersign.open(str(data))
    app.create_matter("Adversarial")
    canary = work / "side_letter.txt"
    canary.write_text(f"Side letter to the settlement agreement.\n{CANARY}\n", encoding="utf-8")
    list(app.ingest("Adversarial", [canary]))

    given = sorted(p for p in args.folder.iterdir() if p.is_file() and p.name != "README.md")
    given = given[: args.limit] if args.limit else given
    office = hostile_files.write_all(work / "office")
    (work / "names").mkdir()
    awkward = hostile_files.awkward_folder(work / "names")
    hard_limit = args.timeout + HANG_MARGIN_S
    workers = WorkerPeaks()
    workers.start()
    limits = ParseLimits(args.timeout, args.memory_mb, app.settings.max_file_mb * 1_000_000, app.settings.ocr)
    groups = [ingest_group(app, args.folder.name, given, hard_limit, limits),
              ingest_group(app, "hostile-office", office, hard_limit, limits),
              ingest_group(app, "names-and-links", [awkward], hard_limit, limits)]
    if not args.no_big:
        big = work / "big"
        big.mkdir()
        made = [hostile_files.long_pdf(big / "schedule_2000_pages.pdf", 2000),
                hostile_files.padded_pdf(big / "padded_199mb.pdf", 199_000_000),
                hostile_files.padded_text(big / "padded_201mb.txt", 201_000_000),
                hostile_files.dense_sheet_xlsx(big / "ledger_2m_cells.xlsx", 260_000)]
        groups.append(ingest_group(app, "large-files", made, hard_limit, limits))
        groups[-1]["sizes_mb"] = {p.name: round(p.stat().st_size / 1e6, 1) for p in made}
        shutil.rmtree(big)
    race = ingest_race.run(app, "Adversarial", work / "race", pages=2000)
    workers.stop.set()
    db = app._db
    report = {
        "folder": str(args.folder), "files_from_folder": len(given), "hostile_office_files": len(office),
        "groups": groups, "changed_mid_parse": race,
        "by_status": dict(sum((Counter(g["by_status"]) for g in groups), Counter())),
        "crashes": sum(len(g["crashes"]) for g in groups),
        "parser_crashes_contained": sum(g["parser_crashes_contained"] for g in groups),
        "hangs_past_hard_limit": sum(g["hangs_past_hard_limit"] for g in groups),
        "hard_limit_s": hard_limit,
        "parse_workers": len(workers.peaks),
        "peak_rss_parser_mb": workers.peak_mb,
        "peak_rss_app_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "integrity_check": db.execute("PRAGMA integrity_check").fetchone()[0],
        "vectors_match_chunks": app.vectors.ids() == app.library.all_chunk_ids(),
        "canary": canary_scan(app, data),
        "limits": {"timeout_s": args.timeout, "memory_mb": args.memory_mb},
    }
    app.close()
    # After close the WAL is checkpointed into the (encrypted) database file; scan again.
    report["canary"]["files_scanned_after_close"], report["canary"]["files_carrying_canary_after_close"] = files_carrying(data)
    if args.injection:
        report["injection"] = injection.run(args)
    if args.crashes:
        import crashes

        report["sigkill"] = crashes.run(args.crashes, parallel=True)
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
