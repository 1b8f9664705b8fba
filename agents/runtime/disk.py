"""Telling a full disk from other write failures, and saying which disk is full.

A full disk reaches Countersign in three dialects: OSError ENOSPC from a plain write, SQLite's
SQLITE_FULL ("database or disk is full") from the app database, and the same SQLite code as text
inside a chromadb error (its Rust core wraps its own SQLite). All three mean the same thing to
the user, who can do one thing about it, so they become one DiskFull naming the data directory,
the filesystem it lives on and the space left there."""
from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

SQLITE_FULL = 13
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_FULL_TEXT = ("database or disk is full", "no space left on device", "disk quota exceeded", "(code: 13)")


class DiskFull(OSError):
    """No room to write under the data directory; what was being saved was not saved."""

    def __init__(self, root: Path, unsaved: str = "the change") -> None:
        self.root = root
        self.message = (f"the disk holding {root} is full ({describe_disk(root)}): {unsaved} was not saved. "
                        "Free some space on it and try again; nothing already saved was lost.")
        super().__init__(errno.ENOSPC, self.message)

    def __str__(self) -> str:
        return self.message


def _causes(exc: BaseException):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_disk_full(exc: BaseException) -> bool:
    for e in _causes(exc):
        if isinstance(e, DiskFull):
            return True
        if isinstance(e, OSError) and e.errno in _FULL_ERRNOS:
            return True
        if isinstance(e, sqlite3.Error) and (getattr(e, "sqlite_errorcode", 0) or 0) & 0xFF == SQLITE_FULL:
            return True
        if any(text in str(e).lower() for text in _FULL_TEXT):
            return True
    return False


# Below this, a failed write is put down to the disk even when the error does not say so:
# chromadb reports some full-disk failures only as "Error in compaction: Failed to apply logs".
LOW_SPACE_BYTES = 4_000_000


def low_space(root: Path) -> bool:
    try:
        return shutil.disk_usage(mount_point(root)).free < LOW_SPACE_BYTES
    except OSError:
        return False


def mount_point(path: Path) -> Path:
    p = Path(os.path.realpath(path))
    while not p.exists() and p != p.parent:
        p = p.parent
    while not os.path.ismount(p) and p != p.parent:
        p = p.parent
    return p


def _device(mount: Path) -> str:
    """The filesystem's source as the OS lists it (/dev/sda2, tmpfs, a network share); Linux only."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as fh:
            rows = [line.split() for line in fh]
    except OSError:
        return ""
    found = [r[0] for r in rows if len(r) > 1 and r[1].replace("\\040", " ") == str(mount)]
    return found[-1] if found else ""  # the last mount at a point is the one in effect


def describe_disk(root: Path) -> str:
    mount = mount_point(root)
    device = _device(mount)
    try:
        free = f"{shutil.disk_usage(mount).free / 1e6:.1f} MB free"
    except OSError:
        free = "free space unknown"
    return f"{device + ' ' if device else ''}mounted at {mount}, {free}"
