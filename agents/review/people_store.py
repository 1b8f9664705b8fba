"""SQLite store for the firm's people (local profiles) and its sign-off policy. The policy lives
in the database rather than settings.json so that every change is an entry in the audit chain."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict

from agents.domain.signoff_policy import PolicyError, Profile, SignOffPolicy
from agents.runtime.database import Database


class PeopleStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, p: Profile) -> None:
        try:
            self._db.execute("INSERT INTO profiles VALUES (?,?,?,?)", (p.name, p.initials, p.role, p.created_at))
        except sqlite3.IntegrityError:
            raise PolicyError(f"a profile named '{p.name}' already exists (see `countersign profile list`)") from None

    def get(self, name: str) -> Profile | None:
        r = self._db.execute("SELECT * FROM profiles WHERE name = ?", (" ".join(name.split()),)).fetchone()
        return Profile(r["name"], r["initials"], r["role"], r["created_at"]) if r else None

    def list(self) -> list[Profile]:
        return [Profile(r["name"], r["initials"], r["role"], r["created_at"])
                for r in self._db.execute("SELECT * FROM profiles ORDER BY name")]

    def policy(self) -> SignOffPolicy:
        r = self._db.execute("SELECT policy_json FROM firm_policy WHERE id = 1").fetchone()
        if r is None:
            return SignOffPolicy()
        raw = json.loads(r[0])
        # Domains the stored policy does not name keep the default roles.
        signers = {**SignOffPolicy().signers, **{d: tuple(roles) for d, roles in raw["signers"].items()}}
        return SignOffPolicy(signers, raw["second_reviewer"], raw["maker_checker"])

    def set_policy(self, policy: SignOffPolicy) -> None:
        self._db.execute("INSERT INTO firm_policy VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET policy_json = excluded.policy_json",
                         (json.dumps(asdict(policy), sort_keys=True),))
