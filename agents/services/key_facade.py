"""What the Countersign facade offers about the database key: where it lives, changing it,
a passphrase instead, and a recovery file for the day the keyring is lost."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from agents.runtime import db_key, instance_lock, sqlcipher
from agents.runtime.clock import utc_now
from agents.runtime.db_key import DatabaseKey, KeyUnavailable, PassphraseNeeded
from agents.runtime.paths import DataPaths
from agents.runtime.sqlcipher import WrongKey

__all__ = ["KeyFacade", "KeyStatus", "KeyUnavailable", "PassphraseNeeded", "WrongKey", "forget_passphrases",
           "give_passphrase", "recover_database_key"]
RECOVERY_MAGIC = "countersign_database_recovery_key"
MIN_PASSPHRASE = 12


@dataclass(frozen=True)
class KeyStatus:
    encrypted: bool
    storage: str  # keyring, file, passphrase, or "" for a plaintext database
    key_id: str
    location: str  # in words: which keyring, which file, or "nowhere: typed in"
    note: str
    cipher_version: str


def give_passphrase(key_id: str, passphrase: str) -> None:
    """A passphrase typed into the CLI prompt or the window's dialog, for the next open."""
    db_key.remember_passphrase(key_id, passphrase)


def forget_passphrases() -> None:
    """Passphrases typed so far, after one of them turned out wrong."""
    db_key.forget_typed()


class KeyFacade:
    """Needs `self._db` and `self.paths` from Countersign."""

    def database_key_status(self) -> KeyStatus:
        if self._db.dialect == "postgresql":
            from agents.runtime.pg_database import where

            return KeyStatus(False, "server", "", f"the firm workspace on PostgreSQL ({where(self._db.url)}): its "
                             "encryption at rest is the server's disk encryption", "", "")
        info = self._db.key_info
        version = self._db.execute("PRAGMA cipher_version").fetchone()
        cipher = version[0] if version else ""
        if info is None:
            return KeyStatus(False, "", "", "the database is NOT encrypted", "", cipher)
        where = {"keyring": f"the OS keyring ({db_key.keyring_status()}), service {db_key.KEYRING_SERVICE!r}",
                 "file": f"the key file {db_key.key_file(info.key_id)} (readable by this account only)",
                 "passphrase": "nowhere: the passphrase is typed in, or given by $" + db_key.PASSPHRASE_ENV}[info.storage]
        return KeyStatus(True, info.storage, info.key_id, where, info.note, cipher)

    def change_database_key(self) -> KeyStatus:
        """A new random key, kept in the keyring (or key file); also how a passphrase is removed."""
        self._db.change_key(DatabaseKey.generate())
        return self.database_key_status()

    def set_database_passphrase(self, passphrase: str) -> KeyStatus:
        if len(passphrase) < MIN_PASSPHRASE:
            raise ValueError(f"a passphrase needs at least {MIN_PASSPHRASE} characters")
        self._db.change_key(DatabaseKey(passphrase, passphrase=True))
        return self.database_key_status()

    def export_recovery_key(self, out: Path) -> Path:
        """The raw key in a file for the firm to keep offline (printed, in a safe): with it,
        `countersign key recover` opens the database after the keyring or key file is lost."""
        info = self._db.key_info
        if info is None:
            raise ValueError("the database is not encrypted; there is no key to keep")
        if info.storage == "passphrase":
            raise ValueError("this database is keyed by its passphrase, which is its recovery key: keep the passphrase "
                             "safe (run `countersign key change` first to have a stored key with a recovery file)")
        key = db_key.load(self._db.path, info)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({RECOVERY_MAGIC: 1, "key_id": info.key_id, "key": key.secret, "database": str(self._db.path),
                       "written_at": utc_now()}, f, indent=2)
        return out


def recover_database_key(paths: DataPaths, recovery_file: Path) -> KeyStatus:
    """Put a recovery file's key back where keys are kept, after proving it opens the database;
    works when the database cannot be opened otherwise (that is what it is for)."""
    try:
        plain = json.loads(Path(recovery_file).read_text(encoding="utf-8"))
        key, key_id = DatabaseKey(plain["key"]), plain["key_id"]
        if plain.get(RECOVERY_MAGIC) != 1:
            raise KeyError(RECOVERY_MAGIC)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{recovery_file} is not a Countersign recovery key file ({exc})") from exc
    path = paths.database
    if not path.exists() or sqlcipher.is_plaintext(path):
        raise ValueError(f"{path} is not an encrypted Countersign database; nothing to recover")
    lock = instance_lock.acquire(paths.root)
    try:
        try:
            sqlcipher.raw_connect(path, key).close()
        except sqlcipher.dbapi.DatabaseError as exc:
            raise WrongKey(f"the key in {recovery_file} does not open {path}: {exc}; nothing was changed") from None
        info = db_key.stash(path, key, key_id)
        db_key.write_info(path, info)
    finally:
        instance_lock.release(lock)
    where = db_key.key_file(key_id) if info.storage == "file" else "the OS keyring"
    return KeyStatus(True, info.storage, key_id, str(where), info.note, "")
