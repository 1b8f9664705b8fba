"""Changing the embedder setting with the real models: a small MiniLM matter re-embedded with
all-mpnet-base-v2 (assembled from its part packages), searched before, during and after."""
from __future__ import annotations

import pytest

from agents.domain.events import FileIngested, Finished, Progress
from agents.runtime import settings as settings_mod
from agents.runtime.cancel import CancelToken
from agents.services import Countersign

pytestmark = pytest.mark.integration

MINILM, MPNET = "all-MiniLM-L6-v2", "all-mpnet-base-v2"
DOCS = {
    "lease.txt": "The lease of Unit 4 at Harbour Road ends on 31 March 2031; rent is GBP 48,000 a year.",
    "loan.txt": "The facility agreement caps borrowing at EUR 2.5 million, with interest at SONIA plus 3.1 percent.",
    "holiday.txt": "Staff may carry over five days of unused holiday into the next year with manager approval.",
    "audit.txt": "The external auditor found no material weakness in the controls over inventory counts.",
    "insurance.txt": "The warehouse is insured against fire and flood for a sum of GBP 6 million.",
}
# No word in common with its passage, so only the dense vectors can find it.
TENANCY_QUESTION = "How long is the tenancy of the premises?"


@pytest.fixture
def minilm_matter(data_dir, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text)
    app = Countersign.open(str(data_dir))
    app.create_matter("Switch")
    list(app.ingest("Switch", [folder]))
    app.close()
    return data_dir, tmp_path


def reopen(data_dir, embedder: str) -> Countersign:
    settings_mod.update(data_dir / "settings.json", "embedder", embedder)
    return Countersign.open(str(data_dir))


def dense_top(app: Countersign, matter_id: str, query: str) -> str:
    """The top passage by the vectors alone, queried with the embedder the matter searches with."""
    embedder = app.index.embedder(app.index.active(matter_id))
    cid, _ = app.vectors.query(embedder.embed([query])[0], matter_id, 1)[0]
    return app.library.chunks([cid])[cid].text


def test_switch_cancel_resume_and_search_throughout(minilm_matter):
    data_dir, tmp_path = minilm_matter
    app = reopen(data_dir, MPNET)
    mid = app.library.matter("Switch").id
    assert app.pending_reembeds() == ["Switch"] and app.matter_embedder("Switch") == MINILM
    assert app.vectors.dimensions(mid, MINILM) == 384

    # Cancel after two chunks: the old index kept serving every search while the new one grew.
    cancel = CancelToken()
    last = None
    for event in app.reembed("Switch", cancel, batch=1):
        if isinstance(event, Progress) and event.done:
            assert app.matter_embedder("Switch") == MINILM
            assert "Harbour Road" in dense_top(app, mid, TENANCY_QUESTION)
            if event.done == 2:
                cancel.cancel()
        last = event
    assert isinstance(last, Finished) and last.cancelled and not last.result.complete
    assert app.vectors.count(mid, MPNET) == 2 and app.matter_embedder("Switch") == MINILM

    # A file added meanwhile goes to the index in use, with MiniLM; the resumed run includes it.
    (tmp_path / "extra.txt").write_text("The board approved a dividend of 12 pence per share in May.")
    outcome = [e for e in app.ingest("Switch", [tmp_path / "extra.txt"]) if isinstance(e, FileIngested)]
    assert outcome[0].status.value == "indexed"
    app.close()

    app = Countersign.open(str(data_dir))
    chunk_ids = app.index.chunk_ids(mid)
    assert app.vectors.ids(mid, MINILM) == chunk_ids  # the old index is still complete
    # A time budget ends a run early but resumably (the desktop runs re-embeds in such slices).
    sliced = list(app.reembed("Switch", batch=1, max_seconds=0))[-1]
    assert not sliced.cancelled and not sliced.result.complete and sliced.result.embedded == 1
    report = list(app.reembed("Switch", batch=2))[-1].result
    assert report.complete and report.total == len(chunk_ids) == 6 and report.embedded == 3  # 2 + 1 were kept
    assert app.vectors.ids(mid, MPNET) == chunk_ids and app.vectors.count(mid, MPNET) == len(chunk_ids)
    assert app.vectors.dimensions(mid, MPNET) == 768
    assert app.vectors.collections() == [(mid, MPNET)]  # the MiniLM collection is gone
    assert app.matter_embedder("Switch") == MPNET and app.pending_reembeds() == []

    # Afterwards: queries are embedded with mpnet and find the right passages.
    assert "Harbour Road" in dense_top(app, mid, TENANCY_QUESTION)
    assert "Harbour Road" in app.search("Switch", TENANCY_QUESTION, top_k=1)[0].chunk.text
    assert "dividend" in app.search("Switch", "payout to shareholders", top_k=1)[0].chunk.text

    # New files now get 768-dimension vectors; reconcile restores a lost one with mpnet.
    (tmp_path / "late.txt").write_text("The sale of the Leeds depot completed on 2 June for GBP 1.2 million.")
    list(app.ingest("Switch", [tmp_path / "late.txt"]))
    chunk_ids = app.index.chunk_ids(mid)
    assert app.vectors.ids(mid, MPNET) == chunk_ids and app.vectors.collections() == [(mid, MPNET)]
    lost = sorted(chunk_ids)[0]
    app.vectors.delete_ids([lost], mid, MPNET)
    assert app.reconcile_vectors() == (0, 1)
    assert app.vectors.ids(mid, MPNET) == chunk_ids and app.vectors.dimensions(mid, MPNET) == 768
    app.close()


def test_switching_back_before_completion_drops_the_partial_index(minilm_matter):
    data_dir, _ = minilm_matter
    app = reopen(data_dir, MPNET)
    mid = app.library.matter("Switch").id
    cancel = CancelToken()
    for event in app.reembed("Switch", cancel, batch=1):
        if isinstance(event, Progress) and event.done:
            cancel.cancel()
    assert app.vectors.count(mid, MPNET) == 1
    app.close()

    app = reopen(data_dir, MINILM)
    assert app.pending_reembeds() == [] and app.matter_embedder("Switch") == MINILM
    assert app.reconcile_vectors() == (0, 0)
    assert app.vectors.collections() == [(mid, MINILM)]
    assert "Harbour Road" in app.search("Switch", TENANCY_QUESTION, top_k=1)[0].chunk.text
    app.close()


def test_a_new_matter_starts_with_the_setting_and_needs_no_reembed(data_dir, tmp_path):
    (tmp_path / "lease.txt").write_text(DOCS["lease.txt"])
    data_dir.mkdir(parents=True)
    app = reopen(data_dir, MPNET)
    app.create_matter("Fresh")
    list(app.ingest("Fresh", [tmp_path / "lease.txt"]))
    mid = app.library.matter("Fresh").id
    assert app.matter_embedder("Fresh") == MPNET and app.pending_reembeds() == []
    assert app.vectors.dimensions(mid, MPNET) == 768
    assert list(app.reembed("Fresh"))[-1].result.complete
    app.close()
