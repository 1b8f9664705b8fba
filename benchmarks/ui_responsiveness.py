"""How quickly the window appears and how well the event loop keeps up while the app works.

1. Time to first window, from process start: a fresh interpreter runs the real `desktop.app.main`
   on a data directory that already has a matter (so nothing is seeded) and reports when the
   event loop first runs after `show()`; it also lists the heavy libraries already imported then.
2. In this process, offscreen: the window warms up as the app does after it shows (the heavy
   imports and the embedder on a thread of their own), then ingests the given folder through the
   Library view (the files the Add-files path takes), then asks one question with a long answer
   through the Ask view, while a 10 ms QTimer records how late each tick comes. A stall is a
   tick's lateness (gap minus 10 ms); p50/p99/max are given per phase, and overall for the
   ingest and the answer (the user's work; the warm-up runs before any of it can start).
   `first_text_s` is from the click on Ask to the first visible character of the answer.

Prints one JSON object. Target: first window < 2 s; stalls p99 < 50 ms.
Usage: python benchmarks/ui_responsiveness.py FOLDER [--limit N] [--max-tokens T] [--threads T]
(e.g. ../shared/data/financebench-dev --limit 2). Set COUNTERSIGN_MODELS_DIR to an assembled
model's folder, or the first ask assembles the bundled model into the temporary data directory.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEAVY = ("torch", "sentence_transformers", "llama_cpp", "chromadb", "pypdf")
SUFFIXES = {".pdf", ".docx", ".xlsx", ".xlsm", ".csv", ".txt", ".md"}
TICK_MS = 10
QUESTION = ("Summarise this company's results for the year: revenue, operating income, net income and cash flow, "
            "with the figures and what drove them.")

# Run in a fresh interpreter: the clock starts before Python itself does (measured by the parent).
FIRST_WINDOW_PROBE = """
import json, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0], "-platform", "offscreen"])
def shown():
    print(json.dumps({"at": time.time(), "heavy": [m for m in sys.argv[2].split(",") if m in sys.modules]}), flush=True)
    app.quit()
