"""In-process llama.cpp backend (llama-cpp-python), imported lazily so the window opens fast."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Iterator

from agents.llm.gguf import GGUFInfo, read_gguf
from agents.llm.llama_loader import install_template, open_llama
from agents.llm.protocol import ChatMessage, GenerationParams, ModelUnavailable, Usage
from agents.runtime.cancel import CancelToken

log = logging.getLogger("countersign.llm")


class LlamaModel:
    """One loaded GGUF. Calls are serialised: llama.cpp contexts are not re-entrant."""

    def __init__(self, path: Path, model_id: str, sha256: str, n_ctx: int, n_threads: int, *, n_gpu_layers: int = 0,
                 n_batch: int = 512, info: GGUFInfo | None = None) -> None:
        # llama.cpp trusts the header it reads; a damaged one must fail here, as an exception.
        self.info = info or read_gguf(path)
        self.path, self.model_id, self.sha256, self.n_ctx = path, model_id, sha256, n_ctx
        self._lock = threading.Lock()
        started = time.perf_counter()
        try:
            self._llm = open_llama(path, n_ctx, n_threads, n_gpu_layers, n_batch)
        except ImportError as exc:
            raise ModelUnavailable(f"llama-cpp-python cannot be imported ({exc}); run `make`") from exc
        except (ValueError, RuntimeError) as exc:
            raise ModelUnavailable(f"llama.cpp could not load {path.name}: {exc}") from exc
        self.template = install_template(self._llm, self.info.chat_template, model_id)
        self.load_seconds = time.perf_counter() - started
        self.last_usage = Usage(0, 0)
        log.info("model %s loaded in %.2fs", model_id, self.load_seconds)

    def close(self) -> None:
        """Free the model now, after any generation under way: left to the interpreter's exit,
        llama-cpp-python's finaliser runs after its own module is torn down and fails."""
        with self._lock:
            self._llm.close()

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream_chat(self, messages: list[ChatMessage], params: GenerationParams, cancel: CancelToken) -> Iterator[str]:
        # llama-cpp-python keeps the evaluated tokens of the previous call and re-evaluates only
        # what differs, so consecutive prompts that share their opening (a draft's sections)
        # pay for that prefix once (benchmarks/llm.py measures it).
        response_format = None
        if params.json_schema is not None:
            response_format = {"type": "json_object", "schema": params.json_schema}
        with self._lock:
            stream = self._llm.create_chat_completion(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                stream=True, max_tokens=params.max_tokens, temperature=params.temperature,
                seed=params.seed, stop=list(params.stop) or None, response_format=response_format,
            )
            pieces = 0
            try:
                for chunk in stream:
                    if cancel.cancelled:
                        break
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        pieces += 1
                        yield piece
            finally:
                stream.close()  # frees the context for the next call even when the caller stops early
                # The context holds the prompt and every token generated so far.
                self.last_usage = Usage(max(self._llm.n_tokens - pieces, 0), pieces)
