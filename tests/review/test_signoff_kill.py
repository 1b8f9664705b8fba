"""SIGKILL a process in the middle of signing drafts off, many times at random moments: on every
reopen each sign-off is either wholly recorded (signature row, status, audit entry) or absent,
and the audit chain verifies."""
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from agents.domain.drafts import Draft, Section
from agents.domain.review_rules import DraftStatus
from agents.review.service import ReviewService
from agents.runtime.database import connect

ROOT = Path(__file__).resolve().parents[2]
ITERATIONS = 30
DRAFTS_PER_RUN = 12

# Signs the drafts named on the command line one after another, as `countersign review signoff` does.
SIGNER = """
import sys
from pathlib import Path
from agents.review.service import ReviewService
from agents.runtime.database import connect
service = ReviewService(connect(Path(sys.argv[1])))
print("ready", flush=True)
for draft_id in sys.argv[2:]:
    service.sign_off(draft_id, "M. Vale", "partner", "approved")
print("done", flush=True)
"""


def _approved_drafts(db_path: Path, run: int) -> list[str]:
    db = connect(db_path)
    service = ReviewService(db)
    if not db.execute("SELECT 1 FROM matters").fetchone():
        db.execute("INSERT INTO matters VALUES ('mat_1', 'Larkspur', '2026-01-01T00:00:00Z')")
        service.add_profile("M. Vale", "MV", "partner")  # the firm's rules attribute every signature
    ids = []
    for n in range(DRAFTS_PER_RUN):
        d = Draft(f"draft_{run}_{n}", "mat_1", "flux-workpaper", f"Flux {run}.{n}", DraftStatus.DRAFT, 1,
                  "2026-01-01T00:00:00Z", "A. Preparer", "qwen", "a" * 64, 1,
                  (Section("tb", "Tie-out", f"Trial balance ties to the ledger ({run}.{n}) [1]."),))
        service.create(d)
        service.approve_all(d.id, "R. Reviewer")
        ids.append(d.id)
    db.close()
    return ids


def _start(db_path: Path, ids: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SIGNER, str(db_path), *ids], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line == "ready\n", proc.stderr.read()
    return proc


def _signed_state(db_path: Path, ids: list[str]) -> list[bool]:
    """Per draft: signed or not, after checking the three records agree."""
    db = connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        service = ReviewService(db)
        assert service.audit.verify() is None
        state = []
        for draft_id in ids:
            draft = service.drafts.get(draft_id)
            entries = [e for e in service.audit.entries(draft_id) if e.action == "draft.signed_off"]
            parts = (len(draft.signoffs), draft.status is DraftStatus.SIGNED_OFF, len(entries))
            assert parts in ((0, False, 0), (1, True, 1)), f"{draft_id} half signed: {parts}"
            if draft.signoffs:
                assert draft.signoffs[0].content_sha256 == draft.content_sha256
                assert entries[0].detail.count(draft.content_sha256) == 1
            state.append(bool(draft.signoffs))
        return state
    finally:
        db.close()


def test_sign_off_survives_sigkill_at_random_points(tmp_path):
    db_path = tmp_path / "countersign.sqlite3"
    rng = random.Random(20260601)
    # One run to the end, to learn how long signing takes here, so kills land inside it.
    ids = _approved_drafts(db_path, 0)
    proc = _start(db_path, ids)
    started = time.monotonic()
    assert proc.stdout.readline() == "done\n", proc.stderr.read()
    window = time.monotonic() - started
    proc.wait()
    assert _signed_state(db_path, ids) == [True] * DRAFTS_PER_RUN

    interrupted = 0
    for run in range(1, ITERATIONS + 1):
        ids = _approved_drafts(db_path, run)
        proc = _start(db_path, ids)
        time.sleep(rng.uniform(0, window * 1.1))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        state = _signed_state(db_path, ids)
        # Signed in order, so what survived is always a prefix of the drafts.
        assert state == sorted(state, reverse=True), state
        interrupted += 0 < sum(state) < len(state)
    # The kills did land part-way through signing (else this test would prove nothing).
    assert interrupted > 0
