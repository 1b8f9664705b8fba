"""Rotating log file per data directory. Callers log ids and counts, never document text."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_MAX_LINE = 400


class _Truncate(logging.Filter):
    # A defence in depth: even if a caller slips a passage into a message, long payloads are cut.
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if len(msg) > _MAX_LINE:
            record.msg, record.args = msg[:_MAX_LINE] + " …[truncated]", ()
        return True


def configure(log_dir: Path, level: str = "INFO") -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "countersign.log"
    root = logging.getLogger("countersign")
    for h in list(root.handlers):
        if getattr(h, "_countersign", False):
            root.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Truncate())
    handler._countersign = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False
    return path
