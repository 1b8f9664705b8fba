"""One handler per CLI command; each prints text or a single JSON object and returns a code."""
from __future__ import annotations

import sqlite3
import sys
from typing import Iterator

from agents.cli import account_cli, doctor, exports_cli, key_cli, review_cli
from agents.cli.output import emit_json, emit_json_line, err, plain
from agents.domain.events import FileIngested, Finished, Flag, Progress, Resynced, StepStarted, TokenDelta
from agents.domain.library import DocumentStatus
from agents.engine.inputs import parse_pairs
from agents.llm.protocol import ModelUnavailable
from agents.runtime import settings as settings_mod
from agents.runtime.cancel import CancelToken
from agents.runtime.disk import DiskFull
from agents.runtime.firm import active_firm
from agents.runtime import instance_lock
from agents.runtime.instance_lock import DataDirectoryInUse
from agents.runtime.paths import resolve_data_dir
from agents.review.sealed import SealedError
from agents.services import Countersign, KeyUnavailable


class UserError(Exception):
    """A problem the user can fix; printed to stderr without a traceback."""


_USER_ERRORS = (LookupError, ValueError, ModelUnavailable, sqlite3.OperationalError, PermissionError, DiskFull,
                KeyUnavailable, SealedError)
# Commands that only read. Beside a Countersign that has the data directory open (the window,
# a `--watch`) they open it read-only instead of being refused; every other command writes
# (even `review show`, which audits a view of signed work) and is refused.
READ_ONLY = {("matter", "list"), ("review", "list"), ("verify", None)}


def _open(args) -> Countersign:
    return key_cli.open_with_passphrase(lambda: _open_once(args))


def _open_once(args) -> Countersign:
    user, password = getattr(args, "user", None) or "", account_cli.password(args)
    try:
        return Countersign.open(args.data_dir, user=user, password=password)
    except DataDirectoryInUse:
        if (args.command, getattr(args, "action", None)) not in READ_ONLY:
            raise
        return Countersign.open(args.data_dir, read_only=True, user=user, password=password)


def dispatch(args) -> int:
    if args.command == "settings":
        return _settings(args)
    if args.command == "doctor":
        return _doctor(args)
    if args.command == "account":
        try:
            return account_cli.account_command(args)
        except (ValueError, LookupError, PermissionError, ConnectionError) as exc:
            raise UserError(str(exc)) from exc
    if args.command == "key":
        try:
            return key_cli.dispatch(args, lambda: _open(args))
        except (ValueError, RuntimeError, OSError) as exc:
            raise UserError(str(exc)) from exc
    try:
        app = _open(args)
    except (ValueError, RuntimeError, OSError) as exc:  # settings or firm profile unusable, disk, in use
        raise UserError(str(exc)) from exc
    try:
        return HANDLERS[args.command](app, args)
    except _USER_ERRORS as exc:
        raise UserError(str(exc)) from exc
    finally:
        app.close()


def _drive(events: Iterator[object], args, cancel: CancelToken, stream: bool) -> Finished:
    """Run a core generator; echo tokens and steps unless --json; Ctrl+C cancels cleanly."""
    finished = Finished(None)
    try:
        for event in events:
            if isinstance(event, Finished):
                finished = event
            elif args.json:
                continue
            elif isinstance(event, TokenDelta) and stream:
                sys.stdout.write(event.text)
                sys.stdout.flush()
            elif isinstance(event, StepStarted):
                sys.stderr.write(f"\n… {event.name}" + (f" ({event.detail})" if event.detail else "") + "\n")
            elif isinstance(event, Flag):
                sys.stderr.write(f"  flag [{event.section}]: {event.message}\n")
            elif isinstance(event, Progress) and event.total and sys.stderr.isatty():
                sys.stderr.write("\r" + progress_bar(event) + " " * 8)
                sys.stderr.flush()
            elif isinstance(event, FileIngested):
                if sys.stderr.isatty():
                    sys.stderr.write("\r" + " " * 100 + "\r")
                sys.stdout.write(f"{event.status.value:<11} {event.path}" + (f" — {event.reason}" if event.reason else "") + "\n")
                sys.stdout.flush()  # a script reading the pipe sees each file as it is committed
    except KeyboardInterrupt:
        cancel.cancel()
        raise
    return finished


def progress_bar(p: Progress, width: int = 28) -> str:
    filled = int(width * p.done / p.total)
    rate = f" {p.rate:.1f} {p.unit}/s" if p.rate else ""
    eta = f", {p.eta_text}" if p.eta_text else ""
    return f"[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total}{rate}{eta}"


