"""Loading the heavy libraries ahead of their first use, so that no ingestion, search or answer
pays for them.

Importing torch holds the interpreter lock for most of a second; done by the worker at the first
ingest it froze the window for ~415 ms in the middle of the user's work. The window runs this
shortly after it first shows instead, on a thread of its own. It imports and loads only what is
shared and cheap to keep (the libraries, the embedder, the vector store): the language model's
weights stay with the worker that owns the model, loaded at the first question or draft."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from agents.domain.events import Finished, Progress
from agents.knowledge import embedder as embedder_mod
from agents.llm import llama_loader
from agents.runtime import collector
from agents.runtime.cancel import NEVER, CancelToken

log = logging.getLogger("countersign.services.warm_up")

Step = tuple[str, Callable[[], None]]


@dataclass(frozen=True)
class WarmUpReport:
    loaded: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # (step, why): each loads, or says why, again at first use
    seconds: float


def run_steps(steps: list[Step], cancel: CancelToken = NEVER) -> Iterator[object]:
    """Run each step, yielding Progress before it (the cancel point) and a WarmUpReport at the end."""
    started, loaded, failed = time.perf_counter(), [], []
    for done, (name, step) in enumerate(steps):
        if cancel.cancelled:
            yield Finished(None, cancelled=True)
            return
        yield Progress(done, len(steps), f"loading {name}", unit="steps")
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - a failed warm-up only means the first use loads (and reports) it
            log.warning("warm-up: %s not loaded (%s: %s)", name, type(exc).__name__, exc)
            failed.append((name, str(exc) or type(exc).__name__))
        else:
            loaded.append(name)
    report = WarmUpReport(tuple(loaded), tuple(failed), round(time.perf_counter() - started, 3))
    log.info("warm-up: %d step(s) loaded in %.2fs, %d failed", len(loaded), report.seconds, len(failed))
    yield Finished(report)


class WarmUpFacade:
    """Needs `self.embedder`, `self.vectors` and `self.settings` from Countersign."""

    def warm_up_steps(self) -> list[Step]:
        steps = [*embedder_mod.warm_up_steps(self.embedder), ("chromadb", self.vectors.open)]
        if not self.settings.model_server_url:  # a firm's server needs no llama.cpp here
            steps.append(("llama.cpp", llama_loader.import_library))
        return steps

    def warm_up(self, cancel: CancelToken = NEVER) -> Iterator[object]:
        """Import and load the heavy parts now; cancelled, it stops before the next step. It never
        touches the database, so it may run on a thread beside the worker's. What it loads stays
        for the process's life, so it is kept out of the garbage collector's passes (see collector)."""
        steps = self.warm_up_steps()
        with collector.loading_for_good():
            yield from run_steps(steps, cancel)
