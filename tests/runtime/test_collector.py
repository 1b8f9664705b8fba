"""What the warm-up loads is kept out of the garbage collector's passes: none run while it loads,
and afterwards it sits in the permanent generation, which a full pass does not walk."""
from __future__ import annotations

import gc
import threading

import pytest

from agents.runtime import collector


@pytest.fixture(autouse=True)
def collections_as_they_were():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


def test_no_collections_inside_and_what_was_loaded_is_frozen_after():
    before = gc.get_freeze_count()
    with collector.loading_for_good():
        assert not gc.isenabled()
        loaded = [{"module": i} for i in range(1000)]  # tracked containers, like classes and functions
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(loaded)
    assert all(not any(x is obj for x in gc.get_objects(generation=2)) for obj in loaded[:3])


def test_a_failed_load_still_resumes_collections():
    with pytest.raises(ImportError):
        with collector.loading_for_good():
            raise ImportError("no torch")
    assert gc.isenabled()


def test_collections_resume_at_the_last_exit_and_only_if_they_were_on():
    with collector.loading_for_good():
        with collector.loading_for_good():
            pass
        assert not gc.isenabled()  # the outer load is still running
    assert gc.isenabled()
    gc.disable()
    with collector.loading_for_good():
        pass
    assert not gc.isenabled()  # whoever turned them off decides when they come back


def test_loads_on_two_threads_resume_when_both_are_done():
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector.loading_for_good():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    with collector.loading_for_good():
        pass
    assert not gc.isenabled()  # the other thread's load is still running
    release.set()
    thread.join(10)
    assert gc.isenabled()
