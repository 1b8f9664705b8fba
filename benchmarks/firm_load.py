"""Firm mode under load: N simulated users, each its own process and data directory (its own
"machine"), signed in to one workspace on real servers on 127.0.0.1: PostgreSQL, `chroma run`
behind nginx's token check, and llama_cpp.server with the default model. Each user loops for
a bounded time over ingest (a new PDF), ask, draft (a contract review with the real model) and
review (approve a pending section on the revision just read, else comment), weighted 3:2:1:4.

Baseline in the same run: one user alone for --baseline-seconds, then all N together for
--seconds. Reports per operation: count, ok, conflicts (another reviewer's change won: the
designed outcome, not an error), errors, p50/p95 latency, and throughput; then a final
consistency check against what every user reported committed: no lost and no duplicated
documents, every reported review action in the audit log exactly as often as reported, the
keyword index and the vector server matching the chunks, and the audit chain intact.

Usage: python benchmarks/firm_load.py [--users 8] [--seconds 180] [--baseline-seconds 60] [--seed 7]
Needs PostgreSQL's initdb/pg_ctl and nginx (Debian packages); COUNTERSIGN_MODELS_DIR for the model.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

WEIGHTS = {"ingest": 3, "ask": 2, "draft": 1, "review": 4}
MATTER = "Load test matter"
SEED_CONTRACT = ("MASTER SERVICES AGREEMENT between Alder Analytics Ltd (Provider) and Birch Foods plc (Client).\n"
                 "2.1 This Agreement continues for an initial term of two years.\n"
                 "4.1 Provider's total liability shall not exceed the fees paid in the previous twelve months.\n"
                 "6.1 Neither party may assign this Agreement without the prior written consent of the other party.\n"
                 "7.1 This Agreement is governed by the laws of Scotland.\n")


def account(n: int) -> str:
    return f"User {n:02d}"


def password(n: int) -> str:
    return f"load-test password for user {n:02d}"


def _ingest(app, n: int, k: int, rng, share: Path, done: dict) -> str:
    from agents.domain.events import FileIngested
    from agents.domain.library import DocumentStatus
    from pdfgen import write_pdf

    path = write_pdf(share / f"user{n:02d}_{k:04d}.pdf", [f"Engagement note {n}-{k}: reference LOAD{n:02d}X{k:04d}. "
                                                          f"The fee is GBP {1000 + 37 * k:,} payable in 30 days."])
    events = [e for e in app.ingest(MATTER, [path]) if isinstance(e, FileIngested)]
    if not events or events[0].status is not DocumentStatus.INDEXED:
        raise RuntimeError(f"not indexed: {events[0].reason if events else 'no outcome'}")
    done["documents"].append(str(path))
    return "ok"


def _ask(app, n: int, k: int, rng, share: Path, done: dict) -> str:
    from agents.domain.events import Finished

    question = rng.choice(["What law governs the agreement?", "What is the cap on the provider's liability?",
                           "What fee is payable under the engagement note?"])
    finished = [e for e in app.ask(MATTER, question) if isinstance(e, Finished)]
    if not finished or not finished[0].result.text.strip():
        raise RuntimeError("no answer")
    return "ok"


def _draft(app, n: int, k: int, rng, share: Path, done: dict) -> str:
    from agents.domain.events import Finished

    finished = [e for e in app.draft(MATTER, "contract-review", "seed_contract.pdf", preparer=account(n))
                if isinstance(e, Finished)]
    if not finished or finished[-1].result is None:
        raise RuntimeError("no draft")
    done["drafts"].append(finished[-1].result.id)
    return "ok"


def _review(app, n: int, k: int, rng, share: Path, done: dict) -> str:
    from agents.domain.section_review import SectionStatus

    drafts = app.drafts(MATTER)
    if not drafts:
        raise RuntimeError("no draft to review")
    draft = rng.choice(drafts)
    shown = app.view_draft(draft.id, account(n))
    pending = [s.section.key for s in shown.sections if s.status is SectionStatus.PENDING]
    if pending and draft.status.value in ("draft", "in_review"):
        app.approve_section(draft.id, rng.choice(pending), account(n), seen=shown.revision)
        done["actions"]["section.approved"] += 1
    else:
        app.comment(draft.id, shown.sections[0].section.key, account(n), f"checked by {account(n)} ({k})")
        done["actions"]["section.commented"] += 1
    return "ok"


RUN = {"ingest": _ingest, "ask": _ask, "draft": _draft, "review": _review}


def user_main(job: dict) -> dict:
    """One simulated user, in its own process: its own data directory, its own connections."""
    os.environ.update(job["env"])
    from agents.services import Countersign, ReviewConflict

    rng = random.Random(job["seed"])
    app = Countersign.open(job["data_dir"], user=account(job["n"]), password=password(job["n"]))
    done = {"documents": [], "drafts": [], "actions": Counter()}
    ops = []
    deadline, k = time.monotonic() + job["seconds"], 0
    try:
        while time.monotonic() < deadline:
            op = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            k += 1
            started, detail = time.perf_counter(), ""
            try:
                outcome = RUN[op](app, job["n"], k, rng, Path(job["share"]), done)
            except ReviewConflict:
                outcome = "conflict"
            except Exception as exc:  # noqa: BLE001 - an error is a figure of the benchmark
                outcome, detail = "error", f"{type(exc).__name__}: {exc}"[:240]
            ops.append((op, round(time.perf_counter() - started, 3), outcome, detail))
    finally:
        app.close()
    return {"user": job["n"], "ops": ops, "done": {**done, "actions": dict(done["actions"])}}


def summarise(results: list[dict], seconds: float) -> dict:
    by_op: dict[str, list[tuple]] = {op: [] for op in WEIGHTS}
    for r in results:
        for op, took, outcome, _detail in r["ops"]:
            by_op[op].append((took, outcome))
    out = {}
    for op, rows in by_op.items():
        ok = sorted(t for t, o in rows if o == "ok")
        out[op] = {"count": len(rows), "ok": len(ok), "conflicts": sum(o == "conflict" for _, o in rows),
                   "errors": sum(o == "error" for _, o in rows),
                   "p50_s": round(statistics.median(ok), 3) if ok else None,
                   "p95_s": round(ok[min(len(ok) - 1, int(0.95 * len(ok)))], 3) if ok else None,
                   "ok_per_min": round(60 * len(ok) / seconds, 1)}
    errors = [f"{op}: {d}" for r in results for op, _, o, d in r["ops"] if o == "error"]
    return {"operations": out, "ok_per_min": round(60 * sum(v["ok"] for v in out.values()) / seconds, 1),
            "errors": len(errors), "first_errors": errors[:8]}


def consistency(app, results: list[dict], seeded_drafts: int) -> dict:
    """What every user reported committed, against the workspace and the vector server."""
    db = app._db
    matter = app.library.matter(MATTER)
    reported_docs = [d for r in results for d in r["done"]["documents"]]
    stored = Counter(r[0] for r in db.execute("SELECT path FROM documents WHERE matter_id = ?", (matter.id,)))
    reported_drafts = {d for r in results for d in r["done"]["drafts"]}
    drafts = {d.id for d in app.drafts(MATTER)}
    entries = app.review.audit.entries()
    logged = Counter((e.actor, e.action) for e in entries)
    reported_actions = Counter()  # one account is a user in the baseline and again under load
    for r in results:
        for a, n in r["done"]["actions"].items():
            reported_actions[(account(r["user"]), a)] += n
    missing_actions = {f"{who} {a}": (n, logged[(who, a)]) for (who, a), n in reported_actions.items()
                       if logged[(who, a)] != n}
    chunk_ids = {r[0] for r in db.execute("SELECT id FROM chunks WHERE matter_id = ?", (matter.id,))}
    fts = db.execute("SELECT count(*), count(DISTINCT chunk_id) FROM chunks_fts WHERE matter_id = ?", (matter.id,))[0]
    vectors = app.vectors.ids(matter.id)
    return {
        "documents_reported": len(reported_docs),
        "documents_lost": sum(1 for d in reported_docs if stored[d] == 0),
        "documents_duplicated": sum(1 for n in stored.values() if n > 1),
        "drafts_reported": len(reported_drafts), "drafts_lost": len(reported_drafts - drafts),
        "drafts_in_matter": len(drafts), "drafts_seeded": seeded_drafts,
        "review_actions_reported": sum(n for r in results for n in r["done"]["actions"].values()),
        "review_actions_not_logged_as_reported": missing_actions,
        "chunks": len(chunk_ids), "keyword_rows": fts[0], "keyword_rows_duplicated": fts[0] - fts[1],
        "keyword_index_matches_chunks": fts[1] == len(chunk_ids),
        "vectors_match_chunks": vectors == chunk_ids, "vectors_missing": len(chunk_ids - vectors),
        "audit_entries": len(entries), "audit_chain_intact": app.review.audit.verify() is None,
        "audit_seq_contiguous": [e.seq for e in entries] == list(range(1, len(entries) + 1)),
    }


def run_phase(users: int, seconds: float, base: dict, seed: int, label: str) -> tuple[list[dict], float]:
    jobs = [{**base, "n": n, "seed": seed * 1000 + n, "seconds": seconds,
             "data_dir": str(Path(base["root"]) / f"{label}-machine-{n:02d}")} for n in range(users)]
    started = time.perf_counter()
    # Not multiprocessing.Pool: its workers are daemons, and a daemon may not start the parse
    # worker every ingestion runs in.
    with ProcessPoolExecutor(users, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(user_main, jobs))
    return results, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--baseline-seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    from dataclasses import replace

    from agents.llm import registry
    from agents.review.accounts import AccountStore
    from agents.runtime import settings as settings_mod
    from agents.runtime.pg_database import PASSWORD_ENV, connect_workspace
    from agents.runtime.paths import resolve_data_dir
    from agents.services import Countersign
    from agents.services.countersign import VECTOR_TOKEN_ENV
    from firm_servers import TOKEN, ModelServer, VectorServer
    from pdfgen import write_pdf
    from pg_server import PASSWORD, PgServer
    from workflow_drafts import memo

    root = Path(tempfile.mkdtemp(prefix="cs-firm-load-"))
    share = root / "share"
    share.mkdir()
    pg = PgServer().start()
    vectors = VectorServer()
    model = ModelServer(registry.resolve("", resolve_data_dir(None).models).path)
    try:
        url = pg.new_database()
        db = connect_workspace(url)
        for n in range(args.users):
            AccountStore(db).add(account(n), password(n), n == 0, by="firm_load set-up")
        server_version = db.server_version()
        db.close()
        env = {PASSWORD_ENV: PASSWORD, VECTOR_TOKEN_ENV: TOKEN, "COUNTERSIGN_MODELS_DIR": os.environ.get(
            "COUNTERSIGN_MODELS_DIR", str(resolve_data_dir(None).models))}
        os.environ.update(env)
        settings = settings_mod.Settings(workspace_url=url.replace(f":{PASSWORD}@", "@"), vector_server_url=vectors.url,
                                         model_server_url=model.url, max_tokens=48, n_threads=1)
        for label in ("baseline", "load"):
            for n in range(args.users):
                folder = root / f"{label}-machine-{n:02d}"
                folder.mkdir()
                settings_mod.save(settings, folder / "settings.json")
        setup = root / "setup-machine"
        setup.mkdir()
        settings_mod.save(settings, setup / "settings.json")
        app = Countersign.open(str(setup), user=account(0), password=password(0))
        matter = app.create_matter(MATTER)
        for n in range(1, args.users):
            app.grant_access(MATTER, account(n))
        list(app.ingest(MATTER, [write_pdf(share / "seed_contract.pdf", [SEED_CONTRACT])]))
        seeded = 4  # drafts to review from the first second; the draft operation adds real ones
        for i in range(seeded):
            app.review.create(replace(memo(f"draft_seed_{i}", preparer=account(0)), matter_id=matter.id))
        app.close()

        base = {"env": env, "share": str(share), "root": str(root)}
        baseline, baseline_s = run_phase(1, args.baseline_seconds, base, args.seed, "baseline")
        loaded, loaded_s = run_phase(args.users, args.seconds, base, args.seed + 1, "load")
        check = Countersign.open(str(setup), user=account(0), password=password(0))
        try:
            report = {
                "benchmark": "firm_load", "users": args.users, "seconds": args.seconds,
                "servers": {"workspace": f"PostgreSQL {server_version}", "vectors": "chroma run behind nginx",
                            "inference": f"llama_cpp.server ({model.url})"},
                "baseline_one_user": {**summarise(baseline, baseline_s), "seconds": round(baseline_s, 1)},
                "loaded": {**summarise(loaded, loaded_s), "seconds": round(loaded_s, 1)},
                "consistency": consistency(check, baseline + loaded, seeded),
            }
        finally:
            check.close()
        for op in WEIGHTS:
            one, many = report["baseline_one_user"]["operations"][op], report["loaded"]["operations"][op]
            if one["p95_s"] and many["p95_s"]:
                many["p95_vs_one_user"] = round(many["p95_s"] / one["p95_s"], 2)
        print(json.dumps(report))
    finally:
        model.stop()
        vectors.stop()
        pg.stop()


if __name__ == "__main__":
    main()
