"""DOCX export (python-docx): sections with their tables and charts, the draft mark in the
header of every page while unsigned, the sign-off certificate page once signed, and the
appendix of cited sources."""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from agents.domain.drafts import Draft, SectionChart, SectionTable
from agents.review.certificate import (CERTIFICATE_NOTE, DRAFT_MARK, SourceQuote, certificate, is_signed, signature_lines,
                                       source_heading, source_quotes)

# Characters XML 1.0 cannot hold; PDF text layers carry them (form feeds, stray controls) and
# python-docx refuses the whole document over one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(" ", text)


def add_rich(paragraph, text: str) -> None:
    """Section bodies mark the position words in **bold**; show them bold, not as asterisks."""
    for i, part in enumerate(xml_safe(text).split("**")):
        if part:
            paragraph.add_run(part).bold = i % 2 == 1


def to_docx(draft: Draft, audit_head: str, path: Path, sources: tuple[SourceQuote, ...] | None = None) -> None:
    import docx

    doc = docx.Document()
    signed = is_signed(draft)
    if not signed:
        # One header serves every page of the section, so every page carries the mark.
        for section in doc.sections:
            section.header.paragraphs[0].text = f"{DRAFT_MARK} — {draft.id} v{draft.version}"
        doc.add_paragraph().add_run(f"{DRAFT_MARK} — status: {draft.status.value.replace('_', ' ')}").bold = True
    doc.add_heading(xml_safe(draft.title), level=0)
    for s in draft.sections:
        doc.add_heading(xml_safe(s.heading), level=1)
        for para in s.body.split("\n\n") if s.body else []:
            add_rich(doc.add_paragraph(), para)
        for t in s.tables:
            _table(doc, t)
        for c in s.charts:
            _chart(doc, c)
        for f in s.flags:
            doc.add_paragraph().add_run(xml_safe(f"Verifier flag: {f}")).italic = True
    quotes = source_quotes(draft) if sources is None else sources
    if quotes:
        doc.add_heading("Appendix: cited sources", level=1)
        for q in quotes:
            doc.add_paragraph(xml_safe(source_heading(q)), style="List Number")
            doc.add_paragraph(xml_safe(f"“{q.passage}”"), style="Quote")
    if signed:
        _certificate(doc, draft, audit_head)
    doc.save(str(path))


def _certificate(doc, draft: Draft, audit_head: str) -> None:
    from docx.enum.text import WD_BREAK
    from docx.shared import Inches, Pt

    cert = certificate(draft, audit_head)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading("Sign-off", level=1)
    doc.add_paragraph(CERTIFICATE_NOTE)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.autofit = False
    for label, value in cert.fields():
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, xml_safe(value)
        cells[0].paragraphs[0].runs[0].bold = True
        for cell in cells:
            cell.paragraphs[0].runs[0].font.size = Pt(9)
        cells[0].width, cells[1].width = Inches(1.5), Inches(4.7)
    # Wide enough for a SHA-256 on one line, so a reader can compare it at a glance; Word reads
    # the cells' widths, LibreOffice the grid's.
    table.columns[0].width, table.columns[1].width = Inches(1.5), Inches(4.7)
    for s in cert.signatures:
        doc.add_paragraph()
        for line in signature_lines(s):
            doc.add_paragraph(xml_safe(line))


def _table(doc, t: SectionTable) -> None:
    doc.add_paragraph().add_run(xml_safe(t.title)).bold = True
    table = doc.add_table(rows=1, cols=len(t.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, t.columns):
        cell.text = xml_safe(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for r in t.rows:
        for cell, value in zip(table.add_row().cells, r):
            cell.text = xml_safe(str(value))
    for line in (f"Source: {t.source}" if t.source else "", t.note):
        if line:
            doc.add_paragraph().add_run(xml_safe(line)).italic = True


def _chart(doc, chart: SectionChart) -> None:
    from docx.shared import Inches

    doc.add_paragraph().add_run(xml_safe(chart.title)).bold = True
    doc.add_picture(io.BytesIO(base64.b64decode(chart.png_base64)), width=Inches(6))
