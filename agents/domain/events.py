"""Typed events yielded by long operations (ingest, ask, draft) and observed by CLI and GUI."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.domain.library import DocumentStatus


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    message: str = ""
    rate: float = 0.0  # units per second so far
    eta_seconds: float | None = None
    unit: str = "files"  # what done/total count, for a progress line such as "4.2 chunks/s"

    @property
    def eta_text(self) -> str:
        if self.eta_seconds is None:
            return ""
        m, s = divmod(int(self.eta_seconds + 0.5), 60)
        return f"{m} min {s:02d} s left" if m else f"{s} s left"


@dataclass(frozen=True)
class StepStarted:
    name: str
    detail: str = ""


@dataclass(frozen=True)
class TokenDelta:
    text: str


@dataclass(frozen=True)
class FileIngested:
    """One file's outcome; a failure here never stops the remaining files."""

    path: str
    status: DocumentStatus
    reason: str = ""
    document_id: str = ""
    pages: int = 0
    chunks: int = 0


@dataclass(frozen=True)
class Watching:
    """Watch mode looked for changes; `pending` files changed but are still being written."""

    polls: int
    pending: int = 0


@dataclass(frozen=True)
class Resynced:
    """Watch mode ingested these paths again; `report` is that ingestion's report."""

    paths: tuple[str, ...]
    report: Any = None


@dataclass(frozen=True)
class Flag:
    """A problem the verifier found that the reviewer must resolve before sign-off."""

    section: str
    kind: str
    message: str
    severity: str = "warning"


@dataclass(frozen=True)
class Finished:
    """The last event of an operation; `result` is the operation's value object."""

    result: Any = None
    cancelled: bool = False
