"""What must hold when a data directory is reopened after its writer was SIGKILLed, whatever the
moment: SQLite sound, the audit chain intact up to the last entry the writer reported, the keyword
index and the vector store agreeing with the chunks (the vectors once reconciled, as every
opening's first ingest does), and nothing duplicated. Phase-specific checks (nothing the child
reported committed is lost) live with each phase's set-up in kill_setup.py."""
from __future__ import annotations

import io
import json
from collections import Counter
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Iterator

from agents.runtime.database import raw_connection
from agents.services import Countersign


def sqlite_problems(db_path: Path) -> list[str]:
    """Opened the way any reader would (recovering the WAL the killed writer left)."""
    db = raw_connection(db_path)  # keyed: the database is encrypted at rest
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        dangling = db.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        db.close()
    out = [] if integrity == "ok" else [f"integrity: {integrity[:200]}"]
    return out + ([f"foreign keys: {len(dangling)} rows point nowhere, e.g. {dangling[0]}"] if dangling else [])


def verify_problems(data: Path, head: str = "") -> list[str]:
    """`countersign verify --json`, the command a firm runs (its entry point called here rather
    than in a new interpreter: a hundred runs per phase), given the last head the writer reported:
    the chain must verify and still contain that entry (nothing committed was cut off)."""
    from agents.cli.main import main

    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--data-dir", str(data), "verify", "--json"] + (["--head", head] if head else []))
    try:
        report = json.loads(out.getvalue())
    except json.JSONDecodeError:
        return [f"audit: verify printed no report (exit {code}): {out.getvalue()[-300:]}"]
    return [] if code == 0 and report["ok"] else [f"audit: verify failed: {report}"]


def _forget_vector_store(app: Countersign) -> None:
    """chromadb keeps one client per path for the life of the process; the next reopen must read
    what the next child wrote, not this process's memory of the store."""
    client = app.vectors._client
    if client is not None:
        from chromadb.api.shared_system_client import SharedSystemClient

        client._system.stop()
        SharedSystemClient.clear_system_cache()


@contextmanager
def reopened(data: Path) -> Iterator[Countersign]:
    """The writer's reopen: it takes the write lock, so a stale lock left by the kill fails here."""
    app = Countersign.open(str(data))
    try:
        yield app
    finally:
        _forget_vector_store(app)
        app.close()


def store_problems(app: Countersign) -> tuple[list[str], dict]:
    """Keyword index and vectors against the chunks, per matter; duplicates; the audit chain."""
    db, problems = app._db, []
    chunks = Counter(tuple(r) for r in db.execute("SELECT id, matter_id FROM chunks"))
    keyword = Counter(tuple(r) for r in db.execute("SELECT chunk_id, matter_id FROM chunks_fts"))
    if keyword != chunks:
        problems.append(f"keyword index: {sum((keyword - chunks).values())} rows without a chunk, "
                        f"{sum((chunks - keyword).values())} chunks without a row")
    if dup := [k for k, n in keyword.items() if n > 1]:
        problems.append(f"duplicates: {len(dup)} chunks indexed twice, e.g. {dup[0]}")
    for sql, what in (("SELECT matter_id, path FROM documents GROUP BY 1, 2 HAVING count(*) > 1", "documents for one path"),
                      ("SELECT document_id, page, char_start FROM chunks GROUP BY 1, 2, 3 HAVING count(*) > 1",
                       "chunks at one place")):
        if rows := db.execute(sql).fetchall():
            problems.append(f"duplicates: {len(rows)} x {what}, e.g. {tuple(rows[0])}")
    empty = db.execute("SELECT count(*) FROM documents d WHERE status = 'indexed' AND NOT EXISTS "
                       "(SELECT 1 FROM chunks c WHERE c.document_id = d.id)").fetchone()[0]
    if empty:
        problems.append(f"lost chunks: {empty} indexed documents have none")
    figures = {"missing_vectors": 0, "orphan_vectors": 0}
    for matter_id, ids in app.index.chunk_ids_by_matter().items():
        have = app.vectors.ids(matter_id, app.index.active(matter_id))
        figures["missing_vectors"] += len(ids - have)
        figures["orphan_vectors"] += len(have - ids)
    figures["removed"], figures["restored"] = app.reconcile_vectors()  # what every opening's first ingest does
    for m in app.library.matters():
        ids, have = app.index.chunk_ids(m.id), app.vectors.ids(m.id, app.index.active(m.id))
        if ids != have:
            problems.append(f"vectors: after reconciling, matter {m.id} has {len(ids - have)} chunks without a "
                            f"vector and {len(have - ids)} vectors without a chunk")
    if app.vectors.ids() != app.library.all_chunk_ids():
        problems.append("vectors: a vector outside its matter's active collection")
    if (broken := app.verify_audit()) is not None:
        problems.append(f"audit: chain broken at entry {broken}")
    return problems, figures


class Tally:
    """One phase's figures over its runs."""

    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.runs = self.killed = self.finished_first = self.mid_work = self.commits = 0
        self.stray_workers = 0
        self.vectors = Counter()
        self.problems: Counter = Counter()
        self.examples: list[str] = []

    def add(self, outcome: dict, problems: list[str], figures: dict | None = None) -> None:
        self.runs += 1
        self.killed += outcome["code"] == -9
        self.finished_first += outcome["meant_kill"] and outcome["done"]
        self.mid_work += outcome["code"] == -9 and bool(outcome["committed"])
        self.commits += len(outcome["committed"])
        self.stray_workers += outcome["stray_workers"]
        self.vectors.update(figures or {})
        if outcome["stderr"]:
            problems = [*problems, f"child failed (exit {outcome['code']}): {outcome['stderr'][-300:]}"]
        if outcome["stray_workers"]:
            problems = [*problems, f"stray workers: {outcome['stray_workers']} still running after the kill"]
        for p in problems:
            self.problems[p.split(":")[0]] += 1
            if len(self.examples) < 10:
                self.examples.append(f"run {self.runs}: {p}")

    def report(self) -> dict:
        return {"phase": self.phase, "runs": self.runs, "sigkills": self.killed,
                "killed_after_a_commit": self.mid_work, "finished_before_the_kill": self.finished_first,
                "commits_reported": self.commits, "stray_workers": self.stray_workers,
                "vectors_before_reconcile": dict(self.vectors),
                "problems": sum(self.problems.values()), "problems_by_kind": dict(self.problems),
                "problem_examples": self.examples}