QTimer.singleShot(0, shown)  # runs once the event loop is up, i.e. after window.show()
from desktop import app as desktop_app
sys.exit(desktop_app.main(["--data-dir", sys.argv[1]]))
"""


def first_window(data: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.time()
    done = subprocess.run([sys.executable, "-c", FIRST_WINDOW_PROBE, str(data), ",".join(HEAVY)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    lines = [x for x in done.stdout.splitlines() if x.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"first-window probe failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(lines[-1])
    return {"first_window_s": round(report["at"] - started, 3), "heavy_modules_at_first_window": report["heavy"]}


def percentiles(stalls: list[float]) -> dict:
    if not stalls:
        return {"p50_ms": None, "p99_ms": None, "max_ms": None, "ticks": 0}
    s = sorted(stalls)
    pick = lambda q: round(s[min(len(s) - 1, int(q * len(s)))], 1)  # noqa: E731
    return {"p50_ms": pick(0.50), "p99_ms": pick(0.99), "max_ms": round(s[-1], 1), "ticks": len(s)}


class StallTracer:
    """Where the UI thread is while a tick is late: a thread of its own samples the main thread's
    Python stack every 5 ms once the tick is `limit_ms` overdue. A sample can only be taken when
    the GIL is free, so a stall inside C code that holds it shows where that C call was made."""

    def __init__(self, lateness_ms, limit_ms: int) -> None:
        self._lateness, self._limit = lateness_ms, limit_ms
        self._main = threading.main_thread().ident
        self._samples: Counter = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="stall-tracer")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            if self._lateness() > TICK_MS + self._limit:
                # Every thread: a UI thread parked in the event loop is waiting for the GIL,
                # and the thread that held it is the one whose stack explains the stall.
                names = {t.ident: t.name for t in threading.enumerate()}
                for ident, frame in sys._current_frames().items():
                    if ident == threading.get_ident():
                        continue
                    stack = traceback.extract_stack(frame)[-7:]
                    self._samples[f"[{names.get(ident, ident)}] " + " <- ".join(
                        f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack))] += 1

    def stop(self) -> list[dict]:
        self._stop.set()
        self._thread.join()
        return [{"samples": n, "stack": stack} for stack, n in self._samples.most_common(20)]


class GcPauses:
    """Every garbage collection while the app works: a collection holds the interpreter for its
    whole run, whichever thread triggers it, so a long one stalls the window like any blocking call."""

    def __init__(self, phase: list[str]) -> None:
        self._phase, self._began = phase, 0.0
        self.pauses: dict[str, list[tuple[int, float]]] = {}
        gc.callbacks.append(self._callback)

    def _callback(self, stage: str, info: dict) -> None:
        if stage == "start":
            self._began = time.perf_counter()
        else:
            self.pauses.setdefault(self._phase[0], []).append(
                (info["generation"], (time.perf_counter() - self._began) * 1000))

    def report(self) -> dict:
        gc.callbacks.remove(self._callback)
        return {name: {"collections": len(p), "full": sum(1 for g, _ in p if g == 2),
                       "max_ms": round(max(ms for _, ms in p), 1)}
                for name, p in self.pauses.items() if name != "idle"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    ap.add_argument("--max-tokens", type=int, default=512, help="length of the streamed answer")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--question", default=QUESTION)
    ap.add_argument("--inline-vectors", action="store_true",
                    help="chromadb in the window's process, as before it moved to a child (for comparison)")
    ap.add_argument("--trace-stalls", type=int, default=0, metavar="MS",
                    help="sample the UI thread's stack while a tick is MS late; report where it stalls")
    args = ap.parse_args()
    files = sorted(f for f in args.folder.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
    files = files[: args.limit or None]
    if not files:
        raise SystemExit(f"no supported documents under {args.folder}")

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from agents.runtime import settings as settings_mod
    from agents.services import Countersign
    from desktop import app as desktop_app

    data = Path(tempfile.mkdtemp(prefix="cs-ui-"))
    settings_mod.save(settings_mod.Settings(n_threads=args.threads, max_tokens=args.max_tokens, ocr=False),
                      data / "settings.json")
    core = Countersign.open(str(data))
    core.create_matter("Bench")
    core.close()
    out: dict = {"files": len(files), "max_tokens": args.max_tokens, "threads": args.threads, **first_window(data)}

    app = QApplication.instance() or QApplication([sys.argv[0]])
    core = Countersign.open(str(data), vector_process=not args.inline_vectors)
    out["vectors"] = "window's process" if args.inline_vectors else "child process"
    window = desktop_app.build_window(core)
    window.show()
    app.processEvents()

    phase, stalls = ["idle"], {"warm_up": [], "ingest": [], "ask": []}
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    began, worst = [0], {}  # worst: phase -> (stall ms, when in the phase it came, ms)

    def tick() -> None:
        now = clock.elapsed()
        if phase[0] in stalls:
            late = max(0.0, now - last[0] - TICK_MS)
            stalls[phase[0]].append(late)
            if late > worst.get(phase[0], (-1, 0))[0]:
                worst[phase[0]] = (late, now - began[0])
        last[0] = now

    collections = GcPauses(phase)
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    tracer = StallTracer(lambda: clock.elapsed() - last[0], args.trace_stalls) if args.trace_stalls else None

    def run_phase(name: str, start, busy) -> float:
        """`start()` begins the phase's work and returns the signal its end emits; nothing is
        delivered before the event loop runs again, so connecting after the start is safe."""
        loop = QEventLoop()
        phase[0], t = name, time.perf_counter()
        last[0] = began[0] = clock.elapsed()
        start().connect(loop.quit)
        if busy():
            loop.exec()
        phase[0] = "idle"
        return round(time.perf_counter() - t, 2)

    def in_view(name: str, start, panel) -> float:
        return run_phase(name, lambda: (start(), panel.idle)[1], lambda: panel.busy)

    warm, reports = [], []

    def start_warm_up():  # as main() does once the window shows, less the delay
        warm.append(window.warm_up())
        warm[0].finished.connect(reports.append)
        return warm[0].ended

    out["warm_up_s"] = run_phase("warm_up", start_warm_up, lambda: warm[0].active)
    out["warm_up_loaded"] = list(reports[0].loaded) if reports else []
    out["warm_up_failed"] = [f"{name}: {why}" for name, why in reports[0].failed] if reports else ["did not finish"]
    out["ingest_s"] = in_view("ingest", lambda: window.library.add_paths(files), window.library.panel)
    out["indexed"] = sum(1 for d in core.documents("Bench") if d.status.value == "indexed")
    window.tabs.setCurrentWidget(window.ask)
    window.ask.question.setPlainText(args.question)
    streamed = []
    # ask() clears the pane first; only visible text arriving counts as the answer starting to
    # stream. Once seen, the check stops: reading the whole pane on every change would itself
    # load the UI thread that this benchmark measures.
    def text_changed() -> None:
        if not streamed and window.ask.answer.toPlainText().strip():
            streamed.append(time.perf_counter())

    window.ask.answer.textChanged.connect(text_changed)
    asked = time.perf_counter()
    out["ask_s"] = in_view("ask", window.ask.ask, window.ask.panel)
    out["answer_chars"] = len(window.ask.answer.toPlainText())
    out["first_text_s"] = round(streamed[0] - asked, 2) if streamed else None
    out["answer_outcome"] = window.ask.panel.label.text()
    timer.stop()
    if tracer is not None:
        out["stall_traces"] = tracer.stop()

    everything = stalls["ingest"] + stalls["ask"]
    overall = percentiles(everything)
    out.update({"stall_p50_ms": overall["p50_ms"], "stall_p99_ms": overall["p99_ms"], "stall_max_ms": overall["max_ms"],
                "stalls_over_100ms": sum(1 for s in everything if s > 100),
                "warm_up_stalls": percentiles(stalls["warm_up"]), "ingest_stalls": percentiles(stalls["ingest"]),
                "ask_stalls": percentiles(stalls["ask"]), "gc_pauses": collections.report(),
                # When each phase's worst stall came (ms from the phase's start): at 0 it is the
                # phase's first frame, later it is the work itself.
                "worst_stall_at_ms": {name: at for name, (_, at) in worst.items()},
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                # The largest child: a parser process or the first-window probe.
                "children_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
                "targets": {"first_window_s": 2.0, "stall_p99_ms": 50}})
    window.close()
    core.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
