"""Firm-mode accounts: who may sign in to the workspace, with passwords hashed by argon2id.

Sign-in answers "name or password is wrong" whether the name exists or not, and spends the same
argon2 work either way, so neither the message nor the time tells an outsider which names are
accounts. Every sign-in and every refusal is in the audit log."""
from __future__ import annotations

from dataclasses import dataclass

from agents.review.audit_log import AuditLog
from agents.review.transaction import Transaction
from agents.runtime.clock import utc_now

MIN_PASSWORD = 12


class SignInRefused(PermissionError):
    pass


@dataclass(frozen=True)
class Account:
    name: str
    admin: bool


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's current recommended cost


class AccountStore:
    def __init__(self, db) -> None:
        self._db = db
        self._audit = AuditLog(db)
        self._dummy: str | None = None  # a hash to verify against when the name is unknown

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM accounts")[0][0]

    def list(self) -> list[Account]:
        return [Account(r["name"], bool(r["admin"])) for r in self._db.execute("SELECT * FROM accounts ORDER BY name")]

    def add(self, name: str, password: str, admin: bool, by: str) -> Account:
        name = " ".join(name.split())
        if not name:
            raise ValueError("an account needs a name")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
        digest = _hasher().hash(password)
        with Transaction(self._db):
            if self._db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)):
                raise ValueError(f"an account named '{name}' already exists")
            self._db.execute("INSERT INTO accounts VALUES (?, ?, ?, ?, ?)", (name, digest, admin, by, utc_now()))
            self._audit.append(by, "account.added", name, admin=admin)
        return Account(name, admin)

    def sign_in(self, name: str, password: str) -> Account:
        from argon2.exceptions import InvalidHashError, VerificationError

        name = " ".join(name.split())
        row = self._db.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone() if name else None
        if self._dummy is None:
            self._dummy = _hasher().hash("not an account: equalises the time of a refusal")
        try:
            _hasher().verify(row["password_hash"] if row else self._dummy, password)
            ok = row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        with Transaction(self._db):
            self._audit.append(row["name"] if ok else (name or "(no name)"),
                               "account.signed_in" if ok else "account.sign_in_refused", name or "(no name)")
        if not ok:
            raise SignInRefused("sign-in refused: the name or the password is wrong")
        return Account(row["name"], bool(row["admin"]))
