"""The `countersign` command line: the same operations as the window, scriptable with --json."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agents.cli import account_cli, commands, key_cli, server_cli
from agents.cli import models as models_cli
from agents.cli import templates_cli
from agents.cli import selftest
from agents.cli.output import err
from agents.domain.review_rules import SIGN_OFF_MEANINGS, SIGN_OFF_ROLES
from agents.domain.signoff_policy import ROLES

EPILOG = "Run `countersign` with no command to open the desktop window."


def page_range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    try:
        first, last = int(lo), int(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a page range like 3-7") from None
    if not 1 <= first <= last:
        raise argparse.ArgumentTypeError(f"'{text}' is not a page range like 3-7")
    return first, last


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    # SUPPRESS so a value given before the command is not reset by the sub-parser's default.
    p.add_argument("--data-dir", default=argparse.SUPPRESS, help="data directory (default: $COUNTERSIGN_DATA_DIR or the per-user folder)")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object on stdout")
    p.add_argument("--user", default=argparse.SUPPRESS,
                   help="firm mode: sign in as this account (password from $COUNTERSIGN_USER_PASSWORD, or asked for)")
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="countersign", description="Offline drafting and review for professional firms.",
                                     epilog=EPILOG, parents=[common])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def cmd(name: str, help: str, **kw) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common], **kw)

    matter = cmd("matter", "create or list matters")
    msub = matter.add_subparsers(dest="action", required=True)
    msub.add_parser("create", parents=[common]).add_argument("name")
    msub.add_parser("list", parents=[common])
    account_cli.add_parsers(sub, msub, common)

    p = cmd("ingest", "add files or folders to a matter")
    p.add_argument("matter")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--watch", action="store_true",
                   help="keep running and re-sync whenever a file changes (Ctrl+C stops); --json prints one line per sync")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between looks for changes with --watch")

    p = cmd("reembed", "re-embed matters with the embedder chosen in settings (resumable)")
    p.add_argument("matter", nargs="?", help="one matter (default: every matter still on another embedder)")

    p = cmd("search", "ranked passages for a query, without the model")
    p.add_argument("matter")
    p.add_argument("query")
    p.add_argument("--document", help="only this document (file name)")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--pages", type=page_range, help="only these pages, e.g. 3-7 or 12")

    p = cmd("ask", "ask a question of a matter's documents")
    p.add_argument("matter")
    p.add_argument("question")

    p = cmd("draft", "run an agent that drafts a work product")
    p.add_argument("matter")
    p.add_argument("work_product", help="a template id, see `countersign templates list`")
    p.add_argument("--document", help="file name or path for the template's first document or table input")
    p.add_argument("--input", action="append", default=[], metavar="NAME=VALUE",
                   help="a template input, e.g. --input materiality=50000 (repeatable)")
    p.add_argument("--preparer", default="", help="name recorded as the preparer")

    review = cmd("review", "list, approve and sign off drafts")
    rsub = review.add_subparsers(dest="action", required=True)
    rsub.add_parser("list", parents=[common]).add_argument("--matter")
    rp = rsub.add_parser("show", parents=[common])
    rp.add_argument("draft")
    rp.add_argument("--viewer", default="", help="who is looking (viewing signed work is audited)")
    for name in ("approve", "request-changes", "revise"):
        rp = rsub.add_parser(name, parents=[common])
        rp.add_argument("draft")
        rp.add_argument("--reviewer", required=True)
        rp.add_argument("--note", default="")
    rp = rsub.add_parser("signoff", parents=[common], aliases=["sign-off"])
    rp.add_argument("draft")
    rp.add_argument("--reviewer", required=True)
    rp.add_argument("--role", default="", choices=SIGN_OFF_ROLES, help="must match the profile (default: the profile's role)")
    rp.add_argument("--meaning", required=True, choices=SIGN_OFF_MEANINGS)
    _section_review_parsers(rsub, common)

    p = cmd("export", "export a draft as DOCX, PDF or Markdown, or a contract review's redline")
    p.add_argument("draft")
    p.add_argument("--format", choices=["docx", "md", "pdf", "redline-docx"], default="docx",
                   help="redline-docx: the contract with the memo's suggested revisions as tracked changes")
    p.add_argument("--out", type=Path)
    p.add_argument("--by", default="", help="name recorded in the audit log as the exporter")
    _seal_options(p, "export")

    p = cmd("decrypt", "open a password-protected export or package into a plain file")
    p.add_argument("file", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--password-file", type=Path, help=key_cli.PASSWORD_FILE_HELP)

    key_cli.add_parser(cmd("key", "the database key: status, change, passphrase, recovery"), common)
    server_cli.add_parser(cmd("server", "firm mode: check the workspace, vector and inference servers"), common)

    p = cmd("templates", "list work-product templates or check one")
    tsub = p.add_subparsers(dest="action", required=True)
    tsub.add_parser("list", parents=[common])
    tsub.add_parser("check", parents=[common]).add_argument("file", type=Path)

    p = cmd("doctor", "check models, data directory and disk")
    p.add_argument("--no-load", action="store_true", help="skip loading the models")

    p = cmd("self-test", "run the whole loop headless in a temporary data directory and print a JSON report")
    p.add_argument("--keep", action="store_true", help="keep the temporary data directory for inspection")

    p = cmd("verify", "check the audit log's hash chain, or that FILE is an exported draft on record")
    p.add_argument("file", nargs="?", type=Path, help="an exported file: which draft, version and sign-off it is")
    p.add_argument("--head", default="", metavar="HASH",
                   help="a head this command printed before (kept outside the data directory): it must still be in the chain")
    p.add_argument("--password-file", type=Path, help="for a password-protected export: " + key_cli.PASSWORD_FILE_HELP)

    p = cmd("package", "send a draft to a reviewer on another installation, or take a package in")
    psub = p.add_subparsers(dest="action", required=True)
    pp = psub.add_parser("export", parents=[common], help="write the draft, its evidence and audit entries as one signed file")
    pp.add_argument("draft")
    pp.add_argument("file", type=Path)
    pp.add_argument("--actor", default="", help="name recorded as sending it")
    _seal_options(pp, "package")
    pp = psub.add_parser("import", parents=[common], help="check a package and take it in (a review, or a reviewer's reply)")
    pp.add_argument("file", type=Path)
    pp.add_argument("--expect-key", default="", metavar="FINGERPRINT",
                    help="refuse the package unless it is signed by this key (see `countersign package key` on the sender)")
    pp.add_argument("--actor", default="", help="name recorded as importing it")
    pp.add_argument("--password-file", type=Path, help="for a password-protected package: " + key_cli.PASSWORD_FILE_HELP)
    pp = psub.add_parser("show", parents=[common], help="check a package and show who signed it, without importing it")
    pp.add_argument("file", type=Path)
    pp.add_argument("--password-file", type=Path, help="for a password-protected package: " + key_cli.PASSWORD_FILE_HELP)
    psub.add_parser("key", parents=[common], help="this installation's key fingerprint")

    models_cli.add_parser(cmd("models", "list, add, check and choose model files"), common)

    _people_parsers(cmd, common)

    settings = cmd("settings", "show or change settings")
    ssub = settings.add_subparsers(dest="action", required=True)
    ssub.add_parser("show", parents=[common])
    sp = ssub.add_parser("set", parents=[common])
    sp.add_argument("key")
    sp.add_argument("value")
    return parser


def _seal_options(p: argparse.ArgumentParser, what: str) -> None:
    how = p.add_mutually_exclusive_group()
    how.add_argument("--encrypt", action="store_true", help=f"protect the {what} with a password (asked twice)")
    how.add_argument("--password-file", type=Path, help=f"protect the {what} with the password on this file's first line")


def _section_review_parsers(rsub, common: argparse.ArgumentParser) -> None:
    def section_cmd(name: str, help: str) -> argparse.ArgumentParser:
        rp = rsub.add_parser(name, parents=[common], help=help)
        rp.add_argument("draft")
        rp.add_argument("section", help="the section's key, as `review show` prints it in brackets")
        rp.add_argument("--reviewer", default="", help="your name (default: the reviewer_name setting)")
        return rp

    rp = section_cmd("edit", "replace a section's text; the diff against the agent's text is kept")
    text = rp.add_mutually_exclusive_group(required=True)
    text.add_argument("--file", type=Path, help="a UTF-8 text file with the new section text")
    text.add_argument("--text", help="the new section text")
    section_cmd("comment", "comment on a section").add_argument("text")
    rp = section_cmd("resolve", "resolve a verifier flag: fixed by an edit, or accepted with a reason")
    rp.add_argument("flag", type=int, help="the flag's number, as `review show` prints it")
    how = rp.add_mutually_exclusive_group(required=True)
    how.add_argument("--fixed", action="store_true", help="the edit removed what the flag pointed at")
    how.add_argument("--accept", metavar="REASON", help="the text stands; say why")
    section_cmd("approve-section", "approve one section").add_argument("--note", default="")
    section_cmd("request-section-changes", "send one section back").add_argument("--note", required=True)


def _people_parsers(cmd, common: argparse.ArgumentParser) -> None:
    p = cmd("profile", "the firm's people who prepare, review and sign")
    psub = p.add_subparsers(dest="action", required=True)
    pp = psub.add_parser("add", parents=[common])
    pp.add_argument("name")
    pp.add_argument("--initials", required=True)
    pp.add_argument("--role", required=True, choices=ROLES)
    psub.add_parser("list", parents=[common])
    p = cmd("policy", "the firm's sign-off policy: who may sign, second reviewer, maker-checker")
    psub = p.add_subparsers(dest="action", required=True)
    psub.add_parser("show", parents=[common])
    pp = psub.add_parser("set", parents=[common], help="e.g. `policy set signers.legal partner` or "
                                                      "`policy set second_reviewer on`")
    pp.add_argument("key")
    pp.add_argument("value")
    pp.add_argument("--by", default="", help="who changes the policy (recorded in the audit log)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.json = getattr(args, "json", False)
    args.data_dir = getattr(args, "data_dir", None)
    args.user = getattr(args, "user", None)
    if not args.command:
        parser.print_help()
        return 2
    try:
        if args.command == "templates":
            return templates_cli.dispatch(args)
        if args.command == "server":
            return server_cli.dispatch(args)
        if args.command == "self-test":
            return selftest.main(args.keep)
        return models_cli.dispatch(args) if args.command == "models" else commands.dispatch(args)
    except KeyboardInterrupt:
        err("cancelled")
        return 130
    except commands.UserError as exc:
        err(str(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
