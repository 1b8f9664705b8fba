"""Times the loop on the sample matter with the default model, against raw llama-cpp-python.

Prints one JSON object: model load, raw vs Countersign generation speed on the same prompt
(the runtime's overhead), ingest, ask and contract-review draft wall times.
Usage: python benchmarks/loop_timings.py [--threads N] [--data-dir DIR]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.domain.events import Finished, TokenDelta  # noqa: E402
from agents.llm.protocol import ChatMessage, GenerationParams  # noqa: E402
from agents.runtime import settings as settings_mod  # noqa: E402
from agents.runtime.cancel import NEVER  # noqa: E402
from agents.services import SAMPLE_MATTER, Countersign  # noqa: E402

PROMPT = [{"role": "user", "content": "Explain in five sentences what a limitation of liability clause does."}]


def drain(events):
    tokens, result = 0, None
    for e in events:
        if isinstance(e, TokenDelta):
            tokens += 1
        elif isinstance(e, Finished):
            result = e.result
    return tokens, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data-dir")
    args = ap.parse_args()
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="cs-bench-"))
    data.mkdir(parents=True, exist_ok=True)
    settings_mod.save(settings_mod.Settings(n_threads=args.threads), data / "settings.json")
    app = Countersign.open(str(data))
    out: dict = {"threads": args.threads}

    t = time.perf_counter()
    model = app.model()
    out["model_load_s"] = round(time.perf_counter() - t, 2)

    # Baseline: the same llama.cpp object called directly, no Countersign code in the loop.
    raw = model._llm
    t = time.perf_counter()
    n = sum(1 for _ in raw.create_chat_completion(messages=PROMPT, max_tokens=128, temperature=0, seed=1, stream=True))
    raw_s = time.perf_counter() - t
    t = time.perf_counter()
    m = sum(1 for _ in model.stream_chat([ChatMessage("user", PROMPT[0]["content"])], GenerationParams(128, 0.0, 1), NEVER))
    ours_s = time.perf_counter() - t
    out.update(raw_chunks=n, raw_s=round(raw_s, 2), countersign_chunks=m, countersign_s=round(ours_s, 2),
               overhead_pct=round(100 * (ours_s - raw_s) / raw_s, 1))

    t = time.perf_counter()
    drain(app.ensure_sample_matter())
    out["ingest_sample_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    _, answer = drain(app.ask(SAMPLE_MATTER, "What is the cap on each party's liability?"))
    out["ask_s"] = round(time.perf_counter() - t, 2)
    out["ask_citations"] = len(answer.citations)
    t = time.perf_counter()
    _, draft = drain(app.draft(SAMPLE_MATTER, "contract-review", "northwind_supply_agreement.pdf"))
    out["draft_s"] = round(time.perf_counter() - t, 2)
    out["draft_sections"] = len(draft.sections)
    out["draft_flags"] = draft.flag_count
    print(json.dumps(out))


if __name__ == "__main__":
    main()
