"""The database file through SQLCipher: open with a key, encrypt a plaintext database in place,
change the key. SQLCipher encrypts every page (the WAL's too), so no document text, FTS5 index
or audit entry reaches the disk in the clear."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlcipher3 import dbapi2 as dbapi

from agents.runtime import db_key
from agents.runtime.db_key import DatabaseKey, KeyInfo, KeyUnavailable

PLAINTEXT_HEADER = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm", "-journal")


class WrongKey(KeyUnavailable):
    """A key was found but it does not open the database."""


def is_plaintext(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == PLAINTEXT_HEADER
    except FileNotFoundError:
        return False


def raw_connect(path: Path, key: DatabaseKey | None, timeout: float = 10.0) -> dbapi.Connection:
    """A connection with the key applied and proven: SQLCipher only finds a wrong key at the
    first read, so one is made here, where the error can say which key failed."""
    conn = dbapi.connect(str(path), timeout=timeout, check_same_thread=False, isolation_level=None)
    try:
        # A wrong key is reported by the exception below; SQLCipher's own stderr lines would only repeat it.
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            conn.execute(f"PRAGMA key = {key.pragma()}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi.DatabaseError:
        conn.close()
        raise
    return conn


def open_with(path: Path, info: KeyInfo) -> tuple[dbapi.Connection, KeyInfo]:
    """Open an encrypted database with the key its key file names, or the key of a key change
    that did not finish (then the key file is brought up to date). Errors name the key's storage."""
    tried: list[str] = []
    for candidate in (info, info.pending()):
        if candidate is None:
            continue
        try:
            key = db_key.load(path, candidate)
        except KeyUnavailable as exc:
            if candidate is info and info.pending() is None:
                raise
            tried.append(str(exc))
            continue
        try:
            conn = raw_connect(path, key)
        except dbapi.DatabaseError as exc:
            where = {"keyring": "the database key in the OS keyring", "file": f"the key file {db_key.key_file(candidate.key_id)}",
                     "passphrase": "the passphrase given"}[candidate.storage]
            tried.append(f"{where} does not open {path}: {exc}")
            continue
        if candidate is not info:  # the key change had committed; record it as done
            settled = KeyInfo(candidate.key_id, candidate.storage, candidate.created_at)
            db_key.write_info(path, settled)
            db_key.forget(KeyInfo(info.key_id, info.storage, info.created_at))
            return conn, settled
        return conn, info
    if info.storage == "passphrase" and len(tried) == 1:
        raise WrongKey(f"the passphrase does not open {path}; nothing was changed, try again")
    raise WrongKey("; ".join(tried) + " (nothing was changed; restore the key with `countersign key recover FILE`)")


def encrypt_in_place(path: Path, key: DatabaseKey) -> None:
    """Turn a plaintext database into an encrypted one: export into a new file, prove it opens,
    swap it in atomically, then overwrite and remove every plaintext byte the old file and its
    WAL held. A crash before the swap leaves the plaintext database as it was (tried again at
    the next open); after it, the encrypted one. The caller has stored the key first."""
    staging = staging_path(path)
    staging.unlink(missing_ok=True)
    plain = raw_connect(path, None)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = plain.execute("PRAGMA user_version").fetchone()[0]
        plain.execute(f"ATTACH DATABASE ? AS encrypted KEY {key.pragma()}", (str(staging),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    _fsync(staging)
    check = raw_connect(staging, key)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RuntimeError(f"the encrypted copy of {path} does not check; the plaintext database is untouched")
    finally:
        check.close()
    if os.name == "nt":  # Windows refuses to replace an open file: the old blocks are only freed
        os.replace(staging, path)
    else:
        with open(path, "r+b") as old:  # held open: after the swap it still names the plaintext bytes
            os.replace(staging, path)
            _fsync_dir(path.parent)
            _overwrite(old)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():  # the plaintext's WAL, checkpointed above but perhaps not truncated
            with open(side, "r+b") as f:
                _overwrite(f)
            side.unlink()


def staging_path(path: Path) -> Path:
    return path.with_name(path.name + ".encrypting")


def clear_staging(path: Path) -> None:
    """A half-written encrypted copy left by a crash: the plaintext file is still the database."""
    for p in (staging_path(path), *(staging_path(path).with_name(staging_path(path).name + s) for s in SIDE_FILES)):
        p.unlink(missing_ok=True)


def rekey(conn: dbapi.Connection, key: DatabaseKey) -> None:
    """Re-encrypt every page under `key` (SQLCipher rewrites the file; WAL mode must be left first,
    as SQLCipher cannot rekey a database in WAL mode)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute(f"PRAGMA rekey = {key.pragma()}")
    conn.execute("PRAGMA journal_mode=WAL")


def as_sqlite3(exc: dbapi.Error) -> sqlite3.Error:
    """The same error as the standard library's class of the same name, so callers (and their
    `except sqlite3.IntegrityError`) do not depend on which driver opened the database."""
    cls = getattr(sqlite3, type(exc).__name__, sqlite3.DatabaseError)
    out = cls(*exc.args)
    out.sqlite_errorcode = getattr(exc, "sqlite_errorcode", None)
    out.sqlite_errorname = getattr(exc, "sqlite_errorname", None)
    return out


def _overwrite(f) -> None:
    # Best effort: a journaling, copy-on-write or flash file system may keep the old blocks
    # anyway, which is why doctor also asks whether the volume itself is encrypted.
    size = os.fstat(f.fileno()).st_size
    f.seek(0)
    block = b"\0" * (1 << 20)
    for start in range(0, size, len(block)):
        f.write(block[: min(len(block), size - start)])
    f.flush()
    os.fsync(f.fileno())


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its rename is durable enough
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
