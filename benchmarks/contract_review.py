"""Legal work products on labelled contracts, against plain retrieve-and-ask with the same model.

CUAD (commercial playbook, through the `contract.clause_table` extractor): for each contract and
labelled category (governing law, anti-assignment, change of control, cap on liability,
termination for convenience, renewal term, non-compete) — is the clause code located on a page
the lawyers' excerpt starts on, does the located chunk hold the excerpt itself, is the quote
verbatim on the cited page, and (governing law) is the short answer the labelled jurisdiction.
Baseline: Countersign.ask with the topic's playbook question; its cited pages and answer.

ContractNLI (NDA playbook, through the `contract.clause` extractor): the position
(meets / deviates / missing) against each labelled hypothesis a topic maps to, per topic, with
the confusion matrix and the majority class; evidence-span recall = labelled evidence spans
overlapped by the located clause's chunk (character offsets: a .txt is one page whose text is
the document's). Baseline: Countersign.ask "Does the agreement say: <hypothesis>?" parsed as
yes / no / not mentioned, and the spans its cited passages overlap.

One matter per document, so ask searches only that document. Prints one JSON object.

Usage:
  COUNTERSIGN_MODELS_DIR=/tmp/cs-models .venv/bin/python benchmarks/contract_review.py \
      [--cuad DIR] [--contractnli DIR] [--limit N] [--nli-limit N] [--data DIR] [--skip cuad|nli]
      [--no-ask] [--ask-tokens 96] [--threads 1]
  .venv/bin/python benchmarks/contract_review.py --from-rows DATA_DIR   # figures of a run cut short
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.engine import registry
from agents.engine.steps import StepOutput
from agents.runtime import settings as settings_mod
from agents.services import Countersign
from agents.workproducts.playbooks import bundled_playbook
from agents.workproducts.verifier import quote_on
from benchmarks.contractnli_review import nli_summary, run_nli
from benchmarks.legal_harness import ask, cited_passages, context, ingest_one, run_step
from benchmarks.legal_scoring import (
    cuad_topic,
    governing_law_correct,
    ratio,
    shares_passage,
)

SHARED = REPO.parent / "shared" / "data"
EXAMPLES = 6


def run_cuad(app: Countersign, folder: Path, limit: int | None, no_ask: bool, log: Path | None = None) -> dict:
    contracts = [json.loads(x) for x in (folder / "contracts.jsonl").read_text().splitlines() if x.strip()]
    labels = [json.loads(x) for x in (folder / "labels.jsonl").read_text().splitlines() if x.strip()]
    wanted: dict[str, list[dict]] = {}
    for row in labels:
        if cuad_topic(row["category"]):
            wanted.setdefault(row["filename"], []).append(row)
    contracts = [c for c in contracts if c["filename"] in wanted][:limit]
    full = bundled_playbook("commercial")
    rows, misses, timing = [], [], {"ingest_s": 0.0, "product_s": 0.0, "ask_s": 0.0}
    for c in contracts:
        matter = f"cuad: {c['filename'][:80]}"
        t = time.perf_counter()
        doc = ingest_one(app, matter, folder / c["pdf"])
        timing["ingest_s"] += time.perf_counter() - t
        if doc is None:
            rows += [{"contract": c["filename"], "category": r["category"], "error": "not indexed"} for r in wanted[c["filename"]]]
            continue
        keys = {cuad_topic(r["category"]) for r in wanted[c["filename"]]}
        playbook = full.model_copy(update={"topics": [t for t in full.topics if t.key in keys]})
        t = time.perf_counter()
        out = run_step(registry.extractor("contract.clause_table")(
            context(app, matter, doc, playbook, "dd-clause-table", {})))
        timing["product_s"] += time.perf_counter() - t
        cells = dict(zip((tp.key for tp in playbook.topics), out.computed.tables[0].rows[0][1:]))
        for r in wanted[c["filename"]]:
            topic = next(tp for tp in playbook.topics if tp.key == cuad_topic(r["category"]))
            pages = {s["pdf_page"] for s in r["spans"] if s.get("pdf_page")}
            row = {"contract": c["filename"], "category": r["category"], "label_pages": sorted(pages),
                   "label_answer": r.get("answer", "")}
            row.update(_located(app, doc, cells[topic.key], out, r, pages))
            if not no_ask:
                t = time.perf_counter()
                question = topic.question or f"What does the agreement say about {topic.heading.lower()}?"
                answer = ask(app, matter, question)
                timing["ask_s"] += time.perf_counter() - t
                cited = [cit.page for cit in answer.citations] if answer else []
                row["ask"] = {"answer": answer.text if answer else "", "cited_pages": cited,
                              "on_label_page": bool(pages & set(cited)),
                              "holds_excerpt": any(shares_passage(s["text"], p.chunk.text)
                                                   for s in r["spans"] for p in cited_passages(answer))}
            if r["category"].lower() == "governing law":
                row["correct"] = row["found"] and governing_law_correct(row["answer"], r["answer"])
                if "ask" in row:
                    row["ask"]["correct"] = governing_law_correct(row["ask"]["answer"], r["answer"])
            rows.append(row)
            if log:  # every row as it is measured, so a long run that dies keeps its figures
                with log.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row, default=str) + "\n")
            print(f"cuad {c['filename'][:40]} {r['category']}: found {row['found']}, on page {row['on_label_page']}",
                  file=sys.stderr, flush=True)
            if (not row["found"] or not row["on_label_page"] or row.get("correct") is False) and len(misses) < EXAMPLES:
                misses.append({k: (v[:300] if isinstance(v, str) else v) for k, v in row.items()})
    return {"contracts": len(contracts), "labelled_clauses": len(rows), **cuad_summary(rows, no_ask),
            "timings_s": {k: round(v, 1) for k, v in timing.items()}, "misses": misses}


def _located(app: Countersign, doc, cell: str, out: StepOutput, label: dict, pages: set[int]) -> dict:
    if cell == "not found":
        return {"found": False, "on_label_page": False, "holds_excerpt": False, "quote_verbatim": None, "answer": ""}
    answer, _, marker = cell.rpartition(" [")
    n = int(marker.rstrip("]"))
    passage, quote = out.passages[n - 1], out.quotes[n]
    page_text = app.library.page_text(doc.id, passage.chunk.page)
    return {"found": True, "page": passage.chunk.page, "on_label_page": passage.chunk.page in pages,
            "holds_excerpt": any(shares_passage(s["text"], passage.chunk.text) for s in label["spans"]),
            "quote_verbatim": quote_on(quote, page_text), "quote": quote, "answer": answer}


def cuad_summary(rows: list[dict], no_ask: bool) -> dict:
    ok = [r for r in rows if "error" not in r]
    paged = [r for r in ok if r["label_pages"]]
    found = [r for r in ok if r["found"]]
    gl = [r for r in ok if r["category"].lower() == "governing law"]
    per: dict[str, dict] = {}
    for r in ok:
        d = per.setdefault(r["category"], {"n": 0, "found": 0, "on_label_page": 0, "holds_excerpt": 0})
        d["n"] += 1
        d["found"] += r["found"]
        d["on_label_page"] += r["on_label_page"]
        d["holds_excerpt"] += r["holds_excerpt"]
    out = {"not_indexed": len(rows) - len(ok), "labels_without_page": len(ok) - len(paged),
           "product": {"found": ratio(len(found), len(ok)),
                       "page_recall": ratio(sum(r["on_label_page"] for r in paged), len(paged)),
                       "excerpt_recall": ratio(sum(r["holds_excerpt"] for r in ok), len(ok)),
                       "quote_verbatim": ratio(sum(bool(r["quote_verbatim"]) for r in found), len(found)),
                       "governing_law_accuracy": ratio(sum(r["correct"] for r in gl), len(gl)),
                       "governing_law_n": len(gl)},
           "per_category": per}
    if not no_ask:
        out["ask"] = {"page_recall": ratio(sum(r["ask"]["on_label_page"] for r in paged), len(paged)),
                      "excerpt_recall": ratio(sum(r["ask"]["holds_excerpt"] for r in ok), len(ok)),
                      "governing_law_accuracy": ratio(sum(r["ask"]["correct"] for r in gl), len(gl))}
    return out


def from_rows(data: Path) -> dict:
    """The figures of the rows logged so far (rows-cuad.jsonl, rows-nli.jsonl), as a full run
    would report them, with how many rows there were."""
    out: dict = {"from_rows": str(data)}
    for name, file, summary in (("cuad", "rows-cuad.jsonl", lambda r: cuad_summary(r, not any("ask" in x for x in r))),
                                ("contractnli", "rows-nli.jsonl", lambda r: nli_summary(r, not all("ask" in x for x in r)))):
        path = data / file
        if path.is_file():
            rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
            docs = {r.get("contract") or r.get("document") for r in rows}
            out[name] = {"rows": len(rows), "documents": len(docs), **summary(rows)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cuad", default=str(SHARED / "cuad-dev"))
    ap.add_argument("--contractnli", default=str(SHARED / "contractnli-dev"))
    ap.add_argument("--limit", type=int, help="first N contracts (CUAD) and documents (ContractNLI)")
    ap.add_argument("--nli-limit", type=int, help="ContractNLI documents, if not --limit")
    ap.add_argument("--data", help="Countersign data directory to reuse ingestion (default: a new temp dir)")
    ap.add_argument("--skip", choices=("cuad", "nli"), help="run only the other dataset")
    ap.add_argument("--no-ask", action="store_true", help="skip the retrieve-and-ask baselines")
    ap.add_argument("--ask-tokens", type=int, default=96,
                    help="answer length of the ask baseline (the extractors set their own, 24 and 48)")
    ap.add_argument("--threads", type=int, help="model and embedder threads (default: the settings'); 1 when "
                    "other jobs share the cores, since oversubscribed llama.cpp threads spin")
    ap.add_argument("--from-rows", metavar="DIR",
                    help="only summarise the rows a run (perhaps cut short) logged in its data directory")
    args = ap.parse_args()
    if args.from_rows:
        print(json.dumps(from_rows(Path(args.from_rows)), indent=1, default=str))
        return

    data = Path(args.data or tempfile.mkdtemp(prefix="cs-legal-"))
    data.mkdir(parents=True, exist_ok=True)
    settings_path = data / "settings.json"  # a 63-page exhibit outlasts the default parse limit on 2 cores
    settings_mod.save(settings_mod.load(settings_path).model_copy(
        update={"parse_timeout_s": 900.0, "max_tokens": args.ask_tokens,
                **({"n_threads": args.threads} if args.threads else {})}), settings_path)
    for stale in ("rows-cuad.jsonl", "rows-nli.jsonl"):  # rows of this run only
        (data / stale).unlink(missing_ok=True)
    app = Countersign.open(str(data))
    started = time.perf_counter()
    result: dict = {"model": app.model().model_id, "embedder": app.settings.embedder, "data": str(data),
                    "ask_max_tokens": args.ask_tokens, "retrieval_k": app.settings.retrieval_k}
    if args.skip != "cuad":
        result["cuad"] = run_cuad(app, Path(args.cuad), args.limit, args.no_ask, data / "rows-cuad.jsonl")
    if args.skip != "nli":
        result["contractnli"] = run_nli(app, Path(args.contractnli), args.nli_limit or args.limit, args.no_ask,
                                        data / "rows-nli.jsonl")
    result["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
