"""Run by test_full_disk.py inside a private mount namespace whose data directory is a small
tmpfs: `fill DIR` sets up a matter and approved drafts, fills the disk, then tries to ingest and
to sign off; `resume DIR`, a new process on the still-full disk, checks the stores, frees the
space and finishes the work. Each phase prints one JSON line."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from agents.domain.drafts import Draft, Section
from agents.domain.events import FileIngested
from agents.domain.library import DocumentStatus
from agents.domain.review_rules import DraftStatus
from agents.runtime.disk import DiskFull
from agents.services import Countersign

DRAFTS = 3


def _fill(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass  # no room left: that is the point
    finally:
        os.close(fd)


def _attempt(call) -> str:
    try:
        call()
    except DiskFull as exc:
        return str(exc)
    return ""


def _sign(app: Countersign, n: int) -> None:
    app.sign_off(f"draft_{n}", "M. Vale", "partner", "approved")


def _state(app: Countersign) -> dict:
    """What a reopen finds: SQLite sound, the chain intact, every sign-off whole or absent,
    every recorded document with all of its chunks in both the table and the keyword index."""
    db = app._db
    signoffs = []
    for n in range(DRAFTS):
        d = app.review.drafts.get(f"draft_{n}")
        entries = [e for e in app.review.audit.entries(d.id) if e.action == "draft.signed_off"]
        signoffs.append([len(d.signoffs), d.status is DraftStatus.SIGNED_OFF, len(entries)])
    docs = [d for d in app.documents("Full") if d.status is DocumentStatus.INDEXED]
    chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    keyword = db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
    return {"integrity": db.execute("PRAGMA integrity_check").fetchone()[0], "audit_broken_at": app.verify_audit(),
            "signoffs": signoffs, "indexed": len(docs), "chunks": chunks, "keyword_rows": keyword,
            "docs_without_chunks": sum(1 for d in docs if not app.library.document_chunks(d.id))}


def fill(root: Path) -> dict:
    folder = root / "client"
    folder.mkdir()
    for i in range(6):
        (folder / f"memo_{i}.txt").write_text(f"Memo {i}: the accrual for account {4000 + i} is GBP {i * 1000}. " * 40)
    app = Countersign.open(str(root / "data"))
    app.create_matter("Full")
    list(app.ingest("Full", [folder / "memo_0.txt"]))
    app.review.add_profile("M. Vale", "MV", "partner")
    for n in range(DRAFTS):
        d = Draft(f"draft_{n}", app.library.matter("Full").id, "flux-workpaper", f"Flux {n}", DraftStatus.DRAFT, 1,
                  "2026-01-01T00:00:00Z", "A. Preparer", "qwen", "a" * 64, 1,
                  (Section("tb", "Tie-out", f"Trial balance ties to the ledger ({n}) [1]."),))
        app.review.create(d)
        app.review.approve_all(d.id, "R. Reviewer")
    # An empty WAL, so the next write needs new blocks (a WAL's old frames are reused in place).
    app._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _fill(root / "ballast")
    report = {"signoff_error": _attempt(lambda: _sign(app, 0))}
    # Room for a file or two, so the disk fills up part-way through the folder.
    room = 96 * 1024
    os.truncate(root / "ballast", os.path.getsize(root / "ballast") - room)
    seen: list[FileIngested] = []

    def ingest() -> None:
        seen.extend(e for e in app.ingest("Full", [folder]) if isinstance(e, FileIngested))

    report.update(ingest_error=_attempt(ingest), statuses_before_error=[e.status.value for e in seen])
    app.close()
    return report


def resume(root: Path) -> dict:
    app = Countersign.open(str(root / "data"))  # opens, and reads, on the still-full disk
    before = _state(app)
    os.remove(root / "ballast")
    files = [e for e in app.ingest("Full", [root / "client"]) if isinstance(e, FileIngested)]
    for n in range(DRAFTS):
        _sign(app, n)
    app.reconcile_vectors()
    report = {"before_freeing": before, "after": _state(app),
              "statuses": sorted(e.status.value for e in files),
              "vectors_match": app.vectors.ids() == app.library.all_chunk_ids()}
    app.close()
    return report


if __name__ == "__main__":
    phase, where = sys.argv[1], Path(sys.argv[2])
    print(json.dumps({"fill": fill, "resume": resume}[phase](where)), flush=True)
