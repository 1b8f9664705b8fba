"""A real kill -9 in the middle of ingestion, then a restart: stores agree and ingestion resumes."""
import os
import signal
import subprocess
import sys

import pytest

from agents.domain.events import FileIngested
from agents.domain.library import DocumentStatus
from agents.services import Countersign

pytestmark = pytest.mark.integration


def test_kill_during_ingest_then_restart_reconciles_and_resumes(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(12):
        (folder / f"memo_{i:02d}.txt").write_text(f"Memo {i}: the accrual for account {4000 + i} is GBP {i * 1000}.")
    data = tmp_path / "data"
    setup = Countersign.open(str(data))
    setup.create_matter("Crash")
    setup.close()  # the CLI below is another process: it may write only once this one lets go
    cmd = [sys.executable, "-m", "agents.cli.main", "--data-dir", str(data), "ingest", "Crash", str(folder)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # the CLI must flush by itself
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    seen = 0
    for line in proc.stdout:
        seen += line.startswith("indexed")
        if seen == 3:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    app = Countersign.open(str(data))
    committed = len(app.documents("Crash"))
    assert 3 <= committed < 12
    app.reconcile_vectors()
    assert app.vectors.ids() == app.library.all_chunk_ids()

    # A vector lost after its chunk committed is rebuilt from SQLite, the source of truth.
    lost = sorted(app.library.all_chunk_ids())[0]
    app.vectors.delete_ids([lost])
    assert app.reconcile_vectors() == (0, 1)
    assert lost in app.vectors.ids()

    resumed = [e for e in app.ingest("Crash", [folder]) if isinstance(e, FileIngested)]
    statuses = [e.status for e in resumed]
    assert statuses.count(DocumentStatus.UNCHANGED) == committed
    assert statuses.count(DocumentStatus.INDEXED) == 12 - committed
    assert len(app.documents("Crash")) == 12
    assert app.vectors.ids() == app.library.all_chunk_ids()
    app.close()
