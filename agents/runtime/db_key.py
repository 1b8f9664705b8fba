"""Where the database key lives: the OS keyring, else a 0600 key file outside the data directory,
or a passphrase the user sets (never stored; given by $COUNTERSIGN_PASSPHRASE or typed in).

Beside each database a small non-secret file (`<db>.key.json`) says which of the three holds
its key and under what id, so a missing key is reported as exactly that, never as a damaged
database. Nothing here touches the database file: a key problem loses nothing."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from agents.runtime.clock import utc_now

PASSPHRASE_ENV = "COUNTERSIGN_PASSPHRASE"
KEY_DIR_ENV = "COUNTERSIGN_KEY_DIR"  # where key files go when there is no keyring
KEYRING_ENV = "COUNTERSIGN_KEYRING"  # "off": never use the OS keyring (tests, firm images)
KEYRING_SERVICE = "Countersign database key"
STORAGES = ("keyring", "file", "passphrase")
# Passphrases typed in this process, by key id: the CLI prompt and the window's dialog put them here.
_typed: dict[str, str] = {}


class KeyUnavailable(RuntimeError):
    """The database's key cannot be had here; the message says where it should be and what to do."""


class PassphraseNeeded(KeyUnavailable):
    """The database is keyed by a passphrase that nobody has given this process yet."""

    def __init__(self, message: str, key_id: str) -> None:
        super().__init__(message)
        self.key_id = key_id


@dataclass(frozen=True)
class DatabaseKey:
    """A raw 256-bit key (hex), or a passphrase that SQLCipher stretches with its own KDF."""
    secret: str
    passphrase: bool = False

    def pragma(self) -> str:
        if self.passphrase:
            return "'" + self.secret.replace("'", "''") + "'"
        return f"\"x'{self.secret}'\""

    @staticmethod
    def generate() -> "DatabaseKey":
        return DatabaseKey(secrets.token_hex(32))


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    storage: str  # one of STORAGES
    created_at: str
    note: str = ""  # why a weaker storage was chosen, for doctor
    # A key change in progress: the new key is stored before the database is rekeyed and this
    # file names it, so a crash in between leaves a key that opens the database either way.
    pending_id: str = ""
    pending_storage: str = ""

    def pending(self) -> "KeyInfo | None":
        return KeyInfo(self.pending_id, self.pending_storage, self.created_at) if self.pending_id else None


def info_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".key.json")


def read_info(db_path: Path) -> KeyInfo | None:
    try:
        plain = json.loads(info_path(db_path).read_text(encoding="utf-8"))
        return KeyInfo(plain["key_id"], plain["storage"], plain["created_at"], plain.get("note", ""),
                       plain.get("pending_id", ""), plain.get("pending_storage", ""))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeyUnavailable(f"{info_path(db_path)} (which says where the database key is) cannot be read: {exc}") from exc


def write_info(db_path: Path, info: KeyInfo) -> None:
    tmp = info_path(db_path).with_suffix(".partial")
    tmp.write_text(json.dumps(info.__dict__, indent=2), encoding="utf-8")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    tmp.replace(info_path(db_path))


def key_dir() -> Path:
    override = os.environ.get(KEY_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    # The config folder, not the data folder: a copied or backed-up data directory then does
    # not carry its own key with it.
    return Path(platformdirs.user_config_dir("Countersign", appauthor=False)) / "keys"


def key_file(key_id: str) -> Path:
    return key_dir() / f"{key_id}.key"


def _keyring():
    """The OS keyring backend, or None with the reason there is none."""
    if os.environ.get(KEYRING_ENV, "").lower() in ("off", "0", "no", "false"):
        return None, f"${KEYRING_ENV} is off"
    try:
        import keyring
        from keyring.backends import fail
    except ImportError as exc:  # a build without the package
        return None, f"the keyring package is not installed ({exc})"
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None, "no OS keyring is available on this machine (headless Linux has none unless one is set up)"
    return backend, ""


def keyring_status() -> str:
    backend, why = _keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}" if backend else why


