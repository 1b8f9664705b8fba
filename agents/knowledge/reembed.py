"""Rebuilding a matter's vectors from SQLite, the source of truth: re-embedding it with another
embedder, restoring vectors lost in a crash, and clearing vectors whose chunk is gone.

A re-embed writes into the new embedder's own collection while searches keep using the old
one; only when every chunk has a new vector does the matter switch and the old collection go.
Chunks already in the new collection are skipped, so a cancelled or killed run resumes."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Iterator

from agents.domain.events import Finished, Progress
from agents.knowledge.embedder import Embedder
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.matter_index import MatterIndex
from agents.knowledge.vector_store import VectorStore
from agents.runtime.cancel import NEVER, CancelToken

log = logging.getLogger("countersign.reembed")

# Chunks per embedding call and cancel check: ~4 s with all-mpnet-base-v2 on two busy cores.
BATCH = 16


@dataclass(frozen=True)
class ReembedReport:
    matter_id: str
    embedder: str
    previous: str
    embedded: int  # chunks embedded by this run (a resumed run skips the ones already done)
    total: int
    seconds: float
    complete: bool  # the matter now searches with `embedder`


def reembed(matter_id: str, target: Embedder, index: MatterIndex, library: LibraryStore, vectors: VectorStore,
            cancel: CancelToken = NEVER, batch: int = BATCH, max_seconds: float | None = None) -> Iterator[object]:
    """Yields Progress (chunks done/total, rate, ETA) and ends with Finished(ReembedReport).
    `max_seconds` ends the run early but resumable, so a single-worker app can let other work in."""
    name, previous = target.model_id, index.active(matter_id)
    started, embedded, total = time.monotonic(), 0, 0
    clock = None  # when embedding began: loading (or first assembling) the model is not throughput

    def report(complete: bool) -> ReembedReport:
        return ReembedReport(matter_id, name, previous, embedded, total, round(time.monotonic() - started, 2), complete)

    if previous == name:
        yield Finished(report(True))
        return
    while True:  # again until nothing is missing: files ingested meanwhile get vectors too
        wanted = index.chunk_ids(matter_id)
        have = vectors.ids(matter_id, name)
        vectors.delete_ids(sorted(have - wanted), matter_id, name)  # chunks removed since the last run
        todo = sorted(wanted - have)
        total = len(wanted)
        if not todo:
            break
        base = total - len(todo)
        if clock is None:
            yield Progress(base, total, f"loading {name}", unit="chunks")
            target.load()
            clock = time.monotonic()
        for i in range(0, len(todo), batch):
            # Over budget only after one batch at least, so every slice makes progress.
            over = max_seconds is not None and embedded and time.monotonic() - started > max_seconds
            if cancel.cancelled or over:
                yield Finished(report(False), cancelled=cancel.cancelled)
                return
            chunks = list(library.chunks(todo[i:i + batch]).values())  # a chunk deleted meanwhile drops out
            vectors.add_chunks(chunks, target.embed([c.text for c in chunks]), name)
            embedded += len(chunks)
            done = base + min(i + batch, len(todo))
            rate = embedded / max(time.monotonic() - clock, 1e-9)
            eta = (total - done) / rate if rate > 0 and done < total else None
            yield Progress(done, total, name, round(rate, 2), eta, unit="chunks")
    index.switch(matter_id, name)
    vectors.drop(matter_id, previous)
    log.info("matter %s re-embedded with %s: %d chunks in %.1fs", matter_id, name, embedded, time.monotonic() - started)
    yield Finished(report(True))


def fill_missing(matter_id: str, embedder: Embedder, library: LibraryStore, vectors: VectorStore,
                 wanted: set[str]) -> int:
    """Embed the chunks in `wanted` that have no vector in the embedder's collection."""
    missing = sorted(wanted - vectors.ids(matter_id, embedder.model_id))
    for i in range(0, len(missing), 256):
        chunks = list(library.chunks(missing[i:i + 256]).values())
        vectors.add_chunks(chunks, embedder.embed([c.text for c in chunks]), embedder.model_id)
    return len(missing)


def after_switch(events: Iterator[object], matter_id: str, name: str, index: MatterIndex, library: LibraryStore,
                 vectors: VectorStore) -> Iterator[object]:
    """Pass an ingest's events through; if another process completed a re-embed while the ingest
    wrote `name` vectors, first give its chunks vectors in the collection the matter now searches."""
    for event in events:
        if isinstance(event, Finished) and (current := index.active(matter_id)) != name:
            fill_missing(matter_id, index.embedder(current), library, vectors, index.chunk_ids(matter_id))
            vectors.drop(matter_id, name)
        yield event


def reconcile(library: LibraryStore, vectors: VectorStore, index: MatterIndex) -> tuple[int, int]:
    """Make chromadb match SQLite: drop vectors whose chunk is gone (written just before a
    crash), re-embed chunks missing from each matter's active collection, and drop collections
    of a re-embed abandoned when the setting changed back. Returns (removed, restored)."""
    wanted = index.chunk_ids_by_matter()
    removed = restored = 0
    for matter_id, name in vectors.collections():
        if name not in (index.active(matter_id), index.setting):
            log.info("dropping abandoned %s collection of matter %s", name, matter_id)
            vectors.drop(matter_id, name)
            continue
        extra = sorted(vectors.ids(matter_id, name) - wanted.get(matter_id, set()))
        vectors.delete_ids(extra, matter_id, name)
        removed += len(extra)
    for matter_id, ids in wanted.items():
        restored += fill_missing(matter_id, index.embedder(index.active(matter_id)), library, vectors, ids)
    return removed, restored


# Firm mode: another machine may have written a file's vectors and not yet committed its chunks.
# One file's parse and embedding end well within this (the parse timeout is minutes), so a
# vector with no chunk that is older than this is an orphan, not a write in flight.
FIRM_ORPHAN_GRACE_S = 3600


def reconcile_shared(matter_id: str, library: LibraryStore, vectors: VectorStore, index: MatterIndex,
                     grace_s: float = FIRM_ORPHAN_GRACE_S) -> tuple[int, int]:
    """The repair for one matter on the firm's shared servers: drop orphan vectors only once
    they are older than `grace_s`, and restore chunks that have no vector in the collection the
    matter searches. Collections of other embedders are left alone: another machine may be
    re-embedding into one. Returns (removed, restored)."""
    name = index.active(matter_id)
    wanted = index.chunk_ids(matter_id)
    stale = vectors.ids_written_before(matter_id, name, time.time() - grace_s)
    # Read the chunks again after listing the vectors: a chunk committed in between is not an orphan.
    extra = sorted(stale - wanted - index.chunk_ids(matter_id))
    vectors.delete_ids(extra, matter_id, name)
    return len(extra), fill_missing(matter_id, index.embedder(name), library, vectors, wanted)
