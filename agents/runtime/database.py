"""The one connection factory for the data directory's SQLite database (tables in schema.py)."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from agents.runtime.disk import DiskFull, is_disk_full
from agents.runtime.schema import MIGRATIONS, REVIEW_SCHEMA, SCHEMA, SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Database", "ReadOnlyDataDirectory", "connect"]

class _Rows(list):
    def fetchone(self):
        return self[0] if self else None

    def fetchall(self):
        return list(self)


class ReadOnlyDataDirectory(PermissionError):
    """A write through a connection opened read-only (another Countersign holds the data directory)."""


class Database:
    """The one connection, shared by the UI and worker threads. Every statement runs under
    `lock` and is fully fetched inside it; a writer holds the lock from BEGIN to COMMIT, so a
    reader on another thread never sees a transaction that has not committed.

    A failed write is translated here, once for every store: no room on the disk becomes
    DiskFull naming the disk, a write on a read-only opening becomes ReadOnlyDataDirectory."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None, read_only: bool = False) -> None:
        self._conn = conn
        self.lock = threading.RLock()
        self.path, self.read_only = path, read_only

    def _translate(self, exc: sqlite3.Error) -> Exception:
        if is_disk_full(exc) and self.path is not None:
            return DiskFull(self.path.parent)
        if self.read_only and "readonly" in str(exc).replace("-", "").replace(" ", ""):
            return ReadOnlyDataDirectory("this data directory is open read-only (another Countersign has it open); "
                                         "close the other Countersign to make changes")
        return exc

    def execute(self, sql: str, args=()) -> _Rows:
        with self.lock:
            try:
                return _Rows(self._conn.execute(sql, args).fetchall())
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc

    def executemany(self, sql: str, rows) -> None:
        with self.lock:
            try:
                self._conn.executemany(sql, rows)
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc

    def rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already: after SQLITE_FULL it may roll
        back by itself, and a second ROLLBACK would raise and hide the error that matters."""
        with self.lock:
            if self._conn.in_transaction:
                try:
                    self._conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the transaction is gone either way; the caller re-raises the cause

    def close(self) -> None:
        with self.lock:
            self._conn.close()


def connect(path: Path, read_only: bool = False) -> Database:
    """Open (and create or migrate) the database with the settings every caller relies on.
    `read_only` opens beside another process that writes: no schema change, and SQLite itself
    refuses every write (query_only), so no code path can write by mistake."""
    if read_only:
        return _connect_read_only(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread=False: the desktop worker thread and the UI share one connection; the
    # Database wrapper serialises every statement on one lock.
    conn = sqlite3.connect(path, timeout=10.0, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        conn.close()
        raise RuntimeError(f"{path} was written by a newer Countersign (schema {version})")
    fresh = version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    if not fresh:
        for step in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
            conn.execute("BEGIN IMMEDIATE")  # each step commits whole or not at all
            try:
                for sql in MIGRATIONS[step]:
                    sql(conn) if callable(sql) else conn.execute(sql)
                conn.execute(f"PRAGMA user_version={step}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    conn.executescript(SCHEMA + ";" + REVIEW_SCHEMA)
    if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        # Only when it changes: setting it writes even the same value, and a data directory on
        # a full disk must still open, to be read and to resume once space is freed.
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return Database(conn, path)


def _connect_read_only(path: Path) -> Database:
    if not path.exists():
        raise RuntimeError(f"{path.parent} holds no Countersign data yet")
    conn = sqlite3.connect(path, timeout=10.0, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA query_only=ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        conn.close()
        raise RuntimeError(f"{path} is at schema {version}, this Countersign reads {SCHEMA_VERSION}: "
                           "open it without read-only first (close the other Countersign) so it can be upgraded")
    return Database(conn, path, read_only=True)
