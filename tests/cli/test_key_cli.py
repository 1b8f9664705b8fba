"""`countersign key`: status, a passphrase set and required, a key change back to a stored key,
a recovery file that brings a lost key back; and doctor saying where the key is kept."""
from __future__ import annotations

import json

from agents.cli.main import main
from agents.runtime import db_key


def _cli(capsys, data_dir, *args):
    capsys.readouterr()
    code = main(["--data-dir", str(data_dir), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_passphrase_change_recovery_and_doctor(capsys, data_dir, tmp_path, monkeypatch):
    assert _cli(capsys, data_dir, "matter", "create", "Harbor")[0] == 0
    code, out, _ = _cli(capsys, data_dir, "key", "status", "--json")
    status = json.loads(out)
    assert code == 0 and status["encrypted"] and status["storage"] == "file" and status["cipher_version"].startswith("4.")

    phrase = tmp_path / "phrase.txt"
    phrase.write_text("correct horse battery staple\n")
    assert _cli(capsys, data_dir, "key", "set-passphrase", "--passphrase-file", str(phrase))[0] == 0
    assert not db_key.key_file(status["key_id"]).exists()  # the stored key is gone with the passphrase
    db_key.forget_typed()
    code, _, err = _cli(capsys, data_dir, "matter", "list")  # no terminal to ask on
    assert code == 1 and "is protected by a passphrase: set $COUNTERSIGN_PASSPHRASE" in err
    monkeypatch.setenv("COUNTERSIGN_PASSPHRASE", "not the passphrase")
    code, _, err = _cli(capsys, data_dir, "matter", "list")
    assert code == 1 and "the passphrase does not open" in err
    monkeypatch.setenv("COUNTERSIGN_PASSPHRASE", "correct horse battery staple")
    code, out, _ = _cli(capsys, data_dir, "matter", "list")
    assert code == 0 and "Harbor" in out
    code, _, err = _cli(capsys, data_dir, "key", "export-recovery", str(tmp_path / "r0.json"))
    assert code == 1 and "keyed by its passphrase, which is its recovery key" in err

    assert _cli(capsys, data_dir, "key", "change")[0] == 0
    monkeypatch.delenv("COUNTERSIGN_PASSPHRASE")
    db_key.forget_typed()
    recovery = tmp_path / "recovery.json"
    assert _cli(capsys, data_dir, "key", "export-recovery", str(recovery))[0] == 0
    assert recovery.stat().st_mode & 0o777 == 0o600
    info = db_key.read_info(data_dir / "countersign.sqlite3")
    db_key.key_file(info.key_id).unlink()  # the key folder is lost
    code, _, err = _cli(capsys, data_dir, "matter", "list")
    assert code == 1 and f"{info.key_id}.key of" in err and "is missing" in err and "key recover" in err
    code, out, _ = _cli(capsys, data_dir, "key", "recover", str(recovery))
    assert code == 0 and "the key opens the database" in out
    assert "Harbor" in _cli(capsys, data_dir, "matter", "list")[1]

    code, out, _ = _cli(capsys, data_dir, "doctor", "--no-load", "--json")
    report = json.loads(out)
    assert report["database_encryption"] == "encrypted (SQLCipher)" and "key file" in report["key_storage"]
    assert any("not an OS keyring" in w for w in report["warnings"])
