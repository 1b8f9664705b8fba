"""Ask with numbers vs the model's own arithmetic, on the arithmetic questions of TAT-QA dev.

Each TAT-QA context (a table from an annual report and its paragraphs) becomes passages without
ingestion: the table as one passage in the spreadsheet layout ingestion gives a sheet
("Revenue | 2019: 1,577 | 2018: 1,000"), each paragraph as another. For every question whose
answer_type is "arithmetic", in the same run with the same model and the same passages:

- numbers: agents.engine.ask_numbers.answer_numbers, the function Ask calls when
  agents.workproducts.arithmetic.plan() detects an arithmetic question (the model only points at
  operands, code checks them and computes). Questions plan() does not detect count as wrong
  here; "product" scores what Ask would answer: numbers where detected, plain answer elsewhere.
- plain: the Ask system prompt and the question with "compute the answer", plain generation; the
  first number of the reply (years, dates and citation markers skipped; sign as written) is its
  answer.

TAT-QA gives arithmetic answers in the table's units (scale "thousand"/"million" is the unit the
table states, not a multiplier to apply) and percentages as percents (-22.22 for a fall of
22.22%). A number is correct when it is within 0.011 or 0.2% of the answer, sign included;
"magnitude" also accepts the opposite sign. Prints one JSON object.

Usage:
  COUNTERSIGN_MODELS_DIR=/tmp/cs-models .venv/bin/python benchmarks/table_arithmetic.py \
      [DATA_DIR] [--limit N] [--offset N]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.domain.library import Chunk, Passage
from agents.engine.ask_numbers import answer_numbers
from agents.engine.prompting import numbered, pack
from agents.llm.protocol import ChatMessage, ChatModel, GenerationParams
from agents.runtime.cancel import NEVER
from agents.runtime.resources import prompt
from agents.services import Countersign
from agents.workproducts.arithmetic import plan
from agents.workproducts.numbers import figures

PLAIN_SUFFIX = "\nCompute the answer from the passages and state the resulting number."
PLAIN_TOKENS = 160


def _numeric(cell: str) -> bool:
    figure = re.fullmatch(r"[\s$€£¥(−–-]*\d[\d,]*(?:\.\d+)?\s*%?\)?\s*", cell)
    return bool(figure) and not re.fullmatch(r"\s*(?:19|20)\d{2}\s*", cell)


def table_text(rows: list[list[str]]) -> str:
    """Header rows (no figures in the value columns) become column names; each later row a line."""
    rows = [[" ".join(str(c).split()) for c in r] for r in rows]
    width = max(len(r) for r in rows)
    header_rows = 0
    for r in rows:
        if any(_numeric(c) for c in r[1:]):
            break
        header_rows += 1
    # A header row that names only some columns ("Years Ended September 30,") spans them: a caption.
    spanning = [r for r in rows[:header_rows] if sum(1 for c in r[1:] if c) * 2 < width - 1]
    named = [r for r in rows[:header_rows] if r not in spanning]
    names = []
    for col in range(1, width):
        parts = [r[col] for r in named if col < len(r) and r[col]]
        names.append(" ".join(dict.fromkeys(parts)) or f"column {col}")
    lines = [" ".join(c for c in r if c) for r in spanning]
    for r in rows[header_rows:]:
        cells = [f"{names[i - 1]}: {c}" for i, c in enumerate(r[1:], 1) if c]
        lines.append(" | ".join([r[0] or "(row)", *cells]) if cells else r[0])
    return "\n".join(line for line in lines if line)


def passages_of(context: dict) -> list[Passage]:
    texts = [table_text(context["table"]["table"])]
    texts += [p["text"] for p in sorted(context["paragraphs"], key=lambda p: p["order"])]
    uid = context["table"]["uid"]
    out = []
    for i, text in enumerate(texts, 1):
        chunk = Chunk(f"{uid}-{i}", uid, "tatqa", 1, 0, len(text), text, len(text) // 4,
                      "table" if i == 1 else f"paragraph {i - 1}")
        out.append(Passage(chunk, f"tatqa-{uid[:8]}", uid, 1.0))
    return out


def first_number(text: str) -> Decimal | None:
    for f in figures(text):
        if f.kind in ("year", "date"):
            continue
        value = Decimal(f.digits)
        negative = f.raw.startswith("(") and f.raw.endswith(")") or bool(re.match(r"\(?[-−–]", f.raw))
        return -value if negative else value
    return None


def correct(pred: Decimal | None, gold: float, signed: bool = True) -> bool:
    if pred is None:
        return False
    g = Decimal(str(gold))
    p = pred if signed else (abs(pred) if g >= 0 else -abs(pred))
    return abs(p - g) <= max(Decimal("0.011"), abs(g) * Decimal("0.002"))


def plain_answer(question: str, passages: list[Passage], model: ChatModel, params: GenerationParams) -> str:
    template = prompt("ask_system")
    messages = [ChatMessage("system", template.format(passages=numbered(passages))),
                ChatMessage("user", question + PLAIN_SUFFIX)]
    return "".join(model.stream_chat(messages, GenerationParams(PLAIN_TOKENS, 0.0, params.seed), NEVER)).strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data" / "tatqa-dev"))
    ap.add_argument("--limit", type=int, default=40, help="number of arithmetic questions")
    ap.add_argument("--offset", type=int, default=0, help="skip the first N arithmetic questions")
    args = ap.parse_args()
    contexts = json.loads((Path(args.data) / "tatqa_dataset_dev.json").read_text(encoding="utf-8"))
    items = [(c, q) for c in contexts for q in c["questions"] if q["answer_type"] == "arithmetic"]
    items = items[args.offset:args.offset + args.limit]

    app = Countersign.open(tempfile.mkdtemp(prefix="cs-tatqa-"))
    model, params = app.model(), app.params()
    rows, t_numbers, t_plain = [], 0.0, 0.0
    for context, q in items:
        question = q["question"].strip()
        found = plan(question)
        passages = pack(passages_of(context), model, prompt("ask_system") + question, params.max_tokens)
        row = {"question": question, "gold": q["answer"], "scale": q["scale"], "derivation": q["derivation"],
               "operation": found.operation if found else None}
        if found:
            t = time.perf_counter()
            computed = answer_numbers(question, found, passages, model, params)
            t_numbers += time.perf_counter() - t
            row.update(numbers=str(computed.value) if computed.value is not None else None, numbers_text=computed.text,
                       rejected=len(computed.problems))
        t = time.perf_counter()
        reply = plain_answer(question, passages, model, params)
        t_plain += time.perf_counter() - t
        plain_value = first_number(reply)
        row.update(plain=str(plain_value) if plain_value is not None else None, plain_text=reply[:300])
        gold = q["answer"]
        nums = Decimal(row["numbers"]) if row.get("numbers") else None
        row["numbers_ok"] = correct(nums, gold)
        row["numbers_mag_ok"] = correct(nums, gold, signed=False)
        row["plain_ok"] = correct(plain_value, gold)
        row["plain_mag_ok"] = correct(plain_value, gold, signed=False)
        row["product_ok"] = row["numbers_ok"] if found else row["plain_ok"]
        rows.append(row)
        print(json.dumps({k: row[k] for k in ("question", "gold", "operation", "plain_ok", "numbers_ok")}),
              file=sys.stderr, flush=True)
    app.close()

    n = len(rows)
    detected = [r for r in rows if r["operation"]]
    def share(key: str, among: list[dict]) -> float:
        return round(sum(r[key] for r in among) / len(among), 3) if among else 0.0
    failures = [{k: r.get(k) for k in ("question", "gold", "derivation", "operation", "numbers_text", "plain_text")}
                for r in rows if r["operation"] and not r["numbers_ok"]][:8]
    print(json.dumps({
        "data": args.data, "model": model.model_id, "questions": n, "detected": len(detected),
        "accuracy": {"numbers": share("numbers_ok", rows), "plain": share("plain_ok", rows),
                     "product": share("product_ok", rows)},
        "accuracy_on_detected": {"numbers": share("numbers_ok", detected), "plain": share("plain_ok", detected)},
        "magnitude_accuracy": {"numbers": share("numbers_mag_ok", rows), "plain": share("plain_mag_ok", rows)},
        "numbers_not_computed": sum(1 for r in detected if r.get("numbers") is None),
        "numbers_rejections": sum(r.get("rejected", 0) for r in detected),
        "by_operation": {op: {"n": len(rs), "numbers": share("numbers_ok", rs), "plain": share("plain_ok", rs)}
                         for op in sorted({r["operation"] for r in detected})
                         for rs in [[r for r in detected if r["operation"] == op]]},
        "seconds": {"numbers": round(t_numbers, 1), "plain": round(t_plain, 1)},
        "numbers_failures": failures,
        "plain_failures_sample": [{k: r[k] for k in ("question", "gold", "plain_text")}
                                  for r in detected if not r["plain_ok"]][:4],
    }, indent=1))


if __name__ == "__main__":
    main()
