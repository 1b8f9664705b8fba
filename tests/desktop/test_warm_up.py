"""The window's background warm-up: it starts only after the window shows, runs beside the
worker, and a close in the middle stops it after its current step, with no signal afterwards.
(The real libraries loading is tested in test_startup_imports.py and tests/services.)"""
from __future__ import annotations

import threading


from desktop import app as desktop_app


def test_main_schedules_the_warm_up_after_the_window_shows(qtbot, core):
    window = desktop_app.build_window(core)
    qtbot.addWidget(window)
    core.warm_up_steps = lambda: [("nothing heavy", lambda: None)]
    window.show()
    desktop_app.schedule_warm_up(window, delay_ms=50)
    assert window.warm_up_task is None  # nothing starts on the way to the first frame
    qtbot.waitUntil(lambda: window.warm_up_task is not None and not window.warm_up_task.active, timeout=10_000)
    assert window.warm_up_task.state == "finished"
    assert window.warm_up() is window.warm_up_task  # once per window
    window.close()


def test_closing_mid_warm_up_stops_after_the_current_step(qtbot, core):
    window = desktop_app.build_window(core)
    qtbot.addWidget(window)
    importing, release, ran = threading.Event(), threading.Event(), []

    def slow_import():  # stands in for torch's import, which cannot be interrupted
        importing.set()
        release.wait(10)
        ran.append("first")

    core.warm_up_steps = lambda: [("slow", slow_import), ("next", lambda: ran.append("next"))]
    window.show()
    task = window.warm_up()
    ended = []
    task.ended.connect(lambda: ended.append(task.state))
    assert importing.wait(10)
    threading.Timer(0.3, release.set).start()  # the import finishes while the window is closing
    window.close()
    assert ran == ["first"]  # the step running finished; the next never started
    assert not window.warm_up_runner._worker.isRunning()
    qtbot.wait(100)  # events queued by the worker before it stopped reach no view
    assert ended == [] and task.state == "cancelled"
    assert window.warm_up() is task  # a closed window starts nothing new


def test_a_window_that_closed_before_the_timer_fired_never_warms_up(qtbot, core):
    window = desktop_app.build_window(core)
    qtbot.addWidget(window)
    asked = []
    core.warm_up_steps = lambda: asked.append("steps") or []
    window.show()
    desktop_app.schedule_warm_up(window, delay_ms=50)
    window.close()
    qtbot.wait(200)
    assert window.warm_up_task is None and asked == []


def test_the_window_is_gone_while_the_close_waits_for_the_step(qtbot, core):
    window = desktop_app.build_window(core)
    qtbot.addWidget(window)
    importing, seen = threading.Event(), []

    def slow_import():
        importing.set()
        # Read on the worker (only a flag) while the UI thread is blocked in the close, waiting for it.
        seen.append(window.isVisible())
        for _ in range(200):  # at most 2 s: without the fix the close would wait here until then
            if not window.isVisible():
                break
            threading.Event().wait(0.01)
        seen.append(window.isVisible())

    core.warm_up_steps = lambda: [("slow", slow_import)]
    window.show()
    window.warm_up()
    assert importing.wait(10)
    window.close()
    assert seen[-1] is False  # hidden before the close waited for the worker
