"""chromadb in a child process (the window's vector store): the same store as the embedded one,
files shared with it, a child that dies replaced without losing what was written, errors that
say what happened, and no child left behind."""
import os
import random
import signal

import pytest

from agents.knowledge.vector_process import VectorProcessError
from agents.knowledge.vector_store import UPSERT_BATCH, VectorStore

MINILM = "all-MiniLM-L6-v2"


def _vectors(n: int, seed: int = 7) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.random() for _ in range(16)] for _ in range(n)]


@pytest.fixture
def store(tmp_path):
    s = VectorStore(tmp_path / "vectors", in_process=False)
    yield s
    s.close()


def test_the_child_store_writes_finds_and_deletes_like_the_embedded_one(store, tmp_path):
    n = UPSERT_BATCH * 2 + 3
    ids = [f"doc_a:{i}" for i in range(n)]
    vectors = _vectors(n)
    store.add(ids, vectors, "m1", "doc_a", [1 + i // 10 for i in range(n)])
    store.add(["doc_b:0"], _vectors(1, seed=1), "m2", "doc_b", [1])
    assert store._client.pid not in (None, os.getpid())  # chromadb really is elsewhere
    assert sorted(store.collections()) == [("m1", MINILM), ("m2", MINILM)]
    assert store.query(vectors[-1], "m1", 1)[0][0] == ids[-1]
    assert {i for i, _ in store.query(vectors[0], "m1", 3, document_id="doc_a", pages=(1, 1))} <= set(ids[:10])
    assert store.count("m1", MINILM) == n and store.dimensions("m1", MINILM) == 16
    assert store.query(vectors[0], "nobody", 3) == []  # reads never create a collection
    store.delete_document("m1", "doc_a")
    assert store.ids() == {"doc_b:0"}
    store.drop("m2", MINILM)
    assert store.collections() == [("m1", MINILM)]

    # The files are chromadb's own: closed, the embedded client reads what the child wrote.
    store.add(["doc_c:0"], _vectors(1, seed=3), "m1", "doc_c", [2])
    store.close()
    assert VectorStore(tmp_path / "vectors").ids() == {"doc_c:0"}


def test_a_child_that_dies_is_replaced_and_nothing_written_is_lost(store):
    store.add(["a:0", "a:1"], _vectors(2), "m1", "a", [1, 1])
    first = store._client.pid
    os.kill(first, signal.SIGKILL)
    store._client._proc.join(10)
    store.add(["b:0"], _vectors(1, seed=2), "m1", "b", [1])  # retried in a fresh child
    assert store._client.pid != first
    assert store.ids("m1", MINILM) == {"a:0", "a:1", "b:0"}


def test_an_error_in_the_child_is_raised_here_with_chromadbs_message(store):
    store.add(["a:0"], _vectors(1), "m1", "a", [1])
    with pytest.raises(VectorProcessError, match="(?i)dimension"):
        store.add(["a:1"], [[0.1, 0.2, 0.3]], "m1", "a", [1])  # 3 numbers into a 16-dimension collection
    assert store.ids("m1", MINILM) == {"a:0"}  # and the child goes on serving


def test_close_stops_the_child(store):
    store.open()
    proc = store._client._proc
    store.close()
    assert not proc.is_alive() and proc.exitcode == 0
