"""`countersign key ...` (the database key) and the CLI's password handling: a passphrase asked
for when the database needs one, and --password-file / --encrypt for sealed packages and exports."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

from agents.cli.output import emit_json, err, plain
from agents.review.sealed import read_password_file
from agents.runtime.paths import resolve_data_dir
from agents.services import PassphraseNeeded, give_passphrase
from agents.services.key_facade import forget_passphrases, recover_database_key

PASSWORD_FILE_HELP = "read the password from the first line of this file (else it is asked for on a terminal)"


def add_parser(key, common) -> None:
    ksub = key.add_subparsers(dest="action", required=True)
    ksub.add_parser("status", parents=[common], help="where the database key lives and how strong that storage is")
    ksub.add_parser("change", parents=[common],
                    help="re-encrypt under a new random key kept in the OS keyring (or key file); removes a passphrase")
    kp = ksub.add_parser("set-passphrase", parents=[common], help="re-encrypt under a passphrase that is stored nowhere")
    kp.add_argument("--passphrase-file", type=Path, help="read the new passphrase from this file's first line")
    kp = ksub.add_parser("export-recovery", parents=[common], help="write the key to a file to keep offline")
    kp.add_argument("file", type=Path)
    kp = ksub.add_parser("recover", parents=[common], help="put a recovery file's key back (keyring or key file lost)")
    kp.add_argument("file", type=Path)


def open_with_passphrase(open_app):
    """`open_app()`, asking on the terminal for the database's passphrase if it has one and
    $COUNTERSIGN_PASSPHRASE does not give it. Three tries, like sudo; nothing is changed by a wrong one."""
    from agents.services import WrongKey

    for attempt in range(3):
        try:
            return open_app()
        except PassphraseNeeded as exc:
            if not sys.stdin.isatty():
                raise
            give_passphrase(exc.key_id, getpass.getpass("database passphrase: "))
        except WrongKey:
            if attempt == 2 or not sys.stdin.isatty():
                raise
            err("that passphrase does not open the database; try again")
            forget_passphrases()
    return open_app()


def new_password(args, what: str) -> str | None:
    """The password that seals a new file: --password-file, or asked twice with --encrypt."""
    if getattr(args, "password_file", None):
        return read_password_file(args.password_file)
    if not getattr(args, "encrypt", False):
        return None
    if not sys.stdin.isatty():
        raise ValueError(f"--encrypt asks for the {what} password on a terminal; without one, give --password-file")
    first = getpass.getpass(f"password for the {what}: ")
    if first != getpass.getpass("again: "):
        raise ValueError("the two passwords differ; nothing was written")
    return first


def given_password(args, path: Path, sealed: bool) -> str | None:
    """The password that opens `path`: --password-file, else asked once if the file is sealed."""
    if getattr(args, "password_file", None):
        return read_password_file(args.password_file)
    if sealed and sys.stdin.isatty():
        return getpass.getpass(f"password for {path.name}: ")
    return None


def dispatch(args, open_app) -> int:
    if args.action == "recover":
        status = recover_database_key(resolve_data_dir(args.data_dir), args.file)
        emit_json(status) if args.json else print(f"the key opens the database; it is back in {status.location}")
        return 0
    app = open_app()
    try:
        if args.action == "status":
            status = app.database_key_status()
        elif args.action == "change":
            status = app.change_database_key()
        elif args.action == "set-passphrase":
            status = app.set_database_passphrase(_new_passphrase(args))
        else:
            out = app.export_recovery_key(args.file)
            emit_json({"path": str(out)}) if args.json else print(
                f"wrote {out} (readable by you only): keep it offline, away from this machine; with it "
                "`countersign key recover FILE` opens the database if the keyring or key file is lost")
            return 0
    finally:
        app.close()
    if args.json:
        emit_json(plain(status))
    else:
        print(f"database: {'encrypted (SQLCipher ' + status.cipher_version + ')' if status.encrypted else 'NOT encrypted'}"
              f"\nkey: {status.location}" + (f"\nkey id: {status.key_id}" if status.key_id else "")
              + (f"\nnote: {status.note}" if status.note else ""))
    return 0


def _new_passphrase(args) -> str:
    if args.passphrase_file:
        return read_password_file(args.passphrase_file)
    if not sys.stdin.isatty():
        raise ValueError("set-passphrase asks for the passphrase on a terminal; without one, give --passphrase-file")
    first = getpass.getpass("new database passphrase: ")
    if first != getpass.getpass("again: "):
        raise ValueError("the two passphrases differ; the key was not changed")
    return first


def decrypt(app, args) -> int:
    if args.out.resolve().is_relative_to(app.paths.root):
        raise ValueError(f"write the opened file outside the data directory {app.paths.root}, which keeps no plaintext")
    out = app.decrypt_file(args.file, given_password(args, args.file, True) or "", args.out)
    emit_json({"path": str(out)}) if args.json else print(f"opened {args.file} into {out}")
    return 0
