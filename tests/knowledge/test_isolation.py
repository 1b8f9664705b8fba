"""The parser process: limits, crashes and recovery, with real files and a real child process."""
import os
import threading

import pytest

from agents.domain.library import DocumentStatus
from agents.knowledge.isolation import ParseLimits, ParseWorker
from agents.knowledge.parsers import ParseFailure
from pdfgen import write_pdf


@pytest.fixture
def worker():
    w = ParseWorker(ParseLimits(seconds=5, memory_mb=512, max_bytes=500_000_000))
    yield w
    w.close()


def test_parses_in_the_child_like_in_process(worker, tmp_path):
    worker.submit(write_pdf(tmp_path / "a.pdf", ["Page one text.", "Page two text."]))
    parsed = worker.result()
    assert [p.number for p in parsed.pages] == [1, 2] and "two" in parsed.pages[1].text


def test_failures_come_back_with_their_status(worker, tmp_path):
    (tmp_path / "x.exe").write_bytes(b"MZ")
    worker.submit(tmp_path / "x.exe")
    with pytest.raises(ParseFailure) as info:
        worker.result()
    assert info.value.status is DocumentStatus.UNSUPPORTED


def test_a_hanging_file_times_out_and_the_next_file_still_parses(tmp_path):
    fifo = tmp_path / "hang.txt"
    os.mkfifo(fifo)  # opening a pipe with no writer blocks forever: a deterministic hang
    worker = ParseWorker(ParseLimits(seconds=1.0, memory_mb=512))
    try:
        worker.submit(fifo)
        with pytest.raises(ParseFailure) as info:
            worker.result()
        assert info.value.status is DocumentStatus.TIMED_OUT
        (tmp_path / "ok.txt").write_text("still works")
        worker.submit(tmp_path / "ok.txt")
        assert worker.result().pages[0].text == "still works"
    finally:
        worker.close()


def test_a_crashed_parser_fails_only_that_file(worker, tmp_path):
    fifo = tmp_path / "hang.txt"
    os.mkfifo(fifo)
    worker.submit(fifo)
    killer = threading.Timer(0.5, lambda: worker._proc.kill())
    killer.start()
    with pytest.raises(ParseFailure) as info:
        worker.result()
    killer.join()
    assert info.value.status is DocumentStatus.CORRUPT and "crashed" in info.value.reason
    (tmp_path / "ok.md").write_text("# fine")
    worker.submit(tmp_path / "ok.md")
    assert worker.result().pages[0].text == "# fine"


def test_memory_cap_turns_a_memory_hog_into_too_large(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 150_000_000)
    worker = ParseWorker(ParseLimits(seconds=60, memory_mb=256, max_bytes=1_000_000_000))
    try:
        worker.submit(big)
        with pytest.raises(ParseFailure) as info:
            worker.result()
        assert info.value.status is DocumentStatus.TOO_LARGE, info.value.reason
        assert "256 MB" in info.value.reason
    finally:
        worker.close()


def _submit_from_a_daemon(path: str, out) -> None:
    worker = ParseWorker(ParseLimits(seconds=5, memory_mb=512))
    try:
        worker.submit(path)
        out.send("started")
    except Exception as exc:  # noqa: BLE001 - the message is what the test checks
        out.send(f"{type(exc).__name__}: {exc}")
    finally:
        worker.close()


def test_a_parser_that_cannot_start_says_so_rather_than_a_multiprocessing_assertion(tmp_path):
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    mine, theirs = ctx.Pipe()
    daemon = ctx.Process(target=_submit_from_a_daemon, args=(str(write_pdf(tmp_path / "a.pdf", ["x"])), theirs),
                         daemon=True)  # a daemon may not have children: the parser cannot start
    daemon.start()
    assert mine.poll(60)
    said = mine.recv()
    daemon.join(10)
    assert said.startswith("RuntimeError: the document parser process could not start: daemonic processes")
