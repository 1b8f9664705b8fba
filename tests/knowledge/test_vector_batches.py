"""Vectors go to chromadb in small batches (each call holds the GIL): a document larger than one
batch is stored, found and removed whole."""
import random

from agents.knowledge.vector_store import UPSERT_BATCH, VectorStore


def _vectors(n: int, seed: int = 7) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.random() for _ in range(16)] for _ in range(n)]


def test_a_document_of_many_batches_is_stored_and_deleted_whole(tmp_path):
    store = VectorStore(tmp_path / "vectors")
    n = UPSERT_BATCH * 3 + 5
    ids = [f"doc_a:{i}" for i in range(n)]
    vectors = _vectors(n)
    store.add(ids, vectors, "m1", "doc_a", [1 + i // 10 for i in range(n)])
    store.add(["doc_b:0"], _vectors(1, seed=1), "m1", "doc_b", [1])
    assert store.ids("m1", "all-MiniLM-L6-v2") == set(ids) | {"doc_b:0"}
    # The last batch's vectors landed: the nearest neighbour of the last vector is itself.
    assert store.query(vectors[-1], "m1", 1)[0][0] == ids[-1]
    assert {i for i, _ in store.query(vectors[0], "m1", 3, document_id="doc_a", pages=(1, 1))} <= set(ids[:10])

    store.delete_document("m1", "doc_a")
    assert store.ids("m1", "all-MiniLM-L6-v2") == {"doc_b:0"}


def test_orphans_across_batches_are_deleted(tmp_path):
    store = VectorStore(tmp_path / "vectors")
    n = UPSERT_BATCH * 2 + 1
    ids = [f"doc_a:{i}" for i in range(n)]
    store.add(ids, _vectors(n), "m1", "doc_a", [1] * n)
    store.delete_ids(ids[1:])  # matter unknown, as for an orphan found at startup
    assert store.ids() == {ids[0]}