def _matter(app: Countersign, args) -> int:
    if args.action in ("members", "grant", "revoke"):
        return account_cli.members_command(app, args)
    if args.action == "create":
        m = app.create_matter(args.name)
        emit_json(m) if args.json else print(f"created matter '{m.name}' ({m.id})")
    else:
        ms = app.matters()
        if args.json:
            emit_json({"matters": ms})
        else:
            for m in ms:
                print(f"{m.id}  {m.name}  ({len(app.documents(m.id))} documents)")
    return 0


def _ingest(app: Countersign, args) -> int:
    if args.watch:
        return _watch(app, args)
    cancel = CancelToken()
    done = _drive(app.ingest(args.matter, args.paths, cancel), args, cancel, stream=False)
    report = done.result
    if args.json:
        emit_json({"files": report.files, "cancelled": done.cancelled})
    else:
        print(_counts(report))
    return 0


def _counts(report) -> str:
    counts = {s.value: report.count(s) for s in DocumentStatus if report.count(s)}
    return "; ".join(f"{k}: {v}" for k, v in counts.items()) or "no files"


def _watch(app: Countersign, args) -> int:
    """Sync, then re-sync on every change until Ctrl+C. Stopping is a normal end (code 0): each
    file is committed alone, so an interrupted sync leaves nothing half-done."""
    if args.interval <= 0:
        raise UserError("--interval must be more than 0 seconds")
    cancel = CancelToken()
    events = app.watch(args.matter, args.paths, args.interval, cancel)
    if not args.json:
        err(f"watching {len(args.paths)} path(s) every {args.interval:g} s; Ctrl+C stops")
    try:
        _drive(_announce(events, args.json), args, cancel, stream=False)
    except KeyboardInterrupt:
        pass
    err("stopped watching")
    return 0


def _announce(events: Iterator[object], as_json: bool) -> Iterator[object]:
    for event in events:
        if isinstance(event, Resynced):
            files = event.report.files if event.report else ()
            if as_json:
                emit_json_line({"paths": event.paths, "files": files})
            else:
                print(f"synced {', '.join(event.paths)}: {_counts(event.report) if event.report else 'no files'}", flush=True)
        yield event


def _reembed(app: Countersign, args) -> int:
    cancel = CancelToken()
    reports = []
    for name in [args.matter] if args.matter else app.pending_reembeds():
        done = _drive(app.reembed(name, cancel), args, cancel, stream=False)
        if sys.stderr.isatty() and not args.json:
            sys.stderr.write("\r" + " " * 100 + "\r")
        reports.append((name, done.result))
    if args.json:
        emit_json({"embedder": app.settings.embedder, "matters": [{"matter": n, **plain(r)} for n, r in reports]})
    for name, r in [] if args.json else reports:
        uses = r.embedder if r.complete else r.previous
        print(f"{name}: {r.embedded} of {r.total} chunks embedded with {r.embedder} in {r.seconds:.1f} s; searches use {uses}")
    if not reports and not args.json:
        print(f"every matter already uses {app.settings.embedder}")
    return 0


def _search(app: Countersign, args) -> int:
    if not 1 <= args.top_k <= 100:
        raise UserError("--top-k must be between 1 and 100")
    passages = app.search(args.matter, args.query, args.document, args.top_k, args.pages)
    if args.json:
        emit_json({"query": args.query, "results": [
            {"rank": i, "document": p.filename, "document_id": p.chunk.document_id, "page": p.chunk.page,
             "locator": p.chunk.locator, "location": p.location, "score": round(p.score, 5), "chunk_id": p.chunk.id,
             "char_start": p.chunk.char_start, "char_end": p.chunk.char_end, "text": p.chunk.text}
            for i, p in enumerate(passages, 1)]})
        return 0
    for i, p in enumerate(passages, 1):
        print(f"{i:>2}. {p.location}  (score {p.score:.4f})\n    {' '.join(p.chunk.text.split())[:300]}")
    if not passages:
        print("no passage matches")
    return 0


def _ask(app: Countersign, args) -> int:
    cancel = CancelToken()
    done = _drive(app.ask(args.matter, args.question, cancel), args, cancel, stream=True)
    answer = done.result
    if args.json:
        emit_json({"question": answer.question, "answer": answer.text, "citations": answer.citations,
                   "passages": [{"number": i, "location": p.location, "chunk_id": p.chunk.id, "text": p.chunk.text}
                                for i, p in enumerate(answer.passages, 1)]})
        return 0
    print("\n\nCited passages:" if answer.citations else "\n\n(no passage cited)")
    for c in answer.citations:
        text = next(p.chunk.text for p in answer.passages if p.chunk.id == c.chunk_id)
        print(f"[{c.number}] {c.location}\n    {' '.join(text.split())[:400]}")
    return 0


