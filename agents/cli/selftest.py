"""`countersign self-test` (and the frozen app's `--self-test`): the whole loop, headless, in a
temporary data directory — load the bundled model, ingest the sample matter, draft a contract
review, check its audit chain, export it and verify the exported file. It prints one JSON report
that firm IT can keep with the build, and exits 0 only if every step passed."""
from __future__ import annotations

import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from agents.domain.events import Finished

SAMPLE_CONTRACT = "northwind_supply_agreement.pdf"


def _finish(events) -> object:
    result = None
    for event in events:
        if isinstance(event, Finished):
            if event.cancelled:
                raise RuntimeError("cancelled")
            result = event.result
    return result


def _forget_key(root: Path) -> None:
    """The throwaway database's key, which lives outside its data directory and would outlive it."""
    from agents.runtime import db_key

    try:
        info = db_key.read_info(root / "countersign.sqlite3")
    except db_key.KeyUnavailable:
        return
    if info is not None:
        db_key.forget(info)


def run(keep: bool = False) -> dict:
    from agents.services import SAMPLE_MATTER, Countersign  # after the report header: import time counts too

    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="countersign-selftest-"))
    report: dict = {"frozen": bool(getattr(sys, "frozen", False)), "python": platform.python_version(),
                    "machine": platform.machine(), "data_dir": str(root), "steps": []}

    def step(name: str, fn):
        t = time.perf_counter()
        try:
            detail = fn()
            report["steps"].append({"step": name, "ok": True, "s": round(time.perf_counter() - t, 2), **(detail or {})})
            return True
        except Exception as exc:  # the report names the failing step; nothing is left half-reported
            report["steps"].append({"step": name, "ok": False, "s": round(time.perf_counter() - t, 2),
                                    "error": f"{type(exc).__name__}: {exc}"})
            return False

    app = None
    state: dict = {}
    try:
        def open_app():
            nonlocal app
            app = Countersign.open(str(root))
            return {"firm": app.firm.name or None}

        def load_model():
            model = app.model()
            return {"model": getattr(model, "model_id", ""), "sha256": getattr(model, "sha256", "")}

        def ingest():
            _finish(app.ensure_sample_matter())
            docs = app.documents(SAMPLE_MATTER)
            if not docs or any(d.status.value != "indexed" for d in docs):
                raise RuntimeError(f"sample matter not indexed: {[(d.filename, d.status.value) for d in docs]}")
            return {"documents": len(docs), "chunks": sum(len(app.library.document_chunks(d.id)) for d in docs)}

        def draft():
            d = _finish(app.draft(SAMPLE_MATTER, "contract-review", SAMPLE_CONTRACT))
            if d is None or not d.sections:
                raise RuntimeError("the agent produced no draft")
            state["draft"] = d
            citations = sum(len(s.citations) for s in d.sections)
            return {"draft_id": d.id, "sections": len(d.sections), "citations": citations, "flags": d.flag_count}

        def audit():
            broken = app.verify_audit()
            if broken is not None:
                raise RuntimeError(f"audit chain broken at entry {broken}")
            return {"entries": len(app.review.audit.entries())}

        def export():
            out = app.export(state["draft"].id, "pdf", root / "exports" / "self-test.pdf", actor="self-test")
            checked = app.verify_export(out)
            if not checked.ok:
                raise RuntimeError(checked.report())
            return {"file": out.name, "bytes": out.stat().st_size}

        for name, fn in (("open", open_app), ("load_model", load_model), ("ingest_sample", ingest),
                         ("draft_contract_review", draft), ("verify_audit", audit), ("export_and_verify", export)):
            if not step(name, fn):
                break
    finally:
        if app is not None:
            app.close()
        if not keep:
            _forget_key(root)
            shutil.rmtree(root, ignore_errors=True)
    report["ok"] = len(report["steps"]) == 6 and all(s["ok"] for s in report["steps"])
    report["total_s"] = round(time.perf_counter() - started, 2)
    return report


def main(keep: bool = False) -> int:
    report = run(keep)
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1
