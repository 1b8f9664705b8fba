"""LLM runtime figures: the product's backends against raw llama-cpp-python, in the same run.

- prompt and generation tokens/s through LlamaModel vs a raw `Llama` on the same GGUF, prompt
  and settings (runs alternate, so a busy machine slows both alike); target ratio >= 0.95;
- time to first token of a draft's second section when its shared prefix (instructions and
  matter context) is still evaluated, vs after an unrelated prompt evicted it; target <= 0.5;
- cancel latency: from setting the cancel token (another thread) to the stream ending; < 200 ms;
- the same through HttpModel against `python -m llama_cpp.server` started here on 127.0.0.1.
Prints one JSON object. Usage: python benchmarks/llm.py [--runs 3] [--threads 2] [--no-server]
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.llm import registry  # noqa: E402
from agents.llm.http_backend import HttpModel  # noqa: E402
from agents.llm.protocol import ChatMessage, GenerationParams, ModelUnavailable  # noqa: E402
from agents.runtime.cancel import CancelToken  # noqa: E402
from agents.runtime.paths import resolve_data_dir  # noqa: E402

N_CTX, GEN_TOKENS = 2048, 64
CONTEXT = " ".join(f"Clause {i}: the Supplier shall deliver goods of grade {i % 7} within {i + 3} days of order."
                   for i in range(40))


def messages(tag: str, question: str) -> list[dict]:
    return [{"role": "system", "content": f"You draft contract review memos. Matter context: {CONTEXT}"},
            {"role": "user", "content": f"[{tag}] {question}"}]


def unique(i: int) -> list[dict]:
    # A distinct opening, so no run reuses another's evaluated prompt.
    return [{"role": "system", "content": f"Run {i}. Summarise. {CONTEXT}"},
            {"role": "user", "content": "List every delivery period, one per line."}]


def timed(stream) -> dict:
    started, first, n = time.perf_counter(), None, 0
    for _ in stream:
        n += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    return {"ttft": first - started, "gen_s": end - first, "tokens": n}


def raw_stream(llm, msgs):
    for chunk in llm.create_chat_completion(messages=msgs, stream=True, max_tokens=GEN_TOKENS, temperature=0.0, seed=1):
        if chunk["choices"][0]["delta"].get("content"):
            yield 1


def product_stream(model, msgs, cancel=None, max_tokens=GEN_TOKENS):
    chat = [ChatMessage(m["role"], m["content"]) for m in msgs]
    return model.stream_chat(chat, GenerationParams(max_tokens=max_tokens, seed=1), cancel or CancelToken())


def rates(results: list[dict], prompt_tokens: list[int]) -> dict:
    return {"prompt_tps": round(statistics.median(p / r["ttft"] for p, r in zip(prompt_tokens, results)), 1),
            "gen_tps": round(statistics.median((r["tokens"] - 1) / r["gen_s"] for r in results), 1)}


def prefix_reuse(model) -> dict:
    """TTFT of section 2 right after section 1 (shared prefix evaluated) vs after an eviction."""
    warm, cold = [], []
    for i in range(3):
        timed(product_stream(model, messages("s1", "Review the governing law clause."), max_tokens=8))
        warm.append(timed(product_stream(model, messages("s2", "Review the liability cap."), max_tokens=8))["ttft"])
        timed(product_stream(model, unique(1000 + i), max_tokens=4))  # evicts the shared prefix
        cold.append(timed(product_stream(model, messages("s2", "Review the liability cap."), max_tokens=8))["ttft"])
    w, c = statistics.median(warm), statistics.median(cold)
    return {"ttft_reused_ms": round(w * 1000, 1), "ttft_uncached_ms": round(c * 1000, 1), "ratio": round(w / c, 3)}


def cancel_latency(model, runs: int = 3) -> float:
    worst = 0.0
    for _ in range(runs):
        cancel, marks = CancelToken(), {}
        stream = product_stream(model, unique(2000), cancel, max_tokens=400)
        for n, _piece in enumerate(stream):
            if n == 10:
                # Cancel from another thread, as the UI does, and time until the loop ends.
                t = threading.Thread(target=lambda: (marks.setdefault("at", time.perf_counter()), cancel.cancel()))
                t.start()
                t.join()
        worst = max(worst, time.perf_counter() - marks["at"])
    return round(worst * 1000, 1)


def start_server(path: Path, threads: int) -> tuple[subprocess.Popen, HttpModel]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", str(N_CTX), "--n_threads", str(threads)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while True:
        try:
            return proc, HttpModel(f"http://127.0.0.1:{port}", n_ctx=N_CTX)
        except ModelUnavailable:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-server", action="store_true")
    args = ap.parse_args()
    from llama_cpp import Llama

    choice = registry.resolve("", resolve_data_dir(None).models)
    product = registry.load(choice, n_ctx=N_CTX, n_threads=args.threads)
    raw = Llama(model_path=str(choice.path), n_ctx=N_CTX, n_threads=args.threads, n_threads_batch=args.threads,
                n_batch=512, verbose=False)
    prompt_tokens = [len(raw.tokenize(m["content"].encode())) for m in unique(0)]
    total_prompt = sum(prompt_tokens) + 10  # chat template tokens
    timed(raw_stream(raw, unique(-1)))  # warm-up both
    timed(product_stream(product, unique(-2)))
    raw_runs, product_runs = [], []
    for i in range(args.runs):
        raw_runs.append(timed(raw_stream(raw, unique(2 * i))))
        product_runs.append(timed(product_stream(product, unique(2 * i + 1))))
    r, p = rates(raw_runs, [total_prompt] * args.runs), rates(product_runs, [total_prompt] * args.runs)
    out = {"model": choice.id, "threads": args.threads, "prompt_tokens": total_prompt, "gen_tokens": GEN_TOKENS,
           "raw": r, "product": p,
           "ratio": {"prompt": round(p["prompt_tps"] / r["prompt_tps"], 3), "gen": round(p["gen_tps"] / r["gen_tps"], 3)},
           "prefix_reuse": prefix_reuse(product), "cancel_latency_ms": cancel_latency(product)}
    del raw
    if not args.no_server:
        proc, http = start_server(choice.path, args.threads)
        try:
            timed(product_stream(http, unique(-3)))
            runs = [timed(product_stream(http, unique(100 + i))) for i in range(args.runs)]
            h = rates(runs, [total_prompt] * args.runs)
            out["http"] = {**h, "ratio_vs_raw_in_process": {"prompt": round(h["prompt_tps"] / r["prompt_tps"], 3),
                                                            "gen": round(h["gen_tps"] / r["gen_tps"], 3)},
                           "prefix_reuse": prefix_reuse(http), "cancel_latency_ms": cancel_latency(http)}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
