"""Matters, documents, pages and chunks: the values the knowledge base is made of."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class DocumentStatus(str, Enum):
    """What happened to a file at ingestion; every non-indexed status carries a reason."""

    INDEXED = "indexed"
    ENCRYPTED = "encrypted"
    NO_TEXT = "no_text"
    CORRUPT = "corrupt"
    TOO_LARGE = "too_large"
    TIMED_OUT = "timed_out"
    UNSUPPORTED = "unsupported"
    UNCHANGED = "unchanged"
    REMOVED = "removed"  # gone from a re-synced folder; its chunks left both stores
    # Not read this time: a link out of the chosen folder, or a file that changed or vanished
    # while it was being read (the next sync reads it as it is then). Nothing is recorded but,
    # for a file indexed before, its row with this status and without its now stale chunks.
    SKIPPED = "skipped"


def place(filename: str, page: int, locator: str) -> str:
    return f"{filename}, {locator}" if locator else f"{filename}, p. {page}"


@dataclass(frozen=True)
class Matter:
    id: str
    name: str
    created_at: str


@dataclass(frozen=True)
class Page:
    """Text of one page (1-based) exactly as stored; citation spans index into it."""

    number: int
    text: str
    ocr: bool = False  # read from the rendered image, not the file's text layer


@dataclass(frozen=True)
class Document:
    id: str
    matter_id: str
    filename: str
    path: str
    kind: str
    content_hash: str
    status: DocumentStatus
    reason: str
    pages: int
    size: int
    indexed_at: str


@dataclass(frozen=True)
class Chunk:
    """A token-bounded passage of one page, with its character span in that page's text."""

    id: str
    document_id: str
    matter_id: str
    page: int
    char_start: int
    char_end: int
    text: str
    token_count: int
    # Where a reader finds it when a page number is not enough: "Sheet1!A5:D12" for a table.
    locator: str = ""
    # Categories of text that reads as instructions to a model ("override,sign_off"; "" for none),
    # found at ingest by agents/knowledge/injection.py: shown to the reviewer, never obeyed.
    injection: str = ""


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the names a reader needs to find it in the source."""

    chunk: Chunk
    filename: str
    content_hash: str
    score: float

    @property
    def location(self) -> str:
        return place(self.filename, self.chunk.page, self.chunk.locator)
