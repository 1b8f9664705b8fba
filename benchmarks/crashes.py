"""SIGKILL at random points, N times per phase (ingestion, drafting with the real model,
sign-off), each followed by a reopen that checks SQLite's integrity, the keyword index and the
vector store against the chunks per matter, duplicates, that nothing the killed process reported
committed is lost, and the audit chain (`countersign verify --head`). The drivers live in
tests/kill_driver.py, shared with tests/integration/test_kill_points.py. Prints one JSON object;
benchmarks/adversarial.py --crashes N puts the same figures in its report.

Usage: python benchmarks/crashes.py [--iterations 100] [--phases ingest draft signoff] [--work DIR]
Drafting needs the default model (COUNTERSIGN_MODELS_DIR); every child runs on one thread.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

PHASES = ("ingest", "draft", "signoff")


def _phase(phase: str, where: Path, iterations: int) -> dict:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import kill_driver

    report = kill_driver.run_phase(phase, where, iterations)
    print(f"{phase}: {json.dumps(report)}", file=sys.stderr, flush=True)
    return report


def run(iterations: int, phases: tuple[str, ...] = PHASES, work: Path | None = None, parallel: bool = False) -> dict:
    """`parallel`: each phase in its own process at once. Most of a run is a child starting up
    or sleeping until its kill, so two cores get through the phases sooner side by side."""
    root = Path(tempfile.mkdtemp(prefix="cs-crashes-", dir=work))
    try:
        if parallel:
            with ProcessPoolExecutor(len(phases), mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = {p: pool.submit(_phase, p, root / p, iterations) for p in phases}
                reports = {p: f.result() for p, f in futures.items()}
        else:
            reports = {p: _phase(p, root / p, iterations) for p in phases}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {"iterations_per_phase": iterations, "phases": reports,
            "sigkills": sum(r["sigkills"] for r in reports.values()),
            "problems": sum(r["problems"] for r in reports.values())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--phases", nargs="*", default=list(PHASES), choices=PHASES)
    ap.add_argument("--work", type=Path, help="where the throwaway data directories go (default: the temp dir)")
    ap.add_argument("--parallel", action="store_true", help="run the phases side by side, one process each")
    args = ap.parse_args()
    print(json.dumps(run(args.iterations, tuple(args.phases), args.work, args.parallel)))


if __name__ == "__main__":
    main()
