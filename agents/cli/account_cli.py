"""Firm mode from the command line: `--user NAME` signs in (the password from
$COUNTERSIGN_USER_PASSWORD or asked for), `countersign account add|list` manages the accounts, and
`countersign matter members|grant|revoke` who may see a matter."""
from __future__ import annotations

import getpass
import os
import sys

from agents.cli.output import emit_json
from agents.services.walls_facade import USER_PASSWORD_ENV


def add_parsers(sub, msub, common) -> None:
    account = sub.add_parser("account", parents=[common], help="firm mode: the accounts that may sign in")
    asub = account.add_subparsers(dest="action", required=True)
    ap = asub.add_parser("add", parents=[common], help="a new account; the first one needs no sign-in and should be --admin")
    ap.add_argument("name")
    ap.add_argument("--admin", action="store_true", help="may add accounts and let anyone into any matter")
    ap.add_argument("--password-file", help="the new account's password, first line (else asked for twice)")
    asub.add_parser("list", parents=[common])
    msub.add_parser("members", parents=[common], help="firm mode: who may see the matter").add_argument("name")
    for action, words in (("grant", "let ACCOUNT see the matter"), ("revoke", "stop ACCOUNT seeing the matter")):
        mp = msub.add_parser(action, parents=[common], help=f"firm mode: {words}")
        mp.add_argument("name")
        mp.add_argument("account")


def password(args) -> str:
    """The signing-in user's password: the environment, else asked on a terminal."""
    if not getattr(args, "user", None):
        return ""
    if os.environ.get(USER_PASSWORD_ENV):
        return os.environ[USER_PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise ValueError(f"--user needs the password: set ${USER_PASSWORD_ENV} or run on a terminal")
    return getpass.getpass(f"password for {args.user}: ")


def _new_password(args) -> str:
    if args.password_file:
        with open(args.password_file, encoding="utf-8") as fh:
            return fh.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise ValueError("give the new account's password with --password-file, or run on a terminal")
    first = getpass.getpass(f"password for the new account {args.name}: ")
    if first != getpass.getpass("again: "):
        raise ValueError("the two passwords differ; nothing was created")
    return first


def _workspace(args):
    """The firm workspace the settings name, opened without signing in (accounts are their own check)."""
    from agents.runtime import settings as settings_mod
    from agents.runtime.firm import active_firm
    from agents.runtime.paths import resolve_data_dir
    from agents.runtime.pg_database import connect_workspace

    paths = resolve_data_dir(args.data_dir, active_firm().default_data_dir()).ensure()
    url = active_firm().governed(settings_mod.load(paths.settings)).workspace_url
    if not url:
        raise ValueError("accounts are for firm mode: set workspace_url first (docs/firm-servers.md)")
    return connect_workspace(url)


def account_command(args) -> int:
    """`account add|list`, on the workspace the settings name. With no accounts yet, the first is
    created without signing in (IT's bootstrap); after that only a signed-in administrator may."""
    from agents.review.accounts import AccountStore

    db = _workspace(args)
    try:
        accounts = AccountStore(db)
        if args.action == "list":
            listed = accounts.list()
            emit_json({"accounts": listed}) if args.json else print("\n".join(
                f"{a.name}{'  (admin)' if a.admin else ''}" for a in listed) or "no accounts yet")
            return 0
        by = "bootstrap"
        if accounts.count():
            if not getattr(args, "user", None):
                raise ValueError("adding an account needs an administrator signed in: --user NAME")
            me = accounts.sign_in(args.user, password(args))
            if not me.admin:
                raise PermissionError(f"{me.name} is not an administrator; ask IT to add the account")
            by = me.name
        made = accounts.add(args.name, _new_password(args), args.admin, by)
        emit_json(made) if args.json else print(f"added account '{made.name}'" + (" (admin)" if made.admin else ""))
        return 0
    finally:
        db.close()


def members_command(app, args) -> int:
    if args.action == "members":
        names = app.matter_members(args.name)
    elif args.action == "grant":
        names = app.grant_access(args.name, args.account)
    else:
        names = app.revoke_access(args.name, args.account)
    emit_json({"matter": args.name, "members": names}) if args.json else print("\n".join(names))
    return 0
