"""One synchronous write transaction on the shared connection: a change and its audit entry
commit together or not at all."""
from __future__ import annotations

from agents.runtime.database import Database


class Transaction:
    def __init__(self, db: Database) -> None:
        self._db, self._lock = db, db.lock

    def __enter__(self):
        self._lock.acquire()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._db.execute("COMMIT")
        finally:
            # After an error, or a COMMIT that failed (a full disk leaves the transaction open);
            # a no-op once committed.
            self._db.rollback()
            self._lock.release()
        return False
