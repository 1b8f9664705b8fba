"""Rotating log file per data directory. Callers log ids and counts, never document text."""
from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path

_MAX_LINE = 400


class _Truncate(logging.Filter):
    # A defence in depth: even if a caller slips a passage into a message, long payloads are cut.
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if len(msg) > _MAX_LINE:
            record.msg, record.args = msg[:_MAX_LINE] + " …[truncated]", ()
        return True


class _WithheldMessages(logging.Formatter):
    """Tracebacks keep where a failure happened (files, lines, exception types) and withhold
    what the exceptions say: a message can quote a document (a validation error echoing the
    model's output, a parser error echoing a line), and the log is outside the database that
    confidential text is confined to."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have formatted the record first and cached its full traceback,
        # messages and all, on the record; never reuse that, and leave the cache as it was.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei) -> str:
        lines: list[str] = []
        exc, seen = ei[1], set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
            kind = f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins.")
            lines.insert(0, f"Traceback (most recent call last):\n{frames}\n{kind}: [message withheld, "
                            f"{len(str(exc))} characters]")
            exc = exc.__cause__ or exc.__context__
        return "\n\nwhich led to:\n".join(lines)


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
    handler.setFormatter(_WithheldMessages("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Truncate())
    handler._countersign = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False
    return path
