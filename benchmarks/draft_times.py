"""Draft time of each work product on its sample input with the default model (target < 3 min
each on 2 cores), and what each draft came to: sections, citations, flags by severity.

Each runs through Countersign.draft exactly as the CLI does, in its own matter of one data
directory; ingestion is timed apart from drafting. Prints one JSON object; with --out DIR each
draft is also exported there as Markdown, for a reader to judge.
Usage: python benchmarks/draft_times.py [--only ID ...] [--threads N] [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.domain.events import Finished  # noqa: E402
from agents.runtime import settings as settings_mod  # noqa: E402
from agents.runtime.resources import resource  # noqa: E402
from agents.services import Countersign  # noqa: E402

QUESTION = "How much of Osprey Analytics' 2025 meals and entertainment spending is deductible?"
# template -> (sample files, --document, other inputs)
RUNS = {
    "contract-review": (["matter/northwind_supply_agreement.pdf"], "northwind_supply_agreement.pdf", {}),
    "dd-clause-table": (["contracts", "matter/northwind_supply_agreement.pdf"], None, {}),
    "flux-workpaper": (["flux"], "trial_balance.xlsx", {"materiality": "50000"}),
    "tax-memo": (["tax"], None, {"question": QUESTION, "facts": "client_email_staff_events.md",
                                 "authorities": "irc_162_274_excerpts.md"}),
    "budget-variance": (["budget"], "budget_vs_actual.xlsx", {}),
    "credit-memo": (["credit"], "harbor_instruments_10k.pdf", {}),
}


def finish(events):
    return next(e for e in events if isinstance(e, Finished))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=list(RUNS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="cs-drafts-"))
    settings_mod.save(settings_mod.Settings(n_threads=args.threads), data / "settings.json")
    app = Countersign.open(str(data))
    app.model()  # loading the model is start-up, not drafting
    results = {}
    for template in args.only:
        files, document, inputs = RUNS[template]
        app.create_matter(template)
        started = time.perf_counter()
        finish(app.ingest(template, [resource("samples", *f.split("/")) for f in files]))
        ingest_s = time.perf_counter() - started
        started = time.perf_counter()
        draft = finish(app.draft(template, template, document, inputs=inputs)).result
        draft_s = time.perf_counter() - started
        severities = Counter(f.severity for s in draft.sections for f in s.flags)
        results[template] = {"draft_s": round(draft_s, 1), "ingest_s": round(ingest_s, 1),
                             "under_3_min": draft_s < 180, "sections": len(draft.sections),
                             "citations": sum(len(s.citations) for s in draft.sections),
                             "tables": sum(len(s.tables) for s in draft.sections), "flags": dict(severities)}
        if args.out:
            app.export(draft.id, "md", args.out / f"{template}.md")
        print(f"{template}: {results[template]}", file=sys.stderr)
    model = app.model()
    print(json.dumps({"model": model.model_id, "threads": args.threads, "drafts": results}))


if __name__ == "__main__":
    main()
