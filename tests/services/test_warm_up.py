"""The warm-up loads the heavy parts ahead of their first use: the real libraries and embedder,
steps that stop when cancelled, and a failed step that is reported without stopping the rest."""
from __future__ import annotations

import gc
import sys

import pytest

from agents.domain.events import Finished, Progress
from agents.services import CancelToken, Countersign, WarmUpReport
from agents.services.warm_up import run_steps


@pytest.fixture
def core(data_dir):
    c = Countersign.open(str(data_dir))
    yield c
    c.close()


def test_the_real_warm_up_loads_the_libraries_the_embedder_and_the_store(core):
    events = list(core.warm_up())
    report = events[-1].result
    assert isinstance(report, WarmUpReport) and report.failed == ()
    assert report.loaded == ("torch's native library", "torch", "sentence-transformers", "the all-MiniLM-L6-v2 embedder",
                             "chromadb", "llama.cpp")
    assert [e.done for e in events if isinstance(e, Progress)] == [0, 1, 2, 3, 4, 5]
    assert {"torch", "sentence_transformers", "chromadb", "llama_cpp"} <= set(sys.modules)
    # What the first ingest or search would have loaded is there already, so they load nothing.
    assert core.embedder._model is not None and core.vectors._client is not None
    assert not core.model_loaded()  # the model's weights stay with the worker that owns the model


def test_a_firm_server_needs_no_llama_cpp(core):
    core.change_setting("model_server_url", "http://127.0.0.1:8080")
    assert [name for name, _ in core.warm_up_steps()][-1] == "chromadb"


def test_cancelled_it_stops_before_the_next_step():
    ran, cancel = [], CancelToken()

    def first():
        ran.append("first")
        cancel.cancel()  # the window closed while this step ran

    events = list(run_steps([("first", first), ("second", lambda: ran.append("second"))], cancel))
    assert ran == ["first"]
    assert isinstance(events[-1], Finished) and events[-1].cancelled


def test_a_failed_step_is_reported_and_the_others_still_load():
    def broken():
        raise ImportError("llama-cpp-python is not installed")

    ran = []
    events = list(run_steps([("llama.cpp", broken), ("chromadb", lambda: ran.append("chromadb"))]))
    report = events[-1].result
    assert ran == ["chromadb"] and report.loaded == ("chromadb",)
    assert report.failed == (("llama.cpp", "llama-cpp-python is not installed"),)


def test_the_real_warm_up_runs_no_collection_and_leaves_what_it_loaded_out_of_later_ones(core):
    seen = []
    core.warm_up_steps = lambda: [("probe", lambda: seen.append(gc.isenabled()))]
    list(core.warm_up())
    assert seen == [False] and gc.isenabled()
    # After the real libraries load, a full pass walks far fewer objects than there are: the
    # libraries' (hundreds of thousands, 280-360 ms a pass) are frozen.
    del core.warm_up_steps
    list(core.warm_up())
    assert "torch" in sys.modules and gc.get_freeze_count() > 100_000
    assert len(gc.get_objects()) < gc.get_freeze_count()
