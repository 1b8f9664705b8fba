"""Watch mode: re-sync a matter's folders and files whenever they change, by polling.

Polling (size, mtime_ns, inode) snapshots needs no new dependency and behaves the same on every
platform and on network shares, where file-system notifications are unreliable; every few
seconds it costs one walk of the watched folders. A changed file is synced only once it has
looked the same on two polls in a row, so a file still being copied in is not ingested
half-written. The sync itself is the ordinary ingestion, which skips unchanged files by hash,
re-indexes changed ones and removes files gone from a folder."""
from __future__ import annotations

import stat
from pathlib import Path
from typing import Callable, Iterator

from agents.domain.events import Finished, Resynced, Watching
from agents.knowledge.ingest import expand
from agents.runtime.cancel import NEVER, CancelToken

# Ingests the given paths (files, or folders to re-sync as a whole) into the watched matter.
Sync = Callable[[list[Path], CancelToken], Iterator[object]]
# size, mtime_ns, inode: an editor that saves by writing a new file and renaming it over the
# old one can keep size and even mtime, but not the inode.
Stat = tuple[int, int, int]


def snapshot(root: Path) -> dict[str, Stat]:
    """What ingestion would read under one watched path: a named file, or a folder's supported files."""
    out: dict[str, Stat] = {}
    for f in expand([root]):
        try:
            st = f.stat()
        except OSError:
            continue  # gone, or not readable: absent, as it would be to ingestion
        if stat.S_ISREG(st.st_mode):
            out[str(f)] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


class ChangeTracker:
    """Which watched files changed since they were last synced and have held still since."""

    def __init__(self, roots: list[Path]) -> None:
        self._roots = [(root, root.is_dir()) for root in roots]
        self._synced = [snapshot(root) for root in roots]  # what the matter reflects
        self._last = [dict(s) for s in self._synced]  # what the previous poll saw

    def poll(self) -> tuple[list[Path], int]:
        """(paths to sync now, how many changed files must wait for another poll)."""
        targets: list[Path] = []
        waiting = 0
        for i, (root, is_folder) in enumerate(self._roots):
            now, synced, last = snapshot(root), self._synced[i], self._last[i]
            self._last[i] = now
            changed = {p for p in synced.keys() | now.keys() if synced.get(p) != now.get(p)}
            settled = {p for p in changed if last.get(p) == now.get(p)}
            deleted = {p for p in settled if p not in now}
            if is_folder and deleted and settled == changed:
                # Only a folder sync removes deleted files, and it reads every file in the
                # folder, so it waits until nothing in the folder is still being written.
                targets.append(root)
                self._synced[i] = now
                continue
            ready = settled - deleted if is_folder else settled
            for p in sorted(ready):
                targets.append(Path(p))
                if p in now:
                    synced[p] = now[p]
                else:
                    synced.pop(p, None)
            waiting += len(changed - ready)
        return _distinct(targets), waiting


def _distinct(targets: list[Path]) -> list[Path]:
    """Each file once, and none inside a folder being synced whole: ingesting one file twice in a
    run would index it twice."""
    folders = [t.resolve() for t in targets if t.is_dir()]
    seen: set[Path] = set()
    out = []
    for t in targets:
        resolved = t.resolve()
        if resolved in seen or (not t.is_dir() and any(resolved.is_relative_to(f) for f in folders)):
            continue
        seen.add(resolved)
        out.append(t)
    return out


def watch(roots: list[Path], sync: Sync, interval: float = 2.0, cancel: CancelToken = NEVER) -> Iterator[object]:
    """Sync `roots` now, then poll every `interval` seconds and sync what changed, until cancelled.

    Yields the ingestion events of each sync followed by a Resynced, and a Watching after every
    poll; ends with Finished(cancelled=True), promptly, since the wait between polls wakes on
    cancel and ingestion checks the token between files."""
    tracker = ChangeTracker(roots)  # before the first sync, so edits made during it are seen
    yield from _resync(sync, list(roots), cancel)
    polls = 0
    while not cancel.wait(interval):
        polls += 1
        targets, waiting = tracker.poll()
        yield Watching(polls, waiting)
        if targets:
            yield from _resync(sync, targets, cancel)
    yield Finished(None, cancelled=True)


def _resync(sync: Sync, targets: list[Path], cancel: CancelToken) -> Iterator[object]:
    report = None
    for event in sync(targets, cancel):
        if isinstance(event, Finished):
            report = event.result  # the watch goes on: its own Finished comes at the very end
        else:
            yield event
    yield Resynced(tuple(str(t) for t in targets), report)
