"""A real race: a file rewritten and another deleted while the parse worker is reading them.

The folder holds a short note, a long PDF and a memo, all indexed once, then all rewritten.
On the next sync the note (smallest) is parsed first; while it is embedded the worker is already
parsing the long PDF, and at the note's outcome the PDF is rewritten again and the memo (next in
line, hashed but not yet parsed) deleted.
Both get a clear status, neither keeps the chunks of an earlier version (search would serve text
the file no longer holds), and the sync after that reads the PDF as it is then. Used by
tests/knowledge/test_hostile_files.py and benchmarks/adversarial.py."""
from __future__ import annotations

import os
import time
from pathlib import Path

from hostile_files import long_pdf

from agents.domain.events import FileIngested


def _child_cpu() -> dict[int, int]:
    """CPU ticks of each child of this process (the parse worker among them). Linux only."""
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            out[int(pid)] = int(fields[11]) + int(fields[12])
    return out


def worker_busy() -> bool:
    """A child using the CPU right now: the worker is parsing, not waiting for a file."""
    before = _child_cpu()
    time.sleep(0.3)
    after = _child_cpu()
    return any(after.get(pid, 0) > ticks for pid, ticks in before.items())


def _statuses(events) -> dict[str, str]:
    return {Path(e.path).name: e.status.value for e in events if isinstance(e, FileIngested)}


def run(app, matter: str, folder: Path, pages: int) -> dict:
    folder.mkdir()
    note, pdf, memo = folder / "a_note.txt", folder / "b_schedule.pdf", folder / "c_memo.txt"

    def write(version: str) -> None:
        note.write_text(f"Note {version}: the audit fee.")
        long_pdf(pdf, pages, f"Version{version} schedule")
        memo.write_text(f"Memo {version}: the lease renews in May. " * 40)

    write("one")
    first = _statuses(app.ingest(matter, [folder]))
    write("two")
    events = app.ingest(matter, [folder])
    busy = False
    for event in events:
        if isinstance(event, FileIngested) and Path(event.path).name == note.name:
            busy = worker_busy()  # the long PDF is in the worker now
            long_pdf(pdf, pages, "Versionthree schedule")
            memo.unlink()
            break
    during = {note.name: "indexed", **_statuses(events)}
    docs = {d.filename: d for d in app.documents(matter)}
    reasons = {d.filename: d.reason for d in docs.values() if d.reason and Path(d.path).parent == folder.resolve()}
    texts = " ".join(c.text for d in docs.values() for c in app.library.document_chunks(d.id))
    stale = sum(texts.count(f"Version{v}") + texts.count(f"Memo {v}") for v in ("one", "two"))
    after = _statuses(app.ingest(matter, [folder]))
    schedule = next((d for d in app.documents(matter) if d.filename == pdf.name), None)
    fresh = schedule is not None and "Versionthree" in app.library.page_text(schedule.id, pages)
    return {"first_sync": first, "worker_busy_at_change": busy, "during": during, "reasons": reasons,
            "stale_chunks_after": stale, "next_sync": after, "next_sync_reads_new_version": fresh,
            "vectors_match": app.vectors.ids() == app.library.all_chunk_ids()}
