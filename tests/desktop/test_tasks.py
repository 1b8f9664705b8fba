"""The task bridge with plain generators: no model, no stores, only the signal contract."""
from __future__ import annotations

import threading
import time

import pytest

from agents.domain.events import Finished, Progress, StepStarted, TokenDelta
from agents.runtime.cancel import CancelToken, Cancelled
from desktop.tasks import Failed, WasCancelled, drive, failure_message

def counting(n: int):
    def job(cancel: CancelToken):
        for i in range(n):
            yield Progress(i + 1, n, f"item {i + 1}")
        yield Finished(f"counted {n}")
    return job


def test_drive_reports_events_then_one_outcome_without_qt():
    seen = []
    drive(counting(2), CancelToken(), seen.append)
    assert seen == [Progress(1, 2, "item 1"), Progress(2, 2, "item 2"), Finished("counted 2")]

    seen.clear()
    drive(lambda cancel: iter([StepStarted("plan")]), CancelToken(), seen.append)
    assert seen == [StepStarted("plan"), Finished(None)]


def test_drive_turns_exceptions_and_cancellation_into_outcomes():
    def broken(cancel):
        yield Progress(0, 1)
        raise KeyError("chunk_9")

    seen = []
    drive(broken, CancelToken(), seen.append)
    assert isinstance(seen[-1], Failed) and "KeyError" in seen[-1].message and "log" in seen[-1].message

    seen.clear()
    drive(lambda cancel: iter([Finished(None, cancelled=True)]), CancelToken(), seen.append)
    assert seen == [WasCancelled()]

    token = CancelToken()
    token.cancel()
    called = []
    seen.clear()
    drive(lambda cancel: called.append(1) or iter(()), token, seen.append)
    assert seen == [WasCancelled()] and not called  # a job cancelled while queued never starts


def test_user_errors_keep_their_own_message():
    assert failure_message(LookupError("no document 'x.pdf' in this matter")) == "no document 'x.pdf' in this matter"
    assert failure_message(TypeError("bad")).startswith("unexpected error (TypeError: bad)")


def test_progress_and_finished_arrive_on_the_ui_thread(qtbot, runner):
    task = runner.submit("Counting", counting(3))
    progress, threads = [], []
    task.progress.connect(lambda d, t, m: (progress.append((d, t, m)), threads.append(threading.current_thread())))
    with qtbot.waitSignal(task.finished, timeout=5000) as result:
        pass
    assert result.args == ["counted 3"]
    assert progress == [(1, 3, "item 1"), (2, 3, "item 2"), (3, 3, "item 3")]
    assert set(threads) == {threading.main_thread()}
    assert task.state == "finished"


def test_tokens_are_coalesced_and_flushed_before_finished(qtbot, runner):
    words = [f"w{i} " for i in range(200)]

    def stream(cancel):
        for w in words:
            time.sleep(0.001)
            yield TokenDelta(w)
        yield Finished("done")

    task = runner.submit("Streaming", stream)
    chunks, order = [], []
    task.token.connect(chunks.append)
    task.token.connect(lambda _t: order.append("token"))
    task.finished.connect(lambda _r: order.append("finished"))
    with qtbot.waitSignal(task.ended, timeout=10000):
        pass
    assert "".join(chunks) == "".join(words)
    assert 1 <= len(chunks) < len(words)  # ~0.2 s of tokens arrive in a handful of repaints
    assert order[-1] == "finished"


def test_cancel_stops_a_running_job_and_queued_jobs_wait_their_turn(qtbot, runner):
    def until_cancelled(cancel):
        while True:
            time.sleep(0.01)
            cancel.check()  # raises Cancelled, as core code may
            yield Progress(0, 0, "waiting")

    first = runner.submit("Waiting", until_cancelled)
    second = runner.submit("Next", counting(1))
    second_results = []
    second.finished.connect(second_results.append)
    with qtbot.waitSignal(first.started, timeout=5000):
        pass
    assert second.state == "queued"
    with qtbot.waitSignal(first.cancelled, timeout=5000):
        first.cancel()
    qtbot.waitUntil(lambda: second_results == ["counted 1"], timeout=5000)
    assert first.state == "cancelled"


def test_a_failing_job_emits_failed_and_the_runner_keeps_working(qtbot, runner):
    def missing_model(cancel):
        raise RuntimeError("model file not found: /nowhere/model.gguf")
        yield  # pragma: no cover - makes this a generator

    failing = runner.submit("Asking", missing_model)
    with qtbot.waitSignal(failing.failed, timeout=5000) as result:
        pass
    assert result.args == ["model file not found: /nowhere/model.gguf"]
    after = runner.submit("Counting", counting(1))
    with qtbot.waitSignal(after.finished, timeout=5000):
        pass


def test_cancelled_exception_from_a_factory_is_a_cancel(qtbot, runner):
    def refuses(cancel):
        raise Cancelled()

    task = runner.submit("Refusing", refuses)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        pass


def test_busy_changed_follows_the_running_job(qtbot, runner):
    states = []
    runner.busy_changed.connect(lambda busy, name: states.append((busy, name)))
    task = runner.submit("Counting", counting(2))
    with qtbot.waitSignal(task.ended, timeout=5000):
        pass
    assert states == [(True, "Counting"), (False, "")]


def test_a_job_that_ignores_its_token_still_stops_at_the_next_event(qtbot, runner):
    cleaned = []

    def tokenless(cancel):  # like ensure_sample_matter(), which takes no token
        try:
            for i in range(1000):
                time.sleep(0.01)
                yield Progress(i, 1000)
        finally:
            cleaned.append(threading.current_thread())

    task = runner.submit("Seeding", tokenless)
    with qtbot.waitSignal(task.progress, timeout=5000):
        pass
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.cancel()
    assert len(cleaned) == 1 and cleaned[0] is not threading.main_thread()


def test_shutdown_stops_the_running_job_and_nothing_reaches_the_views_afterwards(qtbot):
    from desktop.tasks import TaskRunner

    cleaned = []

    def endless(cancel):
        try:
            while True:
                time.sleep(0.01)
                yield TokenDelta("x")
        finally:
            cleaned.append(True)

    runner = TaskRunner()
    task = runner.submit("Streaming", endless)
    with qtbot.waitSignal(task.started, timeout=5000):
        pass
    late = []
    for signal in (task.token, task.ended, task.cancelled):
        signal.connect(lambda *a: late.append(a))
    runner.shutdown()
    assert cleaned == [True]  # the worker closed the generator before shutdown returned
    qtbot.wait(200)  # let any queued event and the token timer fire, if they still could
    assert late == [] and not task.active
    with pytest.raises(RuntimeError, match="shut down"):
        runner.submit("Late", counting(1))


def test_progress_message_carries_rate_and_time_left(qtbot, runner):
    task = runner.submit("Indexing", lambda cancel: iter([Progress(1, 4, "a.pdf", 2.0, 1.5), Finished(None)]))
    seen = []
    task.progress.connect(lambda d, t, m: seen.append(m))
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert seen == ["a.pdf (2.0/s · 2 s left)"]
