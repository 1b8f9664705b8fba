"""CLI handlers for per-section review (show, edit, comment, resolve, approve or send back a
section) and for the firm's people and sign-off policy."""
from __future__ import annotations

import getpass
from pathlib import Path

from agents.cli.output import emit_json, plain
from agents.domain.draft_review import DraftReview
from agents.domain.text_diff import render
from agents.review import export
from agents.services import Countersign

ACTIONS = ("show", "edit", "comment", "resolve", "approve-section", "request-section-changes")


class CliInputError(ValueError):
    """Bad command-line input; the CLI prints it without a traceback."""


def _name(app: Countersign, given: str, what: str = "--reviewer") -> str:
    name = given.strip() or app.settings.reviewer_name.strip()
    if not name:
        raise CliInputError(f"say who you are with {what} NAME (or `countersign settings set reviewer_name NAME`)")
    return name


def review(app: Countersign, args) -> int:
    if args.action == "show":
        viewer = args.viewer.strip() or app.settings.reviewer_name.strip() or getpass.getuser()
        return _show(app, app.view_draft(args.draft, viewer), args.json)
    who = _name(app, args.reviewer)
    if args.action == "edit":
        if args.file is not None:
            try:
                body = Path(args.file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CliInputError(f"cannot read the new text from {args.file}: {exc}") from exc
        else:
            body = args.text
        result = app.edit_section(args.draft, args.section, who, body)
        if args.json:
            emit_json({"id": result.draft.id, "version": result.draft.version, "new_version": result.new_version,
                       "section": result.section_key, "content_sha256": result.draft.content_sha256,
                       "diff": result.diff})
            return 0
        if result.new_version:
            print(f"{args.draft} is signed and stays as signed; the edit is in a new version: "
                  f"{result.draft.id} (v{result.draft.version}), which needs its own sign-off")
        print(f"{result.draft.id}: section '{result.section_key}' edited (content SHA-256 "
              f"{result.draft.content_sha256})\nchanges against the agent's text:\n{render(result.diff)}")
        return 0
    if args.action == "comment":
        c = app.comment(args.draft, args.section, who, args.text)
        emit_json(c) if args.json else print(f"comment added to section '{c.section_key}' by {c.author} at {c.at}")
        return 0
    if args.action == "resolve":
        r = app.resolve_flag(args.draft, args.section, args.flag, who, fixed=args.fixed, accept_reason=args.accept or "")
        emit_json(r) if args.json else print(
            f"flag {r.flag_index} of section '{r.section_key}': {r.resolution.value}"
            + (f" ({r.reason})" if r.reason else "") + f" by {r.resolved_by}")
        return 0
    if args.action == "approve-section":
        app.approve_section(args.draft, args.section, who, args.note)
    else:
        app.request_section_changes(args.draft, args.section, who, args.note)
    view = app.view_draft(args.draft, who)
    status = view.section(args.section).status
    emit_json({"id": args.draft, "section": args.section, "status": status}) if args.json else print(
        f"{args.draft}: section '{args.section}' {status.value.replace('_', ' ')}")
    return 0


def _show(app: Countersign, view: DraftReview, as_json: bool) -> int:
    d = view.draft
    if as_json:
        emit_json({**plain(d), "content_sha256": d.content_sha256, "stale_sources": app.stale_sources(d),
                   "review": {"sections": [{"key": s.section.key, "status": s.status, "edited": s.edited,
                                            "agent_body": s.agent_body, "diff": s.diff, "comments": s.comments,
                                            "flags": s.flags} for s in view.sections],
                              "blockers": view.blockers, "awaiting": view.awaiting, "signatures": view.signatures,
                              "superseded_by": view.superseded_by}})
        return 0
    print(f"{d.title}\nstatus: {d.status.value}  version {d.version}  content SHA-256 {d.content_sha256}")
    if d.supersedes:
        print(f"made by an edit from signed version {d.supersedes}")
    if view.superseded_by:
        print(f"superseded by {view.superseded_by}")
    for note in app.stale_sources(d):
        print(f"STALE: {note}")
    print()
    for s in view.sections:
        print(f"== {s.section.heading} [{s.section.key}: {s.status.value.replace('_', ' ')}] ==\n"
              + "\n".join(export.section_markdown(s.section)).rstrip())
        if s.diff:
            print(f"  edited; changes against the agent's text:\n    {render(s.diff)}")
        for f in s.flags:
            done = (f" — {f.resolution.resolution.value} by {f.resolution.resolved_by}"
                    + (f": {f.resolution.reason}" if f.resolution.reason else "")) if f.resolution else " — UNRESOLVED"
            print(f"  ! flag {f.index} {f.flag.severity}: {f.flag}{done}")
        for c in s.comments:
            print(f"  # {c.author} ({c.at}): {c.text}")
        print()
    for sig in view.signatures:
        print(f"signed by {sig.reviewer} ({sig.role}, {sig.meaning}) at {sig.signed_at}")
    for b in view.blockers:
        print(f"before sign-off: {b}")
    for a in view.awaiting if d.status.value != "signed_off" else ():
        print(f"awaiting: {a}")
    return 0


def profile(app: Countersign, args) -> int:
    if args.action == "add":
        p = app.add_profile(args.name, args.initials, args.role)
        emit_json(p) if args.json else print(f"added {p.name} ({p.initials}), {p.role}")
        return 0
    people = app.profiles()
    if args.json:
        emit_json({"profiles": people})
    for p in [] if args.json else people:
        print(f"{p.initials:<5} {p.role:<9} {p.name}")
    if not people and not args.json:
        print("no profiles yet; add one with `countersign profile add NAME --initials XX --role reviewer`")
    return 0


def policy(app: Countersign, args) -> int:
    if args.action == "set":
        by = args.by.strip() or app.settings.reviewer_name.strip() or getpass.getuser()
        p = app.set_policy(args.key, args.value, by)
    else:
        p = app.policy()
    if args.json:
        emit_json(p)
        return 0
    for domain, roles in sorted(p.signers.items()):
        print(f"signers.{domain} = {', '.join(roles)}")
    print(f"second_reviewer = {'on' if p.second_reviewer else 'off'}\nmaker_checker = {'on' if p.maker_checker else 'off'}")
    return 0


HANDLERS = {"profile": profile, "policy": policy}
