"""Checks on a Word or Excel file's zip package before any parser opens it.

A DOCX or XLSX is a zip of XML parts, which opens two doors a PDF does not have:
- a zip bomb: a few kilobytes that expand to gigabytes. The sizes a zip declares are what
  Python's zipfile enforces when it reads (it stops at the declared size and fails the CRC), so
  checking the declared sizes against the compressed ones is enough, and costs no decompression;
- an XML part with a document type declaration: internal entities that expand exponentially
  ("billion laughs") or external entities that read local files into the text (XXE). No part
  Word or Excel writes has a DTD, so any DTD is refused outright, whatever the parser would have
  done with it (python-docx does not resolve entities; openpyxl relies on defusedxml being
  installed), and the reason says what was found.
The parse worker's memory cap and time limit stay behind this as the last line."""
from __future__ import annotations

import zipfile
from pathlib import Path

from agents.domain.library import DocumentStatus
from agents.knowledge.parsers import ParseFailure  # parsers imports this module lazily

# Real files reach about 120:1 (a 57 MB sheet of repeated strings); deflate tops out near
# 1032:1. A large part past this ratio is a bomb, not a spreadsheet.
MAX_RATIO = 250
RATIO_FLOOR = 20_000_000  # smaller parts may compress absurdly well (blank styles) and cost nothing
# Everything unzipped may be this many times the max_file_mb limit on the file itself.
EXPANSION_LIMIT = 5
MAX_PARTS = 10_000
_CHUNK = 65_536
_NAME_START = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:")


def check_package(path: Path, max_bytes: int, what: str) -> None:
    """Raise ParseFailure if the package is not a zip, would expand past the limits, or holds an
    XML part with a DTD. `what` names the format for the reason ("Word file")."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseFailure(DocumentStatus.CORRUPT, f"not a readable {what} (damaged zip: {str(exc)[:80]})") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_PARTS:
            raise ParseFailure(DocumentStatus.CORRUPT, f"the {what} holds {len(infos):,} parts (at most {MAX_PARTS:,} are read)")
        for info in infos:
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise ParseFailure(DocumentStatus.CORRUPT,
                                   f"refused as a zip bomb: part {info.filename[:80]} expands {ratio:,.0f}:1 "
                                   f"({_size(info.compress_size)} to {_size(info.file_size)})")
        total, limit = sum(i.file_size for i in infos), EXPANSION_LIMIT * max_bytes
        if total > limit:
            raise ParseFailure(DocumentStatus.TOO_LARGE,
                               f"the {what} expands to {total / 1e6:,.0f} MB unzipped, over {EXPANSION_LIMIT} x "
                               f"max_file_mb ({limit / 1e6:,.0f} MB)")
        for info in infos:
            if info.file_size and _declares_dtd(zf, info):
                raise ParseFailure(DocumentStatus.CORRUPT,
                                   f"refused: part {info.filename[:80]} declares an XML DTD (<!DOCTYPE/<!ENTITY), the "
                                   f"vehicle of entity-expansion and external-entity (XXE) attacks; no real {what} has one")


def _size(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 10_000_000 else f"{n / 1e3:,.0f} KB"


def _declares_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part's prolog (what comes before its root element) holds a declaration.
    Parts that are not XML (images, binaries) are left alone. Reads only as far as the root."""
    try:
        with zf.open(info) as fh:
            head = fh.read(_CHUNK)
            text = _ascii_view(head)
            if text is None:
                return False
            while True:
                verdict = _prolog_verdict(text)
                if verdict is not None:
                    return verdict
                more = fh.read(_CHUNK)
                if not more:
                    return False  # no root element at all: the parser reports that
                head += more
                text = _ascii_view(head) or b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return False  # unreadable parts fail in the parser, as corrupt, with its own reason


def _ascii_view(data: bytes) -> bytes | None:
    """The part's bytes in an ASCII-compatible form (UTF-16 transcoded), or None if not XML."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-16-le" if data[0] == 0x3C else "utf-16-be")
        data = data[: len(data) // 2 * 2].decode(codec, errors="replace").encode("utf-8", errors="replace")
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    return data if data.startswith(b"<") else None


def _prolog_verdict(text: bytes) -> bool | None:
    """True: a DTD before the root; False: the root came first; None: need more bytes."""
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in b" \t\r\n":
            i += 1
        if i >= n - 1:
            return None
        if text.startswith(b"<?", i):
            close = b"?>"
        elif text.startswith(b"<!--", i):
            close = b"-->"
        elif text.startswith(b"<!", i):
            return True  # <!DOCTYPE (or any other declaration) before the root element
        elif text[i] == 0x3C and text[i + 1] in _NAME_START:
            return False
        else:
            return False  # not well-formed: the parser refuses it with its own reason
        end = text.find(close, i + 2)
        if end < 0:
            return None
        i = end + len(close)
