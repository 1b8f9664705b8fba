"""The one connection factory for the data directory's SQLite database (tables in schema.py),
encrypted with SQLCipher under a key from db_key.py; a plaintext database is encrypted on open."""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from sqlcipher3 import dbapi2 as dbapi

from agents.runtime import db_key, sqlcipher
from agents.runtime.db_key import DatabaseKey, KeyInfo, KeyUnavailable
from agents.runtime.disk import DiskFull, is_disk_full
from agents.runtime.schema import MIGRATIONS, REVIEW_SCHEMA, SCHEMA, SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Database", "KeyUnavailable", "ReadOnlyDataDirectory", "connect"]
# Keeps a new database in plaintext: only for benchmarks/encryption.py's comparison and for
# diagnosis. Doctor reports a plaintext database as a problem.
PLAINTEXT_ENV = "COUNTERSIGN_PLAINTEXT_DATABASE"

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

    dialect = "sqlite"  # the firm workspace's PgDatabase says "postgresql"

    def __init__(self, conn, path: Path | None = None, read_only: bool = False, key_info: KeyInfo | None = None) -> None:
        self._conn = conn
        self.lock = threading.RLock()
        self.path, self.read_only = path, read_only
        self.key_info = key_info  # None: the database is plaintext

    def _translate(self, exc: Exception) -> Exception:
        if isinstance(exc, dbapi.Error):
            exc = sqlcipher.as_sqlite3(exc)
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
            except (sqlite3.Error, dbapi.Error) as exc:
                raise self._translate(exc) from exc

    def executemany(self, sql: str, rows) -> None:
        with self.lock:
            try:
                self._conn.executemany(sql, rows)
            except (sqlite3.Error, dbapi.Error) as exc:
                raise self._translate(exc) from exc

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already: after SQLITE_FULL it may roll
        back by itself, and a second ROLLBACK would raise and hide the error that matters."""
        with self.lock:
            if self._conn.in_transaction:
                try:
                    self._conn.execute("ROLLBACK")
                except (sqlite3.Error, dbapi.Error):
                    pass  # the transaction is gone either way; the caller re-raises the cause

    def close(self) -> None:
        with self.lock:
            self._conn.close()

    def change_key(self, key: DatabaseKey) -> KeyInfo:
        """Re-encrypt the database under `key` and keep it where keys are kept (a passphrase
        nowhere). The new key is stored and named as pending before the rekey, so a crash at
        any point leaves a key file naming a key that opens the database."""
        if self.read_only or self.path is None:
            raise ReadOnlyDataDirectory("the key of a database open read-only cannot be changed")
        with self.lock:
            old = self.key_info
            new = db_key.stash(self.path, key)
            if old is not None:
                db_key.write_info(self.path, KeyInfo(old.key_id, old.storage, old.created_at, old.note,
                                                     new.key_id, new.storage))
                sqlcipher.rekey(self._conn, key)
            else:  # plaintext (PLAINTEXT_ENV): SQLCipher cannot rekey that, so encrypt it whole
                self._conn.close()
                sqlcipher.encrypt_in_place(self.path, key)
                self._conn = _configure(sqlcipher.raw_connect(self.path, key))
            db_key.write_info(self.path, new)
            if old is not None:
                db_key.forget(old)
            self.key_info = new
            return new


def connect(path: Path, read_only: bool = False) -> Database:
    """Open (and create or migrate) the database with the settings every caller relies on.
    `read_only` opens beside another process that writes: no schema change, and SQLite itself
    refuses every write (query_only), so no code path can write by mistake."""
    if read_only:
        return _connect_read_only(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn, info = _open_file(path)
    try:
        _migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return Database(conn, path, key_info=info)


def _open_file(path: Path):
    """The keyed connection and where its key lives: a new database gets a new key, a plaintext
    one is encrypted first, an encrypted one opens with the key its key file names."""
    sqlcipher.clear_staging(path)
    plaintext_wanted = os.environ.get(PLAINTEXT_ENV, "") == "1"
    if not path.exists() or path.stat().st_size == 0:
        if plaintext_wanted:
            return _configure(sqlcipher.raw_connect(path, None)), None
        key = DatabaseKey.generate()
        info = db_key.store(path, key)  # stored before the database exists: never a database without its key
        return _configure(sqlcipher.raw_connect(path, key)), info
    if sqlcipher.is_plaintext(path):
        if plaintext_wanted:
            return _configure(sqlcipher.raw_connect(path, None)), None
        key = DatabaseKey.generate()
        info = db_key.store(path, key)
        sqlcipher.encrypt_in_place(path, key)
    else:
        info = db_key.read_info(path)
        if info is None:
            raise KeyUnavailable(f"{path} is encrypted (or is not a database) and {db_key.info_path(path).name}, which "
                                 "says where its key is, is missing beside it: restore the key with "
                                 "`countersign key recover FILE`; nothing was changed")
    conn, info = sqlcipher.open_with(path, info)
    return _configure(conn), info


def _configure(conn):
    # check_same_thread=False (set in raw_connect): the desktop worker thread and the UI share
    # one connection; the Database wrapper serialises every statement on one lock.
    conn.row_factory = dbapi.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _migrate(conn, path: Path) -> None:
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


def _connect_read_only(path: Path) -> Database:
    if not path.exists():
        raise RuntimeError(f"{path.parent} holds no Countersign data yet")
    if sqlcipher.is_plaintext(path):  # the writer beside us has not encrypted it (PLAINTEXT_ENV)
        conn, info = sqlcipher.raw_connect(path, None), None
    else:
        info = db_key.read_info(path)
        if info is None:
            raise KeyUnavailable(f"{path} is encrypted and {db_key.info_path(path).name}, which says where its key is, "
                                 "is missing beside it")
        conn, info = sqlcipher.open_with(path, info)
    conn.row_factory = dbapi.Row
    conn.execute("PRAGMA query_only=ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        conn.close()
        raise RuntimeError(f"{path} is at schema {version}, this Countersign reads {SCHEMA_VERSION}: "
                           "open it without read-only first (close the other Countersign) so it can be upgraded")
    return Database(conn, path, read_only=True, key_info=info)


def raw_connection(path: Path):
    """A bare keyed connection to an existing database, for tools that inspect or repair the
    file itself (tests, `countersign key`); everything else goes through connect()."""
    if sqlcipher.is_plaintext(path):
        return sqlcipher.raw_connect(path, None)
    info = db_key.read_info(path)
    if info is None:
        raise KeyUnavailable(f"{path} is encrypted and {db_key.info_path(path).name} is missing beside it")
    return sqlcipher.open_with(path, info)[0]
