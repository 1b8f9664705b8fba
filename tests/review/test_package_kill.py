"""SIGKILL a process importing a review package, at random moments: on reopen the package is
either wholly taken in (matter, evidence, draft, audit entry, receipt) or not at all, and the
chain verifies; a package interrupted half-way imports cleanly afterwards."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from packagegen import seed_draft

from agents.review.audit_log import AuditLog
from agents.review.package_service import PackageService
from agents.runtime.database import connect

ROOT = Path(__file__).resolve().parents[2]

ITERATIONS = 12

IMPORTER = """
import sys
from pathlib import Path
from agents.review.package_service import PackageService
from agents.runtime.database import connect
service = PackageService(connect(Path(sys.argv[1]) / "countersign.sqlite3"), Path(sys.argv[1]) / "keys")
service.store
print("ready", flush=True)
service.import_(Path(sys.argv[2]))
print("done", flush=True)
"""


def _counts(data_dir: Path) -> tuple[int, ...]:
    db = connect(data_dir / "countersign.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert AuditLog(db).verify() is None
        PackageService(db, data_dir / "keys").store  # the receipts table, as a fresh directory has it
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("matters", "documents", "pages", "chunks", "chunks_fts", "drafts", "audit_log",
                               "packages_received"))
    finally:
        db.close()


def test_import_survives_sigkill_at_random_points(tmp_path):
    sender = tmp_path / "sender"
    draft_id = seed_draft(sender)
    pkg = tmp_path / "review.cspkg"
    db = connect(sender / "countersign.sqlite3")
    PackageService(db, sender / "keys").export(draft_id, pkg)
    db.close()
    rng = random.Random(6)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outcomes = set()
    for run in range(ITERATIONS):
        target = tmp_path / f"reviewer{run}"
        target.mkdir()
        proc = subprocess.Popen([sys.executable, "-c", IMPORTER, str(target), str(pkg)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        # Reading, checking and writing a small package takes a few milliseconds here.
        time.sleep(0 if run % 3 == 0 else rng.uniform(0, 0.03))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        counts = _counts(target)
        assert counts in ((0, 0, 0, 0, 0, 0, 0, 0), (1, 1, 3, 3, 3, 1, 1, 1)), counts
        outcomes.add(counts[-1])
        if not counts[-1]:  # interrupted before its commit: importing again succeeds whole
            db = connect(target / "countersign.sqlite3")
            PackageService(db, target / "keys").import_(pkg)
            db.close()
            assert _counts(target) == (1, 1, 3, 3, 3, 1, 1, 1)
    assert 0 in outcomes  # some kills landed before the import committed
