"""CLI handlers for what leaves the data directory and comes back: exports, review packages, and
checking an export or the audit log against a recorded head."""
from __future__ import annotations

from agents.cli import key_cli
from agents.cli.output import emit_json, plain
from agents.review.keys import short_fingerprint
from agents.services import Countersign


def _export(app: Countersign, args) -> int:
    actor = args.by or app.settings.reviewer_name
    password = key_cli.new_password(args, "export")
    if args.format != "redline-docx":
        path = app.export(args.draft, args.format, args.out, actor=actor, password=password)
        emit_json({"path": str(path)}) if args.json else print(f"exported {path}" + (" (password-protected)" if password else ""))
        return 0
    path, report = app.export_redline(args.draft, args.out, actor=actor, password=password)
    if args.json:
        emit_json({"path": str(path), "placed": report.placed,
                   "skipped": [{"finding": f, "reason": why} for f, why in report.skipped]})
        return 0
    print(f"exported {path}: {len(report.placed)} suggested revision(s) as tracked changes ({', '.join(report.placed)})")
    for finding, why in report.skipped:
        print(f"  not placed: {finding} — {why}")
    return 0


def _verify_file(app: Countersign, args) -> int:
    result = app.verify_export(args.file, key_cli.given_password(args, args.file, app.is_password_protected(args.file)))
    if args.json:
        emit_json({**plain(result), "found": result.found, "chain_ok": result.chain_ok,
                   "signed_when_exported": result.signed_when_exported, "ok": result.ok})
    else:
        print(result.report())
    return 0 if result.ok else 1


def _verify(app: Countersign, args) -> int:
    if getattr(args, "file", None):
        return _verify_file(app, args)
    broken = app.verify_audit()
    entries = app.review.audit.entries()
    head = entries[-1] if entries else None
    # A chain cut short still verifies; only a head recorded elsewhere earlier shows the cut.
    wanted = args.head.strip().lower()
    kept = not wanted or any(e.entry_hash == wanted for e in entries)
    ok = broken is None and kept
    if args.json:
        emit_json({"ok": ok, "entries": len(entries), "first_broken": broken, "head": head.entry_hash if head else "",
                   "head_seq": head.seq if head else 0, "recorded_head_found": kept if wanted else None})
        return 0 if ok else 1
    print(f"audit log intact ({len(entries)} entries)" if broken is None else f"audit log BROKEN at entry {broken}")
    if head:
        print(f"head: entry {head.seq}, {head.entry_hash} (keep it outside this data directory; "
              "`countersign verify --head HASH` later shows whether the log was cut short or rewritten)")
    if wanted:
        print("the recorded head is in the chain" if kept else
              f"the recorded head {wanted[:16]}… is NOT in the chain: entries were removed or rewritten since it was printed")
    return 0 if ok else 1


def _package(app: Countersign, args) -> int:
    if args.action == "key":
        fp = app.installation_key()
        emit_json({"fingerprint": fp}) if args.json else print(f"installation key {short_fingerprint(fp)}  ({fp})")
        return 0
    if args.action == "export":
        r = app.export_package(args.draft, args.file, args.actor, key_cli.new_password(args, "package"))
        if args.json:
            emit_json(r)
        else:
            what = "reply with the review" if r.kind == "return" else "review package"
            print(f"wrote {r.path}: {what} for draft {r.draft_id} ({r.audit_entries} audit entries, {r.documents} "
                  f"cited documents), signed with key {short_fingerprint(r.sender_fingerprint)}")
        return 0
    if args.action == "show":
        m = app.inspect_package(args.file, key_cli.given_password(args, args.file, app.is_password_protected(args.file)))
        if args.json:
            emit_json(m)
        else:
            reply = f", the reply to {m.reply_to}" if m.reply_to else ""
            print(f"{m.kind} package {m.package_id}{reply}: draft {m.draft_id} (content SHA-256 {m.content_sha256})\n"
                  f"signed {m.created_at} by {m.sender_name} with key {short_fingerprint(m.sender_fingerprint)}\n"
                  f"full fingerprint {m.sender_fingerprint}; the package checks")
        return 0
    r = app.import_package(args.file, args.actor, args.expect_key,
                           key_cli.given_password(args, args.file, app.is_password_protected(args.file)))
    if args.json:
        emit_json(r)
        return 0
    seen = "FIRST package from this key: compare it with the sender" if r.first_from_sender else "a key seen here before"
    print(f"package {r.package_id} signed by {r.sender_name} with key {short_fingerprint(r.sender_fingerprint)} ({seen})")
    if r.kind == "review":
        print(f"draft {r.draft_id} is in matter '{r.matter}' for review; see `countersign review show {r.draft_id}`")
    else:
        signed = f"; signed off by {', '.join(r.new_signoffs)}" if r.new_signoffs else ""
        print(f"draft {r.draft_id}: the reviewer's record is merged; status {r.status.value.replace('_', ' ')}{signed}")
    if r.edited_sections:
        print(f"sections edited on the other side: {', '.join(r.edited_sections)} "
              f"(see the diff in `countersign review show {r.draft_id}`)")
    return 0


HANDLERS = {"export": _export, "verify": _verify, "package": _package, "decrypt": key_cli.decrypt}
