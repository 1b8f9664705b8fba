"""`countersign server check`: each firm server the settings name, reached or not, and its version."""
from __future__ import annotations

from agents.cli.output import emit_json, plain
from agents.runtime import settings as settings_mod
from agents.runtime.firm import active_firm
from agents.runtime.paths import resolve_data_dir
from agents.services.server_check import check


def add_parser(server, common) -> None:
    sub = server.add_subparsers(dest="action", required=True)
    sub.add_parser("check", parents=[common], help="connect to the workspace, vector and inference servers "
                   "the settings name and report their versions")


def dispatch(args) -> int:
    paths = resolve_data_dir(args.data_dir, active_firm().default_data_dir()).ensure()
    try:
        settings = active_firm().governed(settings_mod.load(paths.settings))
    except settings_mod.SettingsError as exc:
        from agents.cli.commands import UserError

        raise UserError(str(exc)) from exc
    checks = check(settings)
    ok = all(c.ok for c in checks)
    if args.json:
        emit_json({"ok": ok, "firm_mode": bool(checks), "servers": plain(checks)})
    elif not checks:
        print("single-user mode: the settings name no workspace, vector or inference server")
    else:
        for c in checks:
            mark = "ok  " if c.ok else "FAIL"
            print(f"{mark} {c.server:<9} {c.address:<32} {c.version or '-':<24} {c.detail} ({c.seconds:.2f} s)")
    return 0 if ok else 1
