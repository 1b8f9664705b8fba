"""The one bridge between the Qt-free core and the window.

Core operations are generators of typed events (see agents.domain.events). A TaskRunner runs
them, one at a time, on a single long-lived worker thread - the thread that loads and owns the
model - and turns their events into Qt signals delivered on the UI thread. Views submit work
here and connect to the returned Task; they never create threads and never block.
"""
from __future__ import annotations

import itertools
import logging
import queue
from dataclasses import dataclass
from typing import Callable, Iterable

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from agents.domain.events import FileIngested, Finished, Flag, Progress, StepStarted, TokenDelta
from agents.services import Cancelled, CancelToken, run_in_background

log = logging.getLogger("countersign.desktop.tasks")

# A job is built on the worker thread, so a factory may do slow set-up (loading the model)
# before its first event without ever freezing the window.
JobFactory = Callable[[CancelToken], Iterable[object]]

TOKEN_FLUSH_MS = 50  # streaming text is repainted at most ~20 times a second

# Errors the core raises on purpose carry a message written for the user; anything else is a
# bug, so its type is named and the traceback goes to the log.
_USER_ERRORS = (ValueError, LookupError, RuntimeError, OSError)
_BUGS = (KeyError, IndexError, NotImplementedError, RecursionError)


@dataclass(frozen=True)
class Failed:
    message: str


@dataclass(frozen=True)
class WasCancelled:
    pass


def failure_message(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, _USER_ERRORS) and not isinstance(exc, _BUGS) and text:
        return text
    return f"unexpected error ({type(exc).__name__}{': ' + text if text else ''}); details are in the log"


def drive(factory: JobFactory, cancel: CancelToken, emit: Callable[[object], None]) -> None:
    """Run one job to its end, passing every event to `emit`, then exactly one outcome:
    a non-cancelled Finished, WasCancelled, or Failed. Qt-free so it is testable alone."""
    if cancel.cancelled:
        emit(WasCancelled())
        return
    events = None
    try:
        events = iter(factory(cancel))
        for event in events:
            if isinstance(event, Finished):
                emit(WasCancelled() if event.cancelled else event)
                return
            emit(event)
            if cancel.cancelled:
                # Core generators yield between units of work, so stopping at a yield is
                # clean; this also stops the few that take no token (ensure_sample_matter).
                emit(WasCancelled())
                return
    except Cancelled:
        emit(WasCancelled())
        return
    except Exception as exc:  # noqa: BLE001 - the window must survive any core failure
        log.exception("background task failed")
        emit(Failed(failure_message(exc)))
        return
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()  # runs the generator's own clean-up (finally blocks) now, on this thread
    # A generator that stops without Finished was interrupted if its token says so.
    emit(WasCancelled() if cancel.cancelled else Finished(None))


