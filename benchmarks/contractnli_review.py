"""ContractNLI half of benchmarks/contract_review.py: the NDA playbook's positions against the
labelled hypotheses its topics map to, evidence-span recall, and a plain-ask baseline."""
from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path

from agents.engine import registry
from agents.services import Countersign
from agents.workproducts.playbooks import bundled_playbook
from benchmarks.legal_harness import ask, cited_passages, context, ingest_one, run_step
from benchmarks.legal_scoring import (
    accuracy,
    confusion,
    gold_position,
    majority_accuracy,
    overlaps,
    parse_yes_no,
    ratio,
)

EXAMPLES = 6


def question(hypothesis: str) -> str:
    return f"Does the agreement say that {hypothesis[0].lower()}{hypothesis[1:].rstrip('.')}? " \
           "Answer yes, no, or not mentioned."


def offsets_match(app: Countersign, doc_id: str, text: str) -> tuple[int, int]:
    """(chunks whose page-1 span is the same text at the same offsets of the document, chunks)."""
    chunks = app.library.document_chunks(doc_id)
    return sum(c.page == 1 and text[c.char_start:c.char_end] == c.text for c in chunks), len(chunks)


def run_nli(app: Countersign, folder: Path, limit: int | None, no_ask: bool, log: Path | None = None) -> dict:
    raw = json.loads((folder / "dev.json").read_text(encoding="utf-8"))
    hypotheses = raw["labels"]
    playbook = bundled_playbook("nda")
    topics = [t for t in playbook.topics if t.maps_to]
    work = Path(tempfile.mkdtemp(prefix="cs-nli-"))
    rows, misses = [], []
    timing = {"ingest_s": 0.0, "product_s": 0.0, "ask_s": 0.0}
    same = chunk_count = 0
    for d in raw["documents"][:limit]:
        path = work / (re.sub(r"[^\w.-]+", "_", Path(d["file_name"]).stem) + ".txt")
        path.write_bytes(d["text"].encode("utf-8"))  # bytes: no newline translation, offsets hold
        matter = f"nli: {d['id']} {d['file_name'][:60]}"
        t = time.perf_counter()
        doc = ingest_one(app, matter, path)
        timing["ingest_s"] += time.perf_counter() - t
        if doc is None:
            continue
        n_same, n = offsets_match(app, doc.id, d["text"])
        same, chunk_count = same + n_same, chunk_count + n
        annotations = d["annotation_sets"][0]["annotations"]
        for topic in topics:
            label = annotations.get(topic.maps_to)
            if label is None:
                continue
            spans = [tuple(d["spans"][i]) for i in label["spans"]]
            item = {"topic_key": topic.key, "topic": topic.heading, "standard": topic.standard, "fallback": topic.fallback}
            t = time.perf_counter()
            out = run_step(registry.extractor("contract.clause")(context(app, matter, doc, playbook, "contract-review", item)))
            timing["product_s"] += time.perf_counter() - t
            chunk = out.passages[0].chunk if out.passages else None
            row = {"document": d["file_name"], "topic": topic.key, "hypothesis": topic.maps_to, "label": label["choice"],
                   "gold": gold_position(label["choice"], topic.negated), "position": out.vars.get("position", ""),
                   "spans": len(spans),
                   "spans_hit": sum(overlaps(s, chunk.char_start, chunk.char_end) for s in spans) if chunk else 0,
                   "clause": out.vars.get("clause", "")[:300]}
            if not no_ask:
                t = time.perf_counter()
                answer = ask(app, matter, question(hypotheses[topic.maps_to]["hypothesis"]))
                timing["ask_s"] += time.perf_counter() - t
                choice = parse_yes_no(answer.text if answer else "")
                cited = cited_passages(answer)
                row["ask"] = {"answer": (answer.text if answer else "")[:300],
                              "position": gold_position(choice, topic.negated) if choice else "unparsed",
                              "spans_hit": sum(any(overlaps(s, p.chunk.char_start, p.chunk.char_end) for p in cited)
                                               for s in spans)}
            rows.append(row)
            if log:  # every row as it is measured, so a long run that dies keeps its figures
                with log.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row) + "\n")
            print(f"nli {d['id']} {topic.key}: gold {row['gold']}, product {row['position']}, "
                  f"ask {row.get('ask', {}).get('position', '-')}", file=sys.stderr, flush=True)
            if row["position"] != row["gold"] and len(misses) < EXAMPLES:
                misses.append(row)
    return {"documents": min(limit or len(raw["documents"]), len(raw["documents"])), "items": len(rows),
            "chunk_offsets_verified": f"{same}/{chunk_count}", **nli_summary(rows, no_ask),
            "timings_s": {k: round(v, 1) for k, v in timing.items()}, "misses": misses}


def nli_summary(rows: list[dict], no_ask: bool) -> dict:
    product = [(r["gold"], r["position"]) for r in rows]
    label, majority = majority_accuracy([r["gold"] for r in rows])
    with_spans = [r for r in rows if r["spans"]]
    spans = sum(r["spans"] for r in with_spans)
    per: dict[str, dict] = {}
    for r in rows:
        per.setdefault(r["topic"], []).append(r)
    out = {"product": {"accuracy": accuracy(product), "confusion_gold_to_predicted": confusion(product),
                       "evidence_span_recall": ratio(sum(r["spans_hit"] for r in with_spans), spans)},
           "majority_class": {"label": label, "accuracy": majority},
           "evidence_spans": spans,
           "per_topic": {k: {"n": len(v), "product": accuracy([(r["gold"], r["position"]) for r in v]),
                             "majority": majority_accuracy([r["gold"] for r in v])[1],
                             **({"ask": accuracy([(r["gold"], r["ask"]["position"]) for r in v])} if not no_ask else {})}
                         for k, v in per.items()}}
    if not no_ask:
        asked = [(r["gold"], r["ask"]["position"]) for r in rows]
        out["ask"] = {"accuracy": accuracy(asked), "confusion_gold_to_predicted": confusion(asked),
                      "unparsed": sum(p == "unparsed" for _, p in asked),
                      "evidence_span_recall": ratio(sum(r["ask"]["spans_hit"] for r in with_spans), spans)}
    return out
