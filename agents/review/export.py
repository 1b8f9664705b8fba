"""Exports of a draft: Markdown, DOCX and PDF, one module each, with the certificate and the
sources appendix they share in certificate.py. Unsigned drafts are marked in every format."""
from __future__ import annotations

from pathlib import Path

from agents.domain.drafts import Draft
from agents.review.certificate import DRAFT_MARK, SourceQuote, is_signed
from agents.review.export_docx import to_docx
from agents.review.export_markdown import section_markdown, table_markdown, to_markdown
from agents.review.export_pdf import to_pdf

__all__ = ["DRAFT_MARK", "FORMATS", "is_signed", "section_markdown", "table_markdown", "to_docx", "to_markdown",
           "to_pdf", "write"]

# The draft's own exports; the contract redline (redline.py) is a different document.
FORMATS = ("md", "docx", "pdf")


def write(draft: Draft, fmt: str, audit_head: str, path: Path, sources: tuple[SourceQuote, ...] | None = None) -> None:
    if fmt == "md":
        path.write_text(to_markdown(draft, audit_head, sources), encoding="utf-8")
    elif fmt == "docx":
        to_docx(draft, audit_head, path, sources)
    elif fmt == "pdf":
        to_pdf(draft, audit_head, path, sources)
    else:
        raise ValueError(f"export format must be one of: {', '.join(FORMATS)}")
