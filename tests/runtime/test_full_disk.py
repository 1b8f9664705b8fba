"""A disk that fills up during ingestion and sign-off, on a real (small) filesystem: a clear
error naming the disk, nothing corrupted or half-signed, and the work resumes once space is
freed. The data directory is a 48 MB tmpfs mounted in a private user and mount namespace
(`unshare -rm`), so nothing outside this test sees it and no root is needed where unprivileged
namespaces are allowed; elsewhere the test is skipped, saying why."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("full_disk_driver.py")


def _namespaces_work(where: Path) -> str:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return "needs Linux and unshare(1)"
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs '{where}'"],
                           capture_output=True, text=True)
    return "" if probe.returncode == 0 else f"cannot mount a tmpfs in a user namespace: {probe.stderr.strip()}"


def test_disk_full_during_ingest_and_sign_off_then_resume(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if why := _namespaces_work(mnt):
        pytest.skip(why)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    py = sys.executable
    # Both phases inside one namespace: the tmpfs lives as long as this shell does.
    script = (f"mount -t tmpfs -o size=48m tmpfs '{mnt}' && '{py}' '{DRIVER}' fill '{mnt}' "
              f"&& '{py}' '{DRIVER}' resume '{mnt}'")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    fill, resume = (json.loads(line) for line in done.stdout.splitlines()[-2:])

    for error, unsaved in ((fill["ingest_error"], "the file being indexed"), (fill["signoff_error"], "the sign-off")):
        assert error.startswith(f"the disk holding {mnt}/data is full (tmpfs mounted at {mnt}, "), error
        assert f"{unsaved} was not saved" in error and "Free some space" in error
    assert "Traceback" not in done.stderr

    before = resume["before_freeing"]
    assert before["integrity"] == "ok" and before["audit_broken_at"] is None
    assert before["signoffs"] == [[0, False, 0]] * 3  # the refused sign-off left no trace at all
    assert before["docs_without_chunks"] == 0 and before["chunks"] == before["keyword_rows"]
    assert before["indexed"] == 1 + fill["statuses_before_error"].count("indexed")

    after = resume["after"]
    assert after["integrity"] == "ok" and after["audit_broken_at"] is None
    assert after["signoffs"] == [[1, True, 1]] * 3
    assert after["indexed"] == 6 and after["docs_without_chunks"] == 0
    assert after["chunks"] == after["keyword_rows"]
    assert resume["statuses"].count("indexed") == 6 - before["indexed"]
    assert resume["vectors_match"]


def test_every_dialect_of_a_full_disk_is_recognised_and_nothing_else(tmp_path):
    import errno
    import sqlite3

    from agents.runtime.disk import DiskFull, is_disk_full

    db = sqlite3.connect(tmp_path / "a.sqlite3")
    try:
        db.execute("PRAGMA max_page_count=2")  # a database that may not grow: SQLite says SQLITE_FULL
        db.execute("CREATE TABLE t (x)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * 10)
    except sqlite3.OperationalError as exc:
        full = exc
    assert is_disk_full(full) and "full" in str(full)
    chroma = RuntimeError("Query error: Database error: error returned from database: (code: 13) database or disk is full")
    assert is_disk_full(chroma)
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    try:
        raise ValueError("wrapped") from OSError(errno.ENOSPC, "No space left on device")
    except ValueError as wrapped:
        assert is_disk_full(wrapped)
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(sqlite3.OperationalError("no such table: t"))
    assert str(DiskFull(tmp_path, "the export")).startswith(f"the disk holding {tmp_path} is full (")
