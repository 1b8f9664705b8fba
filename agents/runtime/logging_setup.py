"""Rotating log file per data directory. Callers log ids and counts, never document text."""
from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

_MAX_LINE = 400


class _Truncate(logging.Filter):
    # A defence in depth: even if a caller slips a passage into a message, long payloads are cut.
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if len(msg) > _MAX_LINE:
            record.msg, record.args = msg[:_MAX_LINE] + " …[truncated]", ()
        return True


class _LogFile(logging.handlers.RotatingFileHandler):
    """A log line that cannot be written (a full disk) is lost, said once on stderr: the default
    prints a traceback for every line, burying the one error the user must act on."""

    _warned = False

    def handleError(self, record: logging.LogRecord) -> None:
        if not self._warned:
            self._warned = True
            sys.stderr.write(f"countersign: cannot write the log file {self.baseFilename}: {sys.exc_info()[1]}\n")


def configure(log_dir: Path, level: str = "INFO") -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "countersign.log"
    root = logging.getLogger("countersign")
    for h in list(root.handlers):
        if getattr(h, "_countersign", False):
            root.removeHandler(h)
            h.close()
    handler = _LogFile(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Truncate())
    handler._countersign = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False
    return path
