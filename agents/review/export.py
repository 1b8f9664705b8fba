"""Markdown and DOCX exports: unsigned drafts are marked, signed ones carry the sign-off block."""
from __future__ import annotations

from pathlib import Path

from agents.domain.drafts import Draft, Section, SectionTable

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


def table_markdown(t: SectionTable) -> str:
    def row(cells) -> str:
        return "| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |"
    lines = [f"**{t.title}**", "", row(t.columns), "|" + "|".join("---" for _ in t.columns) + "|"]
    lines += [row(r) for r in t.rows]
    lines += [""] + [x for x in (f"Source: {t.source}" if t.source else "", t.note) if x]
    return "\n".join(lines).rstrip()


def section_markdown(s: Section) -> list[str]:
    """A section's body, then its computed tables, then a line per chart."""
    out = [s.body, ""] if s.body else []
    for t in s.tables:
        out += [table_markdown(t), ""]
    out += [f"[Chart: {c.title}]" for c in s.charts] + ([""] if s.charts else [])
    return out


def to_markdown(draft: Draft, audit_head: str) -> str:
    out = [] if _signed(draft) else [f"**{DRAFT_MARK}**", ""]
    out += [f"# {draft.title}", ""]
    for s in draft.sections:
        out += [f"## {s.heading}", ""] + section_markdown(s)
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
        for para in s.body.split("\n\n") if s.body else []:
            doc.add_paragraph(para)
        for t in s.tables:
            _docx_table(doc, t)
        for c in s.charts:
            _docx_chart(doc, c)
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


def _docx_table(doc, t: SectionTable) -> None:
    doc.add_paragraph().add_run(t.title).bold = True
    table = doc.add_table(rows=1, cols=len(t.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, t.columns):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for r in t.rows:
        for cell, value in zip(table.add_row().cells, r):
            cell.text = str(value)
    for line in (f"Source: {t.source}" if t.source else "", t.note):
        if line:
            doc.add_paragraph(line).italic = True


def _docx_chart(doc, chart) -> None:
    import base64
    import io

    from docx.shared import Inches

    doc.add_paragraph().add_run(chart.title).bold = True
    doc.add_picture(io.BytesIO(base64.b64decode(chart.png_base64)), width=Inches(6))
