"""SIGKILL a real Countersign process at random points of ingestion, drafting or sign-off, then
reopen the data directory and check every store (kill_checks.py says what is checked).

Each phase's child (`python tests/kill_driver.py PHASE DATA_DIR`) does the work through the
Countersign facade, as the CLI and the window do, and prints `ready` once its models are
loaded, then one `committed ...` line after each thing it has committed: those are what the
parent holds it to after the kill. `run_phase` drives N kills of one phase and returns its
figures; tests/integration/test_kill_points.py runs a few, benchmarks/crashes.py a hundred."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from agents.domain.events import FileIngested, Finished  # noqa: E402
from agents.domain.library import DocumentStatus  # noqa: E402
from agents.services import Countersign  # noqa: E402

MATTER = "Kill"
PROFILE = ("M. Vale", "MV", "partner")
DRAFTS_PER_RUN = 2  # drafting: drafts written one after another by one child
SIGNOFFS_PER_RUN = 12  # sign-off: approved drafts signed one after another by one child
READY_TIMEOUT_S = 300.0  # loading torch, chromadb and the LLM on a busy two-core machine


# -- children -------------------------------------------------------------------------------
def _say(*words: object) -> None:
    print(*words, flush=True)


def child_ingest(data: Path) -> None:
    app = Countersign.open(str(data))
    app.embedder.load()  # before `ready`, so kills land in the ingest, not in loading a model
    _say("ready")
    for event in app.ingest(MATTER, [data.parent / "client"]):
        if isinstance(event, FileIngested) and event.status is DocumentStatus.INDEXED:
            _say("committed", "doc", event.document_id, event.chunks, Path(event.path).name)
        elif isinstance(event, FileIngested) and event.status is DocumentStatus.REMOVED:
            _say("committed", "removed", event.document_id)
    app.close()
    _say("done")


def child_draft(data: Path) -> None:
    app = Countersign.open(str(data))
    app.model()
    app.embedder.load()
    _say("ready")
    for _ in range(DRAFTS_PER_RUN):
        finished = [e for e in app.draft(MATTER, "kill-note", preparer="A. Preparer") if isinstance(e, Finished)]
        draft = finished[-1].result
        _say("committed", "draft", draft.id, draft.content_sha256, app.review.audit.head())
    app.close()
    _say("done")


def child_signoff(data: Path) -> None:
    app = Countersign.open(str(data))
    _say("ready")
    for draft_id in (data.parent / "to_sign.txt").read_text().split():
        app.sign_off(draft_id, PROFILE[0], PROFILE[2], "approved")
        _say("committed", "signoff", draft_id, app.review.audit.head())
    app.close()
    _say("done")


CHILDREN = {"ingest": child_ingest, "draft": child_draft, "signoff": child_signoff}


# -- parent ---------------------------------------------------------------------------------
class Child:
    """A child process whose stdout lines are collected as they arrive, up to and past its death."""

    def __init__(self, phase: str, data: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__)), phase, str(data)], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if line == "ready\n":
                self.ready.set()
        self.ready.set()  # ended without being ready: wait_ready says so

    def wait_ready(self) -> float:
        if not self.ready.wait(READY_TIMEOUT_S) or "ready" not in self.lines:
            self.proc.kill()
            raise RuntimeError(f"child never became ready: {self.proc.stderr.read()[-2000:]}")
        return time.monotonic()

    def descendants(self) -> list[int]:
        """Its children now (the parse worker, multiprocessing's resource tracker), which a
        SIGKILL of the parent leaves running: each must notice and exit by itself."""
        found: list[int] = []
        try:
            for task in os.listdir(f"/proc/{self.proc.pid}/task"):
                found += [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{task}/children").read_text().split()]
        except OSError:
            pass
        return found

    def finish(self) -> tuple[int, str]:
        code = self.proc.wait()
        self._reader.join(10)
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code, err

    @property
    def committed(self) -> list[list[str]]:
        return [line.split()[1:] for line in self.lines if line.startswith("committed ")]


def _still_running(pids: list[int], grace_s: float = 15.0) -> list[int]:
    deadline = time.monotonic() + grace_s
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in alive if _alive(p)]
    return alive


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] not in "ZX"
    except (OSError, IndexError):
        return False


def one_run(phase: str, data: Path, delay_s: float | None) -> dict:
    """Start the phase's child; once ready, SIGKILL it after `delay_s` (None: let it finish)."""
    child = Child(phase, data)
    ready_at = child.wait_ready()
    if delay_s is not None:
        time.sleep(delay_s)
        workers = child.descendants()
        if child.proc.poll() is None:
            os.kill(child.proc.pid, signal.SIGKILL)
    else:
        workers = []
    code, err = child.finish()
    stray = _still_running(workers)
    for pid in stray:  # reported below; not left to load the machine
        os.kill(pid, signal.SIGKILL)
    return {"code": code, "meant_kill": delay_s is not None, "seconds": time.monotonic() - ready_at, "committed": child.committed,
            "done": "done" in child.lines, "stray_workers": len(stray),
            "stderr": "" if code in (0, -signal.SIGKILL) else err[-1500:]}


def run_phase(phase: str, work: Path, iterations: int, seed: int = 20260601) -> dict:
    """`iterations` kills of one phase in a fresh data directory under `work`, each followed
    by a reopen and the checks; returns the figures and every problem found."""
    import kill_checks
    import kill_setup

    rng = random.Random(seed)
    data = work / "data"
    setup = kill_setup.SETUPS[phase](work, data)
    started = time.monotonic()
    tally = kill_checks.Tally(phase)
    # Two runs to their end: the first sets the stores up (a first ingest indexes everything),
    # the second shows how long one run's work takes here, so the kills land inside it.
    for _ in range(2):
        setup.before_run(rng)
        first = one_run(phase, data, None)
        tally.add(first, *setup.check(first, data))
    window = max(first["seconds"], 0.05)
    for i in range(iterations):
        setup.before_run(rng)
        # Random within the i-th of `iterations` equal slices of the run, so even a few kills
        # spread from its first moments to its last (and a hundred cover it evenly).
        outcome = one_run(phase, data, window * 1.1 * (i + rng.random()) / iterations)
        tally.add(outcome, *setup.check(outcome, data))
        # Running totals as they come, so a long run's figures so far are never lost with it.
        print(json.dumps({"phase": phase, "kill": i + 1, "sigkilled": outcome["code"] == -9,
                          "committed": len(outcome["committed"]), "problems_so_far": sum(tally.problems.values()),
                          "killed_after_a_commit_so_far": tally.mid_work}), file=sys.stderr, flush=True)
    # And one left to finish: the work a kill interrupted completes.
    setup.before_run(rng)
    last = one_run(phase, data, None)
    problems, figures = setup.check(last, data)
    tally.add(last, problems + setup.resumed(last), figures)
    return {**tally.report(), "window_s": round(window, 2), "seconds": round(time.monotonic() - started, 1)}


if __name__ == "__main__":
    CHILDREN[sys.argv[1]](Path(sys.argv[2]))
