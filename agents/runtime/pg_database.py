"""The firm workspace on PostgreSQL, behind the same surface as the SQLite Database (execute,
executemany, rollback, lock, close), so the stores run unchanged on either.

The stores write SQL that both engines accept (upserts as ON CONFLICT, `?` placeholders); this
adapter turns `?` into psycopg's `%s`, and a store's `BEGIN IMMEDIATE` (SQLite: take the write
lock now) into BEGIN plus a transaction-scoped advisory lock. Every writer on every machine takes
that one lock, so writes to the workspace are serialised as they are in SQLite: the audit chain
stays linear and a review action reads the state it changes without another writer between."""
from __future__ import annotations

import os
import sqlite3
import threading
from urllib.parse import urlsplit

from agents.runtime.database import _Rows
from agents.runtime.pg_schema import check_version, migrate

# pg_advisory_xact_lock's key: any constant, the same in every Countersign ("CSGN").
WRITE_LOCK_KEY = 0x4353474E
PASSWORD_ENV = "COUNTERSIGN_WORKSPACE_PASSWORD"


class WorkspaceUnavailable(ConnectionError):
    """The firm's PostgreSQL server cannot be reached or refused the connection."""


class Row(tuple):
    """A result row readable by position and by column name, as sqlite3.Row is."""

    def __new__(cls, names: dict[str, int], values):
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key):
        return super().__getitem__(self._names[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor):
    names = {c.name: i for i, c in enumerate(cursor.description or ())}
    return lambda values: Row(names, values)


def placeholders(sql: str) -> str:
    """`?` outside string literals becomes `%s`, and a literal `%` becomes `%%`."""
    out, quoted = [], False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
        if ch == "%":
            out.append("%%")
        elif ch == "?" and not quoted:
            out.append("%s")
        else:
            out.append(ch)
    return "".join(out)


def where(url: str) -> str:
    """host:port/database of a workspace URL, never its password (for messages and logs)."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or '/'}"


class PgDatabase:
    dialect = "postgresql"
    path = None  # no file: disk-full and key handling belong to the server
    read_only = False
    key_info = None

    def __init__(self, url: str, connect_timeout: float = 10.0) -> None:
        import psycopg

        self._psycopg, self.url, self.lock = psycopg, url, threading.RLock()
        try:
            # The password is never in the settings file: the environment, or libpq's ~/.pgpass.
            secret = {"password": os.environ[PASSWORD_ENV]} if os.environ.get(PASSWORD_ENV) else {}
            self._conn = psycopg.connect(url, autocommit=True, row_factory=_row_factory, **secret,
                                         connect_timeout=max(1, int(connect_timeout)), application_name="countersign")
        except psycopg.Error as exc:
            raise WorkspaceUnavailable(f"the firm workspace at {where(url)} cannot be reached: {_first_line(exc)}") from exc

    def _translate(self, exc: Exception) -> Exception:
        errors = self._psycopg.errors
        if isinstance(exc, self._psycopg.IntegrityError):
            return sqlite3.IntegrityError(_first_line(exc))  # the stores catch one family on both engines
        if isinstance(exc, (self._psycopg.OperationalError, errors.AdminShutdown)) or self._conn.closed:
            return WorkspaceUnavailable(f"lost the connection to the firm workspace at {where(self.url)} "
                                        f"({_first_line(exc)}); the change in progress was not saved")
        return exc

    def execute(self, sql: str, args=()):
        with self.lock:
            try:
                if sql.strip().upper() == "BEGIN IMMEDIATE":
                    self._conn.execute("BEGIN")
                    self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                    return []
                cursor = self._conn.execute(placeholders(sql), tuple(args)) if args else self._conn.execute(sql)
                return _Rows(cursor.fetchall() if cursor.description else [])
            except self._psycopg.Error as exc:
                raise self._translate(exc) from exc

    def executemany(self, sql: str, rows) -> None:
        with self.lock:
            try:
                with self._conn.cursor() as cursor:
                    cursor.executemany(placeholders(sql), [tuple(r) for r in rows])
            except self._psycopg.Error as exc:
                raise self._translate(exc) from exc

    @property
    def in_transaction(self) -> bool:
        return not self._conn.closed and self._conn.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE

    def rollback(self) -> None:
        """Undo the open transaction, if there is one (after COMMIT, a no-op, as in SQLite)."""
        with self.lock:
            if self.in_transaction:
                try:
                    self._conn.execute("ROLLBACK")
                except self._psycopg.Error:
                    pass  # the transaction is gone either way; the caller re-raises the cause

    def change_key(self, key) -> None:
        raise ValueError(f"the workspace is on the firm's PostgreSQL server ({where(self.url)}): its encryption at "
                         "rest is that server's disk encryption, which the firm's IT sets")

    def server_version(self) -> str:
        return self.execute("SHOW server_version")[0][0]

    def close(self) -> None:
        with self.lock:
            self._conn.close()


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def connect_workspace(url: str, connect_timeout: float = 10.0, read_only: bool = False) -> PgDatabase:
    """Open the workspace and bring its schema up to this Countersign's (versioned migrations).
    `read_only` changes nothing, not even the schema, and the server refuses every write."""
    db = PgDatabase(url, connect_timeout)
    try:
        if read_only:
            db.read_only = True
            db.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            check_version(db)
        else:
            migrate(db)
    except BaseException:
        db.close()
        raise
    return db
