"""Markdown and DOCX exports: unsigned drafts are marked, signed ones carry the sign-off block."""
from __future__ import annotations

from pathlib import Path

from agents.domain.drafts import Draft

DRAFT_MARK = "DRAFT — NOT REVIEWED"


def _signed(draft: Draft) -> bool:
    return any(s.content_sha256 == draft.content_sha256 for s in draft.signoffs)


def _signoff_lines(draft: Draft, audit_head: str) -> list[str]:
    lines = []
    for s in draft.signoffs:
        if s.content_sha256 == draft.content_sha256:
            lines += [f"Signed off by {s.reviewer} ({s.role}) — meaning: {s.meaning}",
                      f"Signed at (UTC): {s.signed_at}", f"Version: {s.version}",
                      f"Content SHA-256: {s.content_sha256}"]
    return lines + [f"Prepared by: {draft.preparer or 'agent'} with model {draft.model_id} (SHA-256 {draft.model_sha256[:16]}…)",
                    f"Audit log head: {audit_head}"]


def _sources(draft: Draft) -> list[str]:
    seen: dict[tuple[str, int], str] = {}
    for s in draft.sections:
        for c in s.citations:
            seen.setdefault((c.filename, c.page), c.content_hash)
    return [f"{name}, p. {page} (SHA-256 {digest[:16]}…)" for (name, page), digest in sorted(seen.items())]


def to_markdown(draft: Draft, audit_head: str) -> str:
    out = [] if _signed(draft) else [f"**{DRAFT_MARK}**", ""]
    out += [f"# {draft.title}", ""]
    for s in draft.sections:
        out += [f"## {s.heading}", "", s.body, ""]
        out += [f"> Verifier flag: {f}" for f in s.flags] + ([""] if s.flags else [])
    src = _sources(draft)
    if src:
        out += ["## Sources", ""] + [f"- {line}" for line in src] + [""]
    out += ["## Sign-off" if _signed(draft) else "## Status", ""]
    out += [f"- {line}" for line in (_signoff_lines(draft, audit_head) if _signed(draft) else [f"{DRAFT_MARK} (status: {draft.status.value})"])]
    return "\n".join(out) + "\n"


def to_docx(draft: Draft, audit_head: str, path: Path) -> None:
    import docx

    doc = docx.Document()
    if not _signed(draft):
        for section in doc.sections:
            section.header.paragraphs[0].text = DRAFT_MARK
        doc.add_paragraph().add_run(DRAFT_MARK).bold = True
    doc.add_heading(draft.title, level=0)
    for s in draft.sections:
        doc.add_heading(s.heading, level=1)
        for para in s.body.split("\n\n"):
            doc.add_paragraph(para)
        for f in s.flags:
            doc.add_paragraph(f"Verifier flag: {f}").italic = True
    src = _sources(draft)
    if src:
        doc.add_heading("Sources", level=1)
        for line in src:
            doc.add_paragraph(line, style="List Bullet")
    if _signed(draft):
        doc.add_heading("Sign-off", level=1)
        for line in _signoff_lines(draft, audit_head):
            doc.add_paragraph(line)
    doc.save(str(path))
