"""Watch mode with real files and the real ingestion (MiniLM, chromadb, SQLite).

The watch generator is driven by hand: between two events nothing polls, so each file-system
change below lands between two known polls and the tests count polls, never seconds."""
import json
import os
import signal
import subprocess
import sys

import pytest

from agents.domain.events import FileIngested, Finished, Resynced, Watching
from agents.domain.library import DocumentStatus
from agents.knowledge.watch import ChangeTracker
from agents.runtime.cancel import CancelToken
from agents.services import Countersign

pytestmark = pytest.mark.integration

TICK = 0.01  # seconds between polls; the tests count polls, so any small value will do
MAX_POLLS = 3  # a finished change is seen on one poll and found unchanged on the next


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = Countersign.open(str(tmp_path_factory.mktemp("data")))
    yield app
    app.close()


@pytest.fixture
def watched(app, tmp_path, request):
    """A folder with one memo, a matter watching it, and the watch after its first sync."""
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "memo.txt").write_text("The accrual for audit fees is GBP 12,000.", encoding="utf-8")
    matter = request.node.name
    app.create_matter(matter)
    cancel = CancelToken()
    events = app.watch(matter, [folder], TICK, cancel)
    first, _ = next_sync(events)
    assert [f.status for f in first.report.files] == [DocumentStatus.INDEXED]
    yield folder, matter, events, cancel
    cancel.cancel()
    list(events)


def next_sync(events, max_polls=MAX_POLLS):
    """Run the watch to its next Resynced: (that event, the events before it)."""
    seen, polls = [], 0
    for event in events:
        if isinstance(event, Resynced):
            return event, seen
        seen.append(event)
        polls += isinstance(event, Watching)
        assert polls <= max_polls, f"no sync after {max_polls} polls"
    pytest.fail("the watch ended without syncing")


def polls_until_quiet(events, n):
    """The next n Watching events, failing if anything is synced meanwhile."""
    out = []
    while len(out) < n:
        event = next(events)
        assert not isinstance(event, (Resynced, FileIngested)), event
        if isinstance(event, Watching):
            out.append(event)
    return out


def statuses(sync):
    return {os.path.basename(f.path): f.status for f in sync.report.files}


def test_an_added_file_is_indexed(app, watched):
    folder, matter, events, _ = watched
    (folder / "lease.txt").write_text("The lease renews on 1 May for five years.", encoding="utf-8")
    sync, _ = next_sync(events)
    assert statuses(sync) == {"lease.txt": DocumentStatus.INDEXED}
    assert {d.filename for d in app.documents(matter)} == {"memo.txt", "lease.txt"}
    assert any("1 May" in p.chunk.text for p in app.search(matter, "when does the lease renew", top_k=3))


def test_a_modified_file_is_indexed_again(app, watched):
    folder, matter, events, _ = watched
    before = app.documents(matter)[0]
    (folder / "memo.txt").write_text("The accrual for audit fees is now GBP 15,500 after the fee review.", encoding="utf-8")
    sync, _ = next_sync(events)
    assert statuses(sync) == {"memo.txt": DocumentStatus.INDEXED}
    after = app.documents(matter)
    assert len(after) == 1 and after[0].content_hash != before.content_hash
    chunks = app.library.document_chunks(after[0].id)
    assert [c.text for c in chunks] == ["The accrual for audit fees is now GBP 15,500 after the fee review."]


def test_a_deleted_file_is_removed(app, watched):
    folder, matter, events, _ = watched
    (folder / "memo.txt").unlink()
    sync, _ = next_sync(events)
    assert sync.paths == (str(folder),)  # only a folder sync removes what left the folder
    assert statuses(sync) == {"memo.txt": DocumentStatus.REMOVED}
    assert app.documents(matter) == []


def test_a_file_still_being_written_waits_until_it_is_stable(app, watched):
    folder, matter, events, _ = watched
    growing = folder / "minutes.txt"
    growing.write_text("Board minutes, part one: the audit plan was approved.", encoding="utf-8")
    assert polls_until_quiet(events, 1)[0].pending == 1
    with growing.open("a", encoding="utf-8") as fh:  # the copy goes on between two polls
        fh.write("\nPart two: the zebra-striped ledger stays in Truro.")
    assert polls_until_quiet(events, 1)[0].pending == 1
    assert {d.filename for d in app.documents(matter)} == {"memo.txt"}
    sync, _ = next_sync(events)  # unchanged since the last poll: now it is read, whole
    assert statuses(sync) == {"minutes.txt": DocumentStatus.INDEXED}
    doc = next(d for d in app.documents(matter) if d.filename == "minutes.txt")
    assert "zebra-striped ledger" in app.library.page_text(doc.id, 1)


def test_cancel_stops_the_watch(watched):
    folder, _, events, cancel = watched
    cancel.cancel()
    (folder / "late.txt").write_text("Written after the watch was stopped.", encoding="utf-8")
    rest = list(events)
    assert rest == [Finished(None, cancelled=True)]


def test_a_deletion_waits_while_another_file_in_the_folder_is_written(tmp_path):
    (tmp_path / "old.txt").write_text("old")
    tracker = ChangeTracker([tmp_path])
    (tmp_path / "old.txt").unlink()
    (tmp_path / "new.txt").write_text("half")
    assert tracker.poll() == ([], 2)
    (tmp_path / "new.txt").write_text("half and the rest")
    # The deletion has settled but a folder sync would read new.txt half-written: both wait.
    assert tracker.poll() == ([], 2)
    assert tracker.poll() == ([tmp_path], 0)
    assert tracker.poll() == ([], 0)


def test_cli_watch_prints_a_line_per_sync_and_ctrl_c_exits_cleanly(tmp_path):
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "memo.txt").write_text("The accrual for audit fees is GBP 12,000.", encoding="utf-8")
    base = [sys.executable, "-m", "agents.cli.main", "--data-dir", str(tmp_path / "data")]
    subprocess.run(base + ["matter", "create", "Watched"], check=True, capture_output=True)
    proc = subprocess.Popen(base + ["ingest", "Watched", str(folder), "--watch", "--interval", "0.05", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        first = proc.stdout.readline()
        (folder / "lease.txt").write_text("The lease renews on 1 May.", encoding="utf-8")
        second = proc.stdout.readline()
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl+C in a terminal: the parser process gets it too
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert first, err
    assert [f["status"] for f in json.loads(first)["files"]] == ["indexed"]
    assert json.loads(second)["files"][0]["path"].endswith("lease.txt")
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped watching" in err
