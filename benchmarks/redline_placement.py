"""Redline placement and export times on real contracts (CUAD PDFs): how many of the memo's
quoted clauses land in the contract as tracked changes, why the others do not, and how long
each export format takes.

Each contract is ingested through Countersign (real parser, chunker, embedder, index) and
reviewed with the contract-review template by the real engine, with one change: every clause
found is classified "deviates" by a scripted classifier instead of the model, so every quoted
clause with a playbook fallback is a revision to place (the hardest case for placement).
Prints one JSON object.
Usage: python benchmarks/redline_placement.py [--data ../shared/data/cuad-dev] [--limit N]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.domain.drafts import Draft  # noqa: E402
from agents.domain.events import Finished  # noqa: E402
from agents.domain.library import DocumentStatus  # noqa: E402
from agents.domain.review_rules import DraftStatus  # noqa: E402
from agents.engine.runner import run_template  # noqa: E402
from agents.engine.steps import ResolvedInputs  # noqa: E402
from agents.llm.protocol import GenerationParams  # noqa: E402
from agents.review.revisions import suggested_revisions  # noqa: E402
from agents.runtime.clock import new_id, utc_now  # noqa: E402
from agents.services import Countersign  # noqa: E402
from agents.workproducts.playbooks import bundled_playbook  # noqa: E402

MATTER = "CUAD"


class Deviates:
    """Classifies every clause as deviating and writes one fixed sentence of prose."""

    model_id, sha256, n_ctx = "scripted-deviates", "0" * 64, 4096

    def stream_chat(self, messages, params, cancel):
        yield json.dumps({"answer": "no"}) if params.json_schema else "The clause departs from the firm's standard."

    def count_tokens(self, text):
        return len(text.split())


def review(app: Countersign, doc) -> Draft:
    template = app.templates()["contract-review"]
    inputs = ResolvedInputs(documents={"contract": [doc]}, playbook=bundled_playbook())
    events = run_template(template, doc.matter_id, inputs, app.library, app.retriever, Deviates(), GenerationParams())
    result = next(e for e in events if isinstance(e, Finished)).result
    draft = Draft(new_id("draft"), doc.matter_id, template.id, f"{template.title} — {doc.filename}", DraftStatus.DRAFT, 1,
                  utc_now(), "benchmark", Deviates.model_id, Deviates.sha256, 0, result.sections,
                  provenance={"template": {"id": template.id, "version": template.version}})
    return app.review.create(draft)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "cuad-dev")
    ap.add_argument("--limit", type=int, default=10)
    args = ap.parse_args()
    pdfs = sorted((args.data / "pdfs").glob("*.pdf"))[: args.limit]
    out: dict = {"contracts": len(pdfs)}
    with tempfile.TemporaryDirectory() as tmp:
        app = Countersign.open(str(Path(tmp) / "data"))
        app.create_matter(MATTER)
        t = time.perf_counter()
        for _ in app.ingest(MATTER, pdfs):
            pass
        out["ingest_seconds"] = round(time.perf_counter() - t, 1)
        docs = [d for d in app.documents(MATTER) if d.status is DocumentStatus.INDEXED]
        out["indexed"] = len(docs)
        wanted = placed = 0
        reasons: Counter = Counter()
        seconds: dict[str, list[float]] = {"md": [], "docx": [], "pdf": [], "redline-docx": []}
        first_redline = None
        for doc in docs:
            memo = review(app, doc)
            wanted += len(suggested_revisions(memo))
            for fmt in ("md", "docx", "pdf"):
                t = time.perf_counter()
                app.export(memo.id, fmt, Path(tmp) / f"{memo.id}.{fmt}")
                seconds[fmt].append(time.perf_counter() - t)
            t = time.perf_counter()
            try:
                path, report = app.export_redline(memo.id, Path(tmp) / f"{memo.id}-redline.docx")
            except ValueError as exc:  # nothing to place in this contract
                reasons[str(exc).split(":")[0]] += 1
                continue
            seconds["redline-docx"].append(time.perf_counter() - t)
            first_redline = first_redline or path
            placed += len(report.placed)
            reasons.update(why for _, why in report.skipped)
        out.update({"revisions_wanted": wanted, "revisions_placed": placed,
                    "placed_share": round(placed / wanted, 3) if wanted else None,
                    "not_placed": dict(reasons),
                    "export_seconds": {f: {"mean": round(statistics.mean(v), 3), "max": round(max(v), 3)}
                                       for f, v in seconds.items() if v}})
        if first_redline and shutil.which("soffice"):
            t = time.perf_counter()
            subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/lo", "--headless", "--convert-to", "pdf",
                            "--outdir", tmp, str(first_redline)], check=True, capture_output=True, timeout=300)
            out["libreoffice_to_pdf_seconds"] = round(time.perf_counter() - t, 2)
        app.close()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
