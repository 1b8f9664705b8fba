"""Parsing in a separate process with a wall-time limit and a memory cap.

A hostile file can hang pypdf, exhaust memory or crash the interpreter; none of that may reach
the app. One long-lived worker parses one file at a time; the caller sends the next file before
embedding the current one, so parsing overlaps embedding. A timeout or crash kills the worker,
the file gets its status, and a fresh worker takes the next file."""
from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from agents.domain.library import DocumentStatus
from agents.knowledge.parsers import ParsedDocument, ParseFailure, parse
from agents.runtime.priority import lower_this_process


@dataclass(frozen=True)
class ParseLimits:
    seconds: float = 120.0
    memory_mb: int = 2048
    max_bytes: int = 200_000_000
    ocr: bool = True


def _cap_memory(memory_mb: int) -> None:
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # Windows has no RLIMIT_AS; the wall-time limit still holds there


def _worker(conn: Connection, limits: ParseLimits) -> None:
    import logging
    import signal

    # Ctrl+C in a terminal reaches the whole process group; the app decides what stops and
    # closes this worker itself, so the worker must not die mid-file printing a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # pypdf narrates every repair of a damaged file; the file's status carries what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    _cap_memory(limits.memory_mb)
    lower_this_process()  # parsing is background work: the window and the embedder come first
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            conn.send(("ok", parse(Path(request), limits.max_bytes, limits.ocr)))
        except ParseFailure as failure:
            conn.send(("fail", failure.status.value, failure.reason))
        except MemoryError:
            conn.send(("fail", DocumentStatus.TOO_LARGE.value, f"needs more than {limits.memory_mb} MB of memory to read"))
        except RecursionError:
            conn.send(("fail", DocumentStatus.CORRUPT.value, "structure nested too deeply to read"))
        except Exception as exc:  # any other parser bug is this file's problem, not the batch's
            conn.send(("fail", DocumentStatus.CORRUPT.value, f"unreadable: {type(exc).__name__}: {str(exc)[:120]}"))


class ParseWorker:
    """`submit(path)` then `result()`; at most one file is in flight."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self._proc = None
        self._conn: Connection | None = None
        self._sent_at = 0.0
        self._pending: Path | None = None

    def _start(self) -> None:
        # spawn, not fork: the parent may hold torch threads and a Qt event loop.
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, self.limits), daemon=True, name="countersign-parse")
        try:
            proc.start()
        except (OSError, AssertionError) as exc:  # AssertionError: this process is itself a daemon
            parent.close()
            child.close()
            raise RuntimeError(f"the document parser process could not start: {exc}") from exc
        self._proc = proc
        child.close()
        self._conn = parent
        if not parent.poll(60) or parent.recv() != "ready":
            self.close()
            raise RuntimeError("the document parser process did not start")

    def submit(self, path: Path) -> None:
        if self._pending is not None:
            raise RuntimeError("a file is already being parsed")
        if self._proc is None or not self._proc.is_alive():
            self._start()
        self._conn.send(str(path))
        self._pending, self._sent_at = path, time.monotonic()

    @property
    def busy(self) -> bool:
        """A file is in flight and its answer has not arrived: the worker is using a core."""
        return self._pending is not None and self._conn is not None and not self._conn.poll(0)

    def result(self) -> ParsedDocument:
        """The parsed document, or ParseFailure with the file's status and reason."""
        self._pending = None
        remaining = self._sent_at + self.limits.seconds - time.monotonic()
        try:
            ready = self._conn.poll(max(0.0, remaining))
            reply = self._conn.recv() if ready else None
        except (EOFError, OSError):
            reply = ("crash",)
        if reply is None:
            self.close()
            raise ParseFailure(DocumentStatus.TIMED_OUT, f"still parsing after {self.limits.seconds:.0f} s; skipped")
        if reply[0] == "crash":
            self.close()
            raise ParseFailure(DocumentStatus.CORRUPT, "the parser crashed on this file")
        if reply[0] == "fail":
            raise ParseFailure(DocumentStatus(reply[1]), reply[2])
        return reply[1]

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None
        self._pending = None
