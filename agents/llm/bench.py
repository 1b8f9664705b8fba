"""`countersign models bench`: how fast a model runs here, through the product's own backend.

A firm choosing between a 0.5B and a 7B model needs the figures on its own machines; this gives
prompt and generation speed and time to first token on a fixed, draft-sized prompt.
benchmarks/llm.py compares the same backend against raw llama-cpp-python."""
from __future__ import annotations

import statistics
import time

from agents.llm.protocol import ChatMessage, ChatModel, GenerationParams
from agents.runtime.cancel import CancelToken

GEN_TOKENS = 48
_CONTEXT = " ".join(f"Clause {i}: the Supplier shall deliver goods of grade {i % 7} within {i + 3} days of order."
                    for i in range(30))


def _prompt(run: int) -> list[ChatMessage]:
    # A distinct opening per run so no run reuses the previous one's evaluated prompt.
    return [ChatMessage("system", f"Run {run}. You draft contract review memos. {_CONTEXT}"),
            ChatMessage("user", "List every delivery period, one per line.")]


def measure(model: ChatModel, runs: int = 3) -> dict:
    rows = []
    for run in range(runs + 1):  # the first run warms caches and is not counted
        started, first, n = time.perf_counter(), None, 0
        for _ in model.stream_chat(_prompt(run), GenerationParams(max_tokens=GEN_TOKENS, seed=1), CancelToken()):
            n += 1
            first = first or time.perf_counter()
        end = time.perf_counter()
        prompt_tokens = model.last_usage.prompt_tokens or sum(model.count_tokens(m.content) for m in _prompt(run))
        if run and first is not None and n > 1:
            rows.append((prompt_tokens / (first - started), (n - 1) / (end - first), first - started))
    if not rows:
        raise ValueError("the model produced no tokens to measure")
    return {"model": model.model_id, "runs": len(rows), "gen_tokens": GEN_TOKENS,
            "prompt_tokens_per_s": round(statistics.median(r[0] for r in rows), 1),
            "gen_tokens_per_s": round(statistics.median(r[1] for r in rows), 1),
            "first_token_ms": round(statistics.median(r[2] for r in rows) * 1000, 1)}