def _draft(app: Countersign, args) -> int:
    cancel = CancelToken()
    inputs = parse_pairs(args.input)
    done = _drive(app.draft(args.matter, args.work_product, args.document, args.preparer, cancel, inputs), args, cancel,
                  stream=True)
    if done.cancelled or done.result is None:
        err("draft cancelled; nothing was saved")
        return 130
    d = done.result
    emit_json(d) if args.json else print(f"\n\ndraft {d.id} saved ({len(d.sections)} sections, {d.flag_count} flags); "
                                         f"review it with `countersign review show {d.id}`")
    return 0


def _review(app: Countersign, args) -> int:
    if args.action == "list":
        drafts = app.drafts(args.matter)
        if args.json:
            emit_json({"drafts": [{"id": d.id, "title": d.title, "status": d.status, "version": d.version,
                                   "flags": d.flag_count, "created_at": d.created_at,
                                   "stale_sources": app.stale_sources(d)} for d in drafts]})
        for d in [] if args.json else drafts:
            stale = "  STALE" if app.stale_sources(d) else ""
            print(f"{d.id}  {d.status.value:<17} v{d.version}  {d.flag_count} flags  {d.title}{stale}")
        return 0
    if args.action in review_cli.ACTIONS:
        return review_cli.review(app, args)
    if args.action in ("signoff", "sign-off"):
        d = app.sign_off(args.draft, args.reviewer, args.role, args.meaning)
    elif args.action == "approve":
        d = app.approve(args.draft, args.reviewer, args.note)
    elif args.action == "revise":
        d = app.revise(args.draft, args.reviewer, args.note)
    else:
        d = app.request_changes(args.draft, args.reviewer, args.note)
    emit_json({"id": d.id, "status": d.status, "content_sha256": d.content_sha256}) if args.json else print(
        f"{d.id}: {d.status.value.replace('_', ' ')} (content SHA-256 {d.content_sha256})")
    if args.action in ("signoff", "sign-off") and d.status.value != "signed_off" and not args.json:
        for wanted in app.view_draft(d.id, args.reviewer).awaiting:
            print(f"awaiting: {wanted}")
    return 0


def _doctor(args) -> int:
    paths = resolve_data_dir(args.data_dir).ensure()
    try:
        settings = settings_mod.load(paths.settings)
    except settings_mod.SettingsError as exc:
        raise UserError(str(exc)) from exc
    report = doctor.run(paths, settings, load=not args.no_load)
    holder = instance_lock.holder(paths.root)
    in_use = holder.describe() if holder else ""
    if args.json:
        emit_json({**plain(report), "ok": report.ok, "in_use_by": in_use})
    else:
        print(f"data directory: {report.data_dir}\nfree disk: {report.free_disk_mb} MB")
        if in_use:
            print(f"open in another Countersign: {in_use}")
        firm = active_firm()
        if firm.active:
            print(f"firm profile: {firm.name}; approved models: {len(firm.approved_models) or 'any'}; "
                  f"policy fixed: {', '.join(firm.policy) or 'none'}; turned off: {', '.join(sorted(firm.features_off)) or 'nothing'}")
        for m in report.models:
            print(f"model {m.name}: {'ok' if m.ok else 'NOT OK'}\n  path {m.path}\n  size {m.size_bytes:,} B"
                  f"\n  sha256 {m.sha256}\n  load {m.load_seconds:.2f} s")
        print(f"database: {report.database_encryption}" + (f"; key in {report.key_storage}" if report.key_storage else ""))
        if report.llama_build:
            print(f"llama.cpp build: {report.llama_build}")
        for w in report.warnings:
            print(f"WARNING: {w}")
        for p in report.problems:
            print(f"PROBLEM: {p}")
    return 0 if report.ok else 1


def _settings(args) -> int:
    paths = resolve_data_dir(args.data_dir).ensure()
    holder = instance_lock.holder(paths.root) if args.action == "set" else None
    if holder is not None:  # the window would go on with its own copy and overwrite this change
        raise UserError(str(DataDirectoryInUse(paths.root, holder)))
    try:
        s = settings_mod.load(paths.settings) if args.action == "show" else settings_mod.update(paths.settings, args.key, args.value)
    except settings_mod.SettingsError as exc:
        raise UserError(str(exc)) from exc
    emit_json(s) if args.json else print("\n".join(f"{k} = {v}" for k, v in s.model_dump().items()))
    if args.action == "set" and args.key == "embedder" and not args.json:
        err("matters indexed with another embedder keep searching with it until `countersign reembed` "
            "(the window starts it when it opens)")
    return 0


HANDLERS = {"matter": _matter, "ingest": _ingest, "reembed": _reembed, "search": _search, "ask": _ask, "draft": _draft, "review": _review,
            **review_cli.HANDLERS, **exports_cli.HANDLERS}
