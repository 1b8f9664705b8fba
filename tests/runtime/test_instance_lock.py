"""One writing Countersign per data directory: a real second process is refused with the
holder's pid, commands that only read still run beside it, and a holder killed with SIGKILL
leaves no lock behind."""
import gc
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agents.runtime import instance_lock
from agents.runtime.database import ReadOnlyDataDirectory
from agents.runtime.instance_lock import DataDirectoryInUse
from agents.services import Countersign

ROOT = Path(__file__).resolve().parents[2]

# Opens the data directory as the window does, says so, and holds it until killed.
HOLDER = """
import sys, time
from agents.services import Countersign
app = Countersign.open(sys.argv[1])
print("ready", flush=True)
time.sleep(600)
"""


@pytest.fixture
def holder(tmp_path):
    data = tmp_path / "data"
    app = Countersign.open(str(data))
    app.create_matter("Larkspur")
    app.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n", proc.stderr.read()
    yield data, proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agents.cli.main", "--data-dir", str(data), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_second_process_is_refused_naming_the_first(holder):
    data, proc = holder
    with pytest.raises(DataDirectoryInUse) as info:
        Countersign.open(str(data))
    message = str(info.value)
    assert f"pid {proc.pid} since " in message and message.endswith("close it first")
    assert info.value.holder.pid == proc.pid

    refused = _cli(data, "matter", "create", "Birch")
    assert refused.returncode == 1 and f"open in another Countersign (pid {proc.pid}" in refused.stderr
    assert "Traceback" not in refused.stderr
    setting = _cli(data, "settings", "set", "n_threads", "1")
    assert setting.returncode == 1 and "close it first" in setting.stderr
    doctor = _cli(data, "doctor", "--no-load", "--json")
    assert f"pid {proc.pid}" in doctor.stdout


def test_commands_that_only_read_run_beside_it_and_cannot_write(holder):
    data, proc = holder
    listed = _cli(data, "matter", "list")
    assert listed.returncode == 0 and "Larkspur" in listed.stdout, listed.stderr
    verified = _cli(data, "verify", "--json")
    assert verified.returncode == 0 and '"ok": true' in verified.stdout
    reader = Countersign.open(str(data), read_only=True)
    try:
        assert [m.name for m in reader.matters()] == ["Larkspur"]
        with pytest.raises(ReadOnlyDataDirectory, match="read-only"):
            reader.create_matter("Birch")
    finally:
        reader.close()
    with pytest.raises(DataDirectoryInUse):  # the holder still has it; the reader took nothing
        Countersign.open(str(data))


def test_a_killed_holder_leaves_no_stale_lock(holder):
    data, proc = holder
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (data / instance_lock.LOCK_NAME).exists()  # the file stays; only a live lock counts
    assert instance_lock.holder(data) is None
    app = Countersign.open(str(data))
    try:
        app.create_matter("Birch")
        assert f'"pid": {os.getpid()}' in (data / instance_lock.LOCK_NAME).read_text()
    finally:
        app.close()
    assert instance_lock.holder(data) is None


def test_one_process_shares_its_lock_and_gives_it_up_when_done(tmp_path):
    data = tmp_path / "data"
    first = Countersign.open(str(data))
    second = Countersign.open(str(data))  # the same process: a reopen, not a second instance
    first.close()
    assert instance_lock.holder(data).pid == os.getpid()
    second.close()
    assert instance_lock.holder(data) is None
    forgotten = Countersign.open(str(data))
    del forgotten
    gc.collect()  # an unclosed Countersign that is collected gives the lock up too
    assert instance_lock.holder(data) is None
    assert _cli(data, "matter", "create", "Birch").returncode == 0
