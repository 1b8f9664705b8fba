"""The database key: SQLCipher with FTS5, where the key is kept (keyring, key file, passphrase),
key changes that survive a crash half-way, and errors that name the missing key and lose nothing."""
from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend

from agents.runtime import db_key, sqlcipher
from agents.runtime.database import connect, raw_connection
from agents.runtime.db_key import DatabaseKey, KeyInfo, KeyUnavailable, PassphraseNeeded
from agents.runtime.sqlcipher import PLAINTEXT_HEADER, WrongKey


def _db(path):
    db = connect(path)
    db.execute("INSERT INTO matters VALUES ('m1', 'Harbor Ltd', 'now')")
    return db


def test_the_bundled_sqlcipher_is_version_4_with_fts5(tmp_path):
    db = connect(tmp_path / "a.sqlite3")
    assert db.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    db.execute("INSERT INTO t VALUES ('the escrow side letter')")
    assert db.execute("SELECT count(*) FROM t WHERE t MATCH 'escrow'").fetchone()[0] == 1
    db.close()
    assert (tmp_path / "a.sqlite3").read_bytes()[:16] != PLAINTEXT_HEADER
    assert b"escrow" not in (tmp_path / "a.sqlite3").read_bytes()


def test_a_missing_key_file_is_named_and_the_database_is_untouched(tmp_path):
    path = tmp_path / "a.sqlite3"
    _db(path).close()
    before = path.read_bytes()
    info = db_key.read_info(path)
    db_key.key_file(info.key_id).rename(tmp_path / "moved.key")
    with pytest.raises(KeyUnavailable, match=f"the key file .*{info.key_id}.key of .* is missing"):
        connect(path)
    assert path.read_bytes() == before
    (tmp_path / "moved.key").rename(db_key.key_file(info.key_id))
    assert connect(path).execute("SELECT name FROM matters").fetchone()[0] == "Harbor Ltd"


def test_a_key_that_does_not_open_the_database_says_so(tmp_path):
    path = tmp_path / "a.sqlite3"
    _db(path).close()
    info = db_key.read_info(path)
    db_key.key_file(info.key_id).write_text(DatabaseKey.generate().secret)
    with pytest.raises(WrongKey, match="the key file .* does not open .*a.sqlite3"):
        connect(path)


def test_an_encrypted_database_without_its_key_record_is_not_called_damaged(tmp_path):
    path = tmp_path / "a.sqlite3"
    _db(path).close()
    db_key.info_path(path).unlink()
    with pytest.raises(KeyUnavailable, match="is missing beside it: restore the key with `countersign key recover"):
        connect(path)


def test_a_passphrase_is_asked_for_and_a_wrong_one_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "a.sqlite3"
    db = _db(path)
    db.change_key(DatabaseKey("correct horse battery", passphrase=True))
    db.close()
    db_key.forget_typed()
    with pytest.raises(PassphraseNeeded, match="protected by a passphrase") as needed:
        connect(path)
    db_key.remember_passphrase(needed.value.key_id, "wrong horse battery")
    with pytest.raises(WrongKey, match="the passphrase does not open"):
        connect(path)
    db_key.forget_typed()
    monkeypatch.setenv(db_key.PASSPHRASE_ENV, "correct horse battery")
    assert connect(path).execute("SELECT name FROM matters").fetchone()[0] == "Harbor Ltd"
    assert list(db_key.key_dir().glob(f"{db_key.read_info(path).key_id}*")) == []  # the passphrase is stored nowhere


def test_a_key_change_interrupted_before_the_rekey_or_after_it_still_opens(tmp_path):
    path = tmp_path / "a.sqlite3"
    db = _db(path)
    old = db.key_info
    new_key = DatabaseKey.generate()
    new = db_key.stash(path, new_key)
    pending = KeyInfo(old.key_id, old.storage, old.created_at, "", new.key_id, new.storage)
    db_key.write_info(path, pending)  # crash here: the rekey never ran
    db.close()
    db = connect(path)
    assert db.key_info.key_id == old.key_id and db.execute("SELECT count(*) FROM matters").fetchone()[0] == 1
    db_key.write_info(path, pending)
    sqlcipher.rekey(db._conn, new_key)  # crash here: rekeyed, but the key record still names the old key
    db.close()
    db = connect(path)
    assert db.key_info.key_id == new.key_id and db_key.read_info(path).pending_id == ""
    assert not db_key.key_file(old.key_id).exists()  # the old key opens nothing now, and is gone
    assert db.execute("SELECT name FROM matters").fetchone()[0] == "Harbor Ltd"


class _MemoryKeyring(KeyringBackend):
    """A keyring backend as the keyring package defines them, holding secrets in a dict (the
    real OS keyrings need a desktop session this headless machine has not got)."""
    priority = 1

    def __init__(self):
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


def test_with_a_keyring_the_key_lives_there_and_a_reset_keyring_is_named(tmp_path, monkeypatch):
    import keyring

    backend = _MemoryKeyring()
    monkeypatch.setenv(db_key.KEYRING_ENV, "on")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        path = tmp_path / "a.sqlite3"
        _db(path).close()
        info = db_key.read_info(path)
        assert info.storage == "keyring" and (db_key.KEYRING_SERVICE, info.key_id) in backend.secrets
        assert not db_key.key_file(info.key_id).exists()
        assert raw_connection(path).execute("SELECT count(*) FROM matters").fetchone()[0] == 1
        backend.secrets.clear()
        with pytest.raises(KeyUnavailable, match=f"the OS keyring holds no key {info.key_id}"):
            connect(path)
    finally:
        keyring.set_keyring(previous)


def test_with_no_keyring_the_key_file_records_why(tmp_path):
    path = tmp_path / "a.sqlite3"
    _db(path).close()
    info = db_key.read_info(path)
    assert info.storage == "file" and "COUNTERSIGN_KEYRING" in info.note


def test_a_key_folder_inside_the_data_directory_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(db_key.KEY_DIR_ENV, str(tmp_path / "keys"))
    with pytest.raises(KeyUnavailable, match="inside the data directory"):
        connect(tmp_path / "a.sqlite3")
