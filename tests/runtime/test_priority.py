"""Background threads run below the window's priority, and the threads they start do too."""
import os
import sys
import threading

import pytest

from agents.runtime.priority import BACKGROUND_NICE, lower_this_process, lower_this_thread

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")


def _nice(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


@linux
def test_a_lowered_thread_and_its_children_run_below_the_caller():
    base = _nice(threading.get_native_id())
    seen: dict[str, int] = {}

    def child() -> None:
        seen["child"] = _nice(threading.get_native_id())

    def background() -> None:
        seen["lowered"] = lower_this_thread()
        seen["self"] = _nice(threading.get_native_id())
        t = threading.Thread(target=child)  # as torch's and llama.cpp's pools are started
        t.start()
        t.join()

    t = threading.Thread(target=background)
    t.start()
    t.join()
    assert seen["lowered"] is True
    assert seen["self"] == min(19, max(base, 0) + BACKGROUND_NICE)
    assert seen["child"] == seen["self"]
    assert _nice(threading.get_native_id()) == base  # the calling (UI) thread is untouched


@linux
def test_a_lowered_process_leaves_its_parent_alone():
    base = os.getpriority(os.PRIO_PROCESS, 0)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child lowers itself and reports its niceness
        lower_this_process()
        os.write(write, str(os.getpriority(os.PRIO_PROCESS, 0)).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    assert int(os.read(read, 16)) == min(19, base + BACKGROUND_NICE)
    assert os.getpriority(os.PRIO_PROCESS, 0) == base
