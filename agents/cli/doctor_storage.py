"""Doctor's look at how the data directory is protected at rest: the database's encryption,
where its key is kept, plaintext left in the data directory, and the volume beneath it."""
from __future__ import annotations

from agents.runtime import db_key, sqlcipher, volume
from agents.runtime.paths import DataPaths


def check(paths: DataPaths) -> tuple[str, str, list[str], list[str]]:
    """(database encryption, key storage, problems, warnings), in words. Reads files only: the
    database is not opened, so doctor runs without the passphrase."""
    problems: list[str] = []
    warnings: list[str] = []
    db = paths.database
    storage = ""
    if not db.exists():
        state = "not created yet (it will be encrypted)"
    elif sqlcipher.is_plaintext(db):
        state = "NOT encrypted"
        problems.append(f"{db} is a plaintext database: open Countersign once without "
                        "$COUNTERSIGN_PLAINTEXT_DATABASE to encrypt it")
    else:
        state = "encrypted (SQLCipher)"
        try:
            info = db_key.read_info(db)
        except db_key.KeyUnavailable as exc:
            info = None
            problems.append(str(exc))
        if info is None:
            problems.append(f"{db_key.info_path(db)} is missing: the key cannot be found; restore it with "
                            "`countersign key recover FILE`")
        else:
            storage = info.storage
            if info.storage == "file":
                key_file = db_key.key_file(info.key_id)
                storage = f"key file {key_file}"
                warnings.append(f"the database key is in a file ({key_file}), not an OS keyring"
                                + (f" ({info.note})" if info.note else "")
                                + ": anyone who can read this account's files can open the database; set a "
                                  "passphrase (`countersign key set-passphrase`) or set up a keyring and run "
                                  "`countersign key change`")
                if not key_file.exists():
                    problems.append(f"the key file {key_file} is missing: restore it with `countersign key recover FILE`")
                elif loose := volume.permissions_warning(key_file):
                    problems.append(loose)
            elif info.storage == "keyring":
                storage = f"OS keyring ({db_key.keyring_status()})"
            else:
                storage = "passphrase (stored nowhere)"
    left = [p for p in paths.legacy_exports.rglob("*") if p.is_file()] if paths.legacy_exports.is_dir() else []
    if left:
        warnings.append(f"{len(left)} exported file(s) are still in {paths.legacy_exports}, in plaintext inside the "
                        f"data directory: move them out (exports now go to {paths.exports})")
    warnings.extend(volume.warnings(paths.root))
    return state, storage, problems, warnings
