"""One synchronous write transaction on the shared connection: a change and its audit entry
commit together or not at all."""
from __future__ import annotations

from agents.runtime.database import Database


class Transaction:
    def __init__(self, db: Database) -> None:
        self._db, self._lock = db, db.lock

    def __enter__(self):
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()
        return False