class Task(QObject):
    """One submitted job, observed from the UI thread.

    Signals:
        started(): the worker picked the job up (it may wait behind another job first).
        progress(int, int, str): done, total, message.
        step(str, str): a named step began, with its detail.
        token(str): streamed text since the last emission, coalesced on a short timer.
        file(object): a FileIngested outcome for one file.
        flag(object): a verifier Flag.
        finished(object): the operation's result value.
        failed(str): a message for the user; the job is over.
        cancelled(): the job stopped because it was cancelled.
        ended(): emitted after whichever of finished/failed/cancelled came.
    """

    started = Signal()
    progress = Signal(int, int, str)
    step = Signal(str, str)
    token = Signal(str)
    file = Signal(object)
    flag = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.cancel_token = CancelToken()
        self.state = "queued"
        self._pending: list[str] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(TOKEN_FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def cancel(self) -> None:
        # Only sets the flag: the core checks it between units of work and stops cleanly.
        self.cancel_token.cancel()

    def _abandon(self) -> None:
        # The window is going away: no further signal may reach views that are being deleted.
        self._flush_timer.stop()
        self._pending.clear()
        self.state = "cancelled"

    def _flush(self) -> None:
        if self._pending:
            text, self._pending = "".join(self._pending), []
            self.token.emit(text)

    def _deliver(self, event: object) -> None:
        if not self.active:
            return
        if self.state == "queued" and not isinstance(event, WasCancelled):
            self.state = "running"
            self.started.emit()
        if isinstance(event, TokenDelta):
            self._pending.append(event.text)
            if not self._flush_timer.isActive():
                self._flush_timer.start()
        elif isinstance(event, Progress):
            pace = " · ".join(x for x in (f"{event.rate:.1f}/s" if event.rate else "", event.eta_text) if x)
            self.progress.emit(event.done, event.total, f"{event.message} ({pace})" if pace else event.message)
        elif isinstance(event, StepStarted):
            self.step.emit(event.name, event.detail)
        elif isinstance(event, FileIngested):
            self.file.emit(event)
        elif isinstance(event, Flag):
            self.flag.emit(event)
        elif isinstance(event, (Finished, Failed, WasCancelled)):
            self._end(event)

    def _end(self, outcome: object) -> None:
        self._flush_timer.stop()
        self._flush()  # text streamed so far always arrives before the outcome
        if isinstance(outcome, Finished):
            self.state = "finished"
            self.finished.emit(outcome.result)
        elif isinstance(outcome, Failed):
            self.state = "failed"
            self.failed.emit(outcome.message)
        else:
            self.state = "cancelled"
            self.cancelled.emit()
        self.ended.emit()


class _Worker(QThread):
    """Takes jobs from a queue until it gets None. Signals: event(int, object)."""

    event = Signal(int, object)

    def __init__(self, jobs: "queue.Queue[tuple[int, JobFactory, CancelToken] | None]") -> None:
        super().__init__()
        self.setObjectName("countersign-worker")
        self._jobs = jobs

    def run(self) -> None:
        # Below the UI thread: on a busy two-core machine the window still gets a core at once.
        run_in_background()
        while (job := self._jobs.get()) is not None:
            key, factory, cancel = job
            drive(factory, cancel, lambda e, key=key: self.event.emit(key, e))


class TaskRunner(QObject):
    """Runs core generators on the worker thread, in submission order.

    Signals:
        busy_changed(bool, str): whether a job is running, and its name.
    """

    busy_changed = Signal(bool, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._tasks: dict[int, Task] = {}
        self._jobs: queue.Queue = queue.Queue()
        self._worker = _Worker(self._jobs)
        self._worker.event.connect(self._on_event)  # queued: the worker emits, the UI receives
        self._worker.start()
        self._closed = False

    def submit(self, name: str, factory: JobFactory) -> Task:
        if self._closed:
            raise RuntimeError("the task runner is shut down")
        key = next(self._ids)
        # No Qt parent: the task lives as long as the runner or a view holds it, so finished
        # tasks do not pile up as children of a runner that lives for the whole session.
        task = Task(name)
        self._tasks[key] = task
        task.started.connect(lambda: self.busy_changed.emit(True, name))
        task.ended.connect(lambda key=key: self._forget(key))
        self._jobs.put((key, factory, task.cancel_token))
        return task

    def tasks(self) -> list[Task]:
        return list(self._tasks.values())

    def cancel_all(self) -> None:
        for task in self._tasks.values():
            task.cancel()

    def shutdown(self) -> None:
        """Cancel everything and wait for the worker; the current unit of work finishes first."""
        if self._closed:
            return
        self._closed = True
        self.cancel_all()
        self._jobs.put(None)
        self._worker.wait()
        for task in self._tasks.values():
            task._abandon()
        self._tasks.clear()  # events still queued for the UI thread now find no task

    def _on_event(self, key: int, event: object) -> None:
        task = self._tasks.get(key)
        if task is not None:
            task._deliver(event)

    def _forget(self, key: int) -> None:
        self._tasks.pop(key, None)
        if not any(t.state == "running" for t in self._tasks.values()):
            self.busy_changed.emit(False, "")
