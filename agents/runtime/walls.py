"""Ethical walls in firm mode: the signed-in account sees a matter only if the matter lists it.

The stores ask the wall before they list or rank anything (LibraryStore, DraftsStore), so no
path — a search, a draft's id typed in, an export, a review package — reaches a walled matter.
A walled matter looks exactly like a matter that does not exist, and every refusal is written to
the audit log (`access.denied`). Single-user mode has no wall: the stores take None."""
from __future__ import annotations

from typing import Callable


class Wall:
    def __init__(self, db, account: str, record: Callable[..., None]) -> None:
        """`record(actor, action, subject, **detail)` writes an audit entry (the services wire it
        to the audit log, a layer above this one), inside the caller's transaction if one is open."""
        self._db, self.account, self._record = db, account, record

    def matter_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT matter_id FROM matter_members WHERE account = ?", (self.account,))}

    def allows(self, matter_id: str) -> bool:
        return bool(self._db.execute("SELECT 1 FROM matter_members WHERE matter_id = ? AND account = ?",
                                     (matter_id, self.account)))

    def admit(self, matter_id: str, what: str, subject: str) -> bool:
        """Whether the account may see `matter_id`; a refusal is audited (`access.denied`). The
        caller then answers as if the thing did not exist, so a walled-off user learns nothing.
        Inside a write transaction the entry would be rolled back with it: the services check
        before they begin one, so a refusal there is a race and is not recorded twice."""
        if self.allows(matter_id):
            return True
        if not self._db.in_transaction:
            self._record(self.account, "access.denied", subject, what=what, matter=matter_id)
        return False

    def members(self, matter_id: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT account FROM matter_members WHERE matter_id = ? ORDER BY account",
                                               (matter_id,))]

    def add_member(self, matter_id: str, account: str, by: str, at: str) -> None:
        """Inside the caller's write transaction, which this audits."""
        self._db.execute("INSERT INTO matter_members VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", (matter_id, account, by, at))
        self._record(by, "matter.member_added", matter_id, account=account)

    def remove_member(self, matter_id: str, account: str, by: str) -> None:
        self._db.execute("DELETE FROM matter_members WHERE matter_id = ? AND account = ?", (matter_id, account))
        self._record(by, "matter.member_removed", matter_id, account=account)
