"""One writing Countersign per data directory, enforced by an OS file lock.

The lock is an advisory lock on `<data dir>/countersign.lock` (flock on Linux and macOS,
msvcrt.locking on Windows), not the mere existence of a file: the kernel drops it when the
holding process ends however it ends, so a Countersign killed with SIGKILL or a power cut
leaves no stale lock behind. The file's text only says who holds it (pid, host, since when) so
the refusal can name them; it is rewritten by each new holder.

Locks are counted per process: two Countersign objects in one process (the window and a test,
or a reopen after a crash in the same interpreter) share the one lock, because the rule guards
against a second *process* writing, which SQLite's own locking and the shared chromadb client
state cannot coordinate."""
from __future__ import annotations

import json
import os
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from agents.runtime.clock import utc_now

LOCK_NAME = "countersign.lock"
# Windows locks byte ranges and forbids reading a locked range, so the lock sits far past the
# holder's text, which stays readable by the refused process.
_WINDOWS_LOCK_OFFSET = 1 << 20


class DataDirectoryInUse(RuntimeError):
    """Another process holds the data directory's write lock."""

    def __init__(self, root: Path, holder: "LockHolder | None") -> None:
        self.root, self.holder = root, holder
        who = holder.describe() if holder else "another process"
        super().__init__(f"this data directory ({root}) is open in another Countersign ({who}); close it first")


@dataclass(frozen=True)
class LockHolder:
    pid: int
    since: str
    host: str = ""

    def describe(self) -> str:
        where = f" on {self.host}" if self.host and self.host != socket.gethostname() else ""
        return f"pid {self.pid}{where} since {self.since}"


class _Held:
    def __init__(self, fd: int) -> None:
        self.fd, self.count = fd, 1


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _read_holder(path: Path) -> LockHolder | None:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return LockHolder(int(info["pid"]), str(info["since"]), str(info.get("host", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # mid-rewrite by the holder, or written by hand: the refusal still stands


def _write_holder(fd: int) -> None:
    text = json.dumps({"pid": os.getpid(), "since": utc_now(), "host": socket.gethostname()}).encode()
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, text)
    except OSError:
        pass  # a full disk must not stop the lock itself, only the note of who holds it


def acquire(root: Path) -> Path:
    """Take (or share, within this process) the write lock of `root`; returns the key to release.
    Raises DataDirectoryInUse naming the holder if another process has it."""
    key = Path(os.path.realpath(root))
    path = key / LOCK_NAME
    with _guard:
        if key in _held:
            _held[key].count += 1
            return key
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            raise DataDirectoryInUse(root, _read_holder(path))
        _write_holder(fd)
        _held[key] = _Held(fd)
        return key


def release(key: Path) -> None:
    with _guard:
        held = _held.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count == 0:
            del _held[key]
            os.close(held.fd)  # closing the descriptor drops the lock; the file stays for the next holder


def holder(root: Path) -> LockHolder | None:
    """Who holds the write lock now, or None if nobody does (a probe: it takes and drops it)."""
    key = Path(os.path.realpath(root))
    path = key / LOCK_NAME
    with _guard:
        if key in _held:
            return LockHolder(os.getpid(), "now (this process)", socket.gethostname())
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None  # no lock file (never opened), or a read-only medium nobody can write to
    try:
        if _try_lock(fd):
            return None
        return _read_holder(path) or LockHolder(0, "an unknown time")
    finally:
        os.close(fd)
