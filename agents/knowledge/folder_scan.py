"""Which files a sync reads, and the ones it will not read, each with a reason.

A chosen folder is the boundary of what the firm meant to add: a link inside it to a file or
folder outside it (a shared drive, someone's home folder, `/`) is reported and not followed, and
folders are walked without following links at all, so a link loop cannot hang the walk. Names
that are not valid UTF-8 (a zip made on an old Windows machine) cannot be stored or shown as
they are: they are reported with their bytes escaped, never passed on to break a print or an
insert further down."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from agents.domain.events import FileIngested
from agents.domain.library import DocumentStatus


def shown(path: Path | str) -> str:
    """The path as text that can be printed and stored: undecodable bytes as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def valid_name(path: Path) -> bool:
    return shown(path) == str(path)


@dataclass
class Scan:
    files: list[Path] = field(default_factory=list)
    skipped: list[FileIngested] = field(default_factory=list)

    def skip(self, path: Path | str, reason: str, status: DocumentStatus = DocumentStatus.SKIPPED) -> None:
        self.skipped.append(FileIngested(shown(path), status, reason))


def scan(paths: list[Path], supported: dict[str, str]) -> Scan:
    """Files named directly are kept whatever their type (so they get a status); folders
    contribute their supported files, in a stable order."""
    out = Scan()
    for p in paths:
        if p.is_dir():
            _walk(p, supported, out)
        else:
            out.files.append(p)
    return out


def _walk(folder: Path, supported: dict[str, str], out: Scan) -> None:
    root = Path(os.path.realpath(folder))

    def unreadable(exc: OSError) -> None:
        out.skip(exc.filename or folder, f"cannot list this folder: {exc.strerror}")

    found: list[Path] = []
    for top, dirs, names in os.walk(folder, onerror=unreadable, followlinks=False):
        dirs.sort()
        for d in list(dirs):
            link = Path(top, d)
            try:
                if link.is_symlink() and not _inside(link, root):
                    out.skip(link, f"a link to a folder outside {folder.name} ({shown(os.path.realpath(link))}); "
                                   "not followed")
            except OSError as exc:  # a path past the OS's length limit, say: nothing below it is readable
                dirs.remove(d)
                out.skip(link, f"cannot list this folder: {exc.strerror}")
        for name in names:
            f = Path(top, name)
            if f.suffix.lower() not in supported:
                continue
            try:
                reason = _link_problem(f, root, folder.name)
            except OSError as exc:
                reason = f"cannot read this file: {exc.strerror}"
            if reason:
                out.skip(f, reason)
            else:
                found.append(f)
    out.files.extend(sorted(found))


def _link_problem(f: Path, root: Path, folder_name: str) -> str:
    if not f.is_symlink():
        return ""
    target = Path(os.path.realpath(f))
    if not target.exists():
        return f"a broken link (to {shown(target)})"
    if not _inside(f, root):
        return f"a link to a file outside {folder_name} ({shown(target)}); not followed"
    return ""


def _inside(link: Path, root: Path) -> bool:
    target = Path(os.path.realpath(link))
    return target == root or root in target.parents
