"""What SQLCipher costs, plaintext against encrypted, measured in one run on this machine.

Two figures each way: the whole loop through the facade (ingest a generated matter with the real
embedder, then hybrid searches), and the database alone (chunk rows with their FTS5 index written
in one transaction each, then keyword queries), where the cipher's share is not hidden behind
embedding time. Embedder warmed up first; plaintext and encrypted runs alternate.

Usage: python benchmarks/encryption.py [--docs 30] [--rows 20000] [--queries 200] [--rounds 2]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.runtime import database  # noqa: E402
from agents.services import Countersign  # noqa: E402

WORDS = ("escrow indemnity warranty completion consideration liability covenant termination assignment "
         "governing jurisdiction arbitration confidentiality disclosure schedule receivable payable accrual "
         "depreciation impairment goodwill revenue deferred provision contingent lease covenant").split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def _matter_files(folder: Path, docs: int, rng: random.Random) -> Path:
    folder.mkdir(parents=True)
    for n in range(docs):
        paras = [f"Clause {n}.{i}: " + _text(rng, 60) for i in range(12)]
        (folder / f"doc_{n:03}.txt").write_text("\n\n".join(paras), encoding="utf-8")
    return folder


def _plaintext(on: bool) -> None:
    if on:
        os.environ[database.PLAINTEXT_ENV] = "1"
    else:
        os.environ.pop(database.PLAINTEXT_ENV, None)


def loop(work: Path, folder: Path, encrypted: bool, queries: list[str]) -> dict:
    _plaintext(not encrypted)
    app = Countersign.open(str(work / "data"))
    try:
        assert app.database_key_status().encrypted is encrypted
        app.create_matter("Bench")
        started = time.perf_counter()
        list(app.ingest("Bench", [folder]))
        ingest = time.perf_counter() - started
        started = time.perf_counter()
        for q in queries:
            app.search("Bench", q, top_k=5)
        search = time.perf_counter() - started
    finally:
        app.close()
        _plaintext(False)
    return {"ingest_s": ingest, "search_ms_per_query": 1000 * search / len(queries)}


def database_only(path: Path, encrypted: bool, rows: int, queries: list[str], rng: random.Random) -> dict:
    _plaintext(not encrypted)
    db = database.connect(path)
    _plaintext(False)
    db.execute("CREATE VIRTUAL TABLE bench USING fts5(body)")
    texts = [_text(rng, 40) for _ in range(rows)]
    started = time.perf_counter()
    for start in range(0, rows, 500):  # ingest commits in batches like this
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO bench(body) VALUES (?)", [(t,) for t in texts[start:start + 500]])
        db.execute("COMMIT")
    write = time.perf_counter() - started
    started = time.perf_counter()
    for q in queries:
        db.execute("SELECT rowid FROM bench WHERE bench MATCH ? ORDER BY rank LIMIT 20", (q,))
    query = time.perf_counter() - started
    db.close()
    return {"write_s": write, "fts_ms_per_query": 1000 * query / len(queries), "file_mb": path.stat().st_size / 1e6}


def _summary(runs: list[dict]) -> dict:
    return {k: round(statistics.median(r[k] for r in runs), 4) for k in runs[0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=30)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="cs-encbench-"))
    os.environ.setdefault("COUNTERSIGN_KEY_DIR", str(work / "keys"))
    os.environ.setdefault("COUNTERSIGN_KEYRING", "off")
    folder = _matter_files(work / "matter", args.docs, rng)
    queries = [" ".join(rng.sample(WORDS, 2)) for _ in range(args.queries)]
    loop(work / "warm", _matter_files(work / "warm-matter", 2, rng), True, queries[:3])  # load the embedder once
    results: dict[str, dict[str, list]] = {"plaintext": {"loop": [], "db": []}, "encrypted": {"loop": [], "db": []}}
    for r in range(args.rounds):
        for name in (("plaintext", "encrypted") if r % 2 == 0 else ("encrypted", "plaintext")):
            enc = name == "encrypted"
            results[name]["loop"].append(loop(work / f"{name}-{r}", folder, enc, queries[:20]))
            results[name]["db"].append(database_only(work / f"{name}-{r}.sqlite3", enc, args.rows, queries, rng))
    out = {side: {"loop": _summary(v["loop"]), "database": _summary(v["db"])} for side, v in results.items()}
    p, e = out["plaintext"], out["encrypted"]
    out["encrypted_over_plaintext"] = {
        "ingest": round(e["loop"]["ingest_s"] / p["loop"]["ingest_s"], 3),
        "search": round(e["loop"]["search_ms_per_query"] / p["loop"]["search_ms_per_query"], 3),
        "db_write": round(e["database"]["write_s"] / p["database"]["write_s"], 3),
        "db_fts_query": round(e["database"]["fts_ms_per_query"] / p["database"]["fts_ms_per_query"], 3)}
    out["setup"] = {"docs": args.docs, "rows": args.rows, "queries": args.queries, "rounds": args.rounds,
                    "median_of_rounds": True, "cipher": "SQLCipher 4 defaults (AES-256-CBC, HMAC-SHA512, raw key)"}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