def new_key_id() -> str:
    return "csk_" + secrets.token_hex(8)


def store(db_path: Path, key: DatabaseKey) -> KeyInfo:
    """Keep a key and record beside the database where it is (a fresh database, a migration)."""
    info = stash(db_path, key)
    write_info(db_path, info)
    return info


def stash(db_path: Path, key: DatabaseKey, key_id: str | None = None) -> KeyInfo:
    """Keep a raw key where this machine keeps secrets best (a passphrase is kept nowhere), and
    say where; the caller records it beside the database once the database uses it."""
    key_id = key_id or new_key_id()
    if key.passphrase:
        _typed[key_id] = key.secret
        return KeyInfo(key_id, "passphrase", utc_now())
    backend, why = _keyring()
    if backend is not None:
        try:
            backend.set_password(KEYRING_SERVICE, key_id, key.secret)
            _remove_file(key_id)
            return KeyInfo(key_id, "keyring", utc_now())
        except Exception as exc:  # a locked or broken keyring: keyring raises many kinds
            why = f"the OS keyring refused the key ({type(exc).__name__}: {exc})"
    path = key_file(key_id)
    if path.resolve().is_relative_to(db_path.parent.resolve()):
        raise KeyUnavailable(f"the key folder {path.parent} is inside the data directory {db_path.parent}: "
                             f"set ${KEY_DIR_ENV} to a folder outside it")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key.secret + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o600)  # in case the file existed with wider permissions
    tmp.replace(path)
    return KeyInfo(key_id, "file", utc_now(), why)


def remember_passphrase(key_id: str, passphrase: str) -> None:
    _typed[key_id] = passphrase


def forget_typed() -> None:
    _typed.clear()


def load(db_path: Path, info: KeyInfo) -> DatabaseKey:
    """The key `info` names, or KeyUnavailable saying where it was looked for."""
    if info.storage == "passphrase":
        given = _typed.get(info.key_id) or os.environ.get(PASSPHRASE_ENV)
        if not given:
            raise PassphraseNeeded(f"{db_path} is protected by a passphrase: set ${PASSPHRASE_ENV}, or run "
                                   "Countersign where it can ask for it", info.key_id)
        return DatabaseKey(given, passphrase=True)
    if info.storage == "keyring":
        backend, why = _keyring()
        if backend is None:
            raise KeyUnavailable(f"the key of {db_path} is in the OS keyring, which is not available here ({why}); "
                                 "unlock or set up the keyring, or restore the key with `countersign key recover FILE`")
        try:
            secret = backend.get_password(KEYRING_SERVICE, info.key_id)
        except Exception as exc:
            raise KeyUnavailable(f"the OS keyring would not give the key of {db_path} ({type(exc).__name__}: {exc}); "
                                 "unlock it and try again") from exc
        if not secret:
            raise KeyUnavailable(f"the OS keyring holds no key {info.key_id} for {db_path} (the keyring was reset "
                                 "or this is another account); restore it with `countersign key recover FILE`")
        return DatabaseKey(secret)
    if info.storage == "file":
        path = key_file(info.key_id)
        try:
            return DatabaseKey(path.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            raise KeyUnavailable(f"the key file {path} of {db_path} is missing (was ${KEY_DIR_ENV} changed, or the "
                                 "folder deleted?); restore it with `countersign key recover FILE`") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyUnavailable(f"the key file {path} of {db_path} cannot be read: {exc}") from exc
    raise KeyUnavailable(f"{info_path(db_path)} names an unknown key storage {info.storage!r}")


def forget(info: KeyInfo) -> None:
    """Remove a key that no longer opens anything (after a key change)."""
    if info.storage == "keyring":
        backend, _ = _keyring()
        if backend is not None:
            try:
                backend.delete_password(KEYRING_SERVICE, info.key_id)
            except Exception:
                pass  # already gone; a stale entry opens nothing
    _remove_file(info.key_id)
    _typed.pop(info.key_id, None)


def _remove_file(key_id: str) -> None:
    try:
        key_file(key_id).unlink()
    except FileNotFoundError:
        pass
