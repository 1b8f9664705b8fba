"""PDF export (fpdf2): the same content as the DOCX export. Unsigned drafts carry the mark in
the header line and diagonally across every page; signed ones end with the certificate page.

Text is set in DejaVu Sans, shipped in resources/fonts (Bitstream Vera licence): fpdf2's
built-in fonts are Latin-1 only, and a firm's drafts hold curly quotes, em dashes, £ and €,
and accented names. The font comes with the app, never from the user's system. It covers
Latin, Greek, Cyrillic and Hebrew; CJK characters have no glyph in it and print blank (fpdf2
logs which)."""
from __future__ import annotations

import base64
import io
from pathlib import Path

from agents.domain.drafts import Draft, SectionTable
from agents.review.certificate import (CERTIFICATE_NOTE, DRAFT_MARK, SourceQuote, certificate, is_signed, source_heading,
                                       source_quotes)
from agents.runtime.resources import resource

FONT = "DejaVuSans"
WIDE_TABLE = 7  # columns past which a table gets a landscape page of its own
KEEP_WITH_NEXT = 30  # mm a table or chart title needs below it to stay on its page
_GREY, _MARK_RED = (90, 90, 90), (170, 20, 20)


def _pdf_class():
    from fpdf import FPDF

    class DraftPDF(FPDF):
        """Header and footer run on every page fpdf2 adds, including those it breaks onto."""

        def __init__(self, draft: Draft, signed: bool) -> None:
            super().__init__(format="A4")
            self.draft, self.signed = draft, signed
            self.add_font(FONT, "", str(resource("fonts", "DejaVuSans.ttf")))
            self.add_font(FONT, "B", str(resource("fonts", "DejaVuSans-Bold.ttf")))
            self.set_margins(20, 20, 20)
            self.set_auto_page_break(True, margin=18)

        def header(self) -> None:
            d = self.draft
            with self.local_context():
                if not self.signed:
                    self.set_font(FONT, "B", 9)
                    self.set_text_color(*_MARK_RED)
                    line = f"{DRAFT_MARK} — {d.id} v{d.version}, status {d.status.value.replace('_', ' ')}"
                else:
                    self.set_font(FONT, "", 8)
                    self.set_text_color(*_GREY)
                    line = f"{d.id} v{d.version} — signed off"
                self.set_xy(self.l_margin, 8)
                self.cell(self.epw, 6, line, align="C")
            self.set_y(20)

        def footer(self) -> None:
            if not self.signed:
                # Drawn last and translucent, so no table or chart can cover it.
                with self.local_context(text_color=_MARK_RED, fill_opacity=0.13):
                    self.set_font(FONT, "B", 44)
                    with self.rotation(45, self.w / 2, self.h / 2):
                        width = self.get_string_width(DRAFT_MARK)
                        self.text(self.w / 2 - width / 2, self.h / 2, DRAFT_MARK)
            with self.local_context():
                self.set_y(-13)
                self.set_font(FONT, "", 7)
                self.set_text_color(*_GREY)
                self.cell(self.epw, 5, f"content SHA-256 {self.draft.content_sha256[:16]}…   "
                                       f"page {self.page_no()} of {{nb}}", align="C")

    return DraftPDF


def _rich(pdf, text: str, size: float = 10) -> None:
    """A paragraph with **bold** spans, wrapped to the page."""
    for i, part in enumerate(text.split("**")):
        if part:
            pdf.set_font(FONT, "B" if i % 2 else "", size)
            pdf.write(size * 0.5, part)
    pdf.ln(size * 0.5)
    pdf.ln(2)


def _heading(pdf, text: str, size: float) -> None:
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(pdf.epw, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _table(pdf, t: SectionTable) -> None:
    wide = len(t.columns) > WIDE_TABLE
    if wide:  # a due-diligence table's columns need the page's long side
        pdf.add_page(orientation="L")
    elif pdf.will_page_break(KEEP_WITH_NEXT):  # a title never ends a page without its table
        pdf.add_page()
    _heading(pdf, t.title, 9)
    size = 8 if len(t.columns) <= 6 else 6.5
    pdf.set_font(FONT, "", size)
    with pdf.table(text_align="LEFT", line_height=size * 0.5, padding=1) as table:
        for row in (t.columns, *t.rows):
            cells = table.row()
            for value in row:
                cells.cell(str(value))
    pdf.ln(1)
    for line in (f"Source: {t.source}" if t.source else "", t.note):
        if line:
            with pdf.local_context(text_color=_GREY):
                pdf.set_font(FONT, "", 8)
                pdf.multi_cell(pdf.epw, 4, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if wide:
        pdf.add_page(orientation="P")


def _appendix(pdf, quotes: tuple[SourceQuote, ...]) -> None:
    _heading(pdf, "Appendix: cited sources", 13)
    for n, q in enumerate(quotes, 1):
        pdf.set_font(FONT, "B", 8.5)
        pdf.multi_cell(pdf.epw, 4.2, f"{n}. {source_heading(q)}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 8.5)
        pdf.set_x(pdf.l_margin + 6)
        pdf.multi_cell(pdf.epw - 6, 4.2, f"“{q.passage}”", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


def _certificate(pdf, draft: Draft, audit_head: str) -> None:
    cert = certificate(draft, audit_head)
    pdf.add_page()
    _heading(pdf, "Sign-off", 15)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(pdf.epw, 4.5, CERTIFICATE_NOTE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 8)
    with pdf.table(col_widths=(32, 138), text_align="LEFT", line_height=4.2, padding=1.2,
                   first_row_as_headings=False) as table:
        for label, value in cert.fields():
            row = table.row()
            row.cell(label)
            row.cell(value)
    pdf.ln(5)
    _heading(pdf, "Signatures", 11)
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(col_widths=(45, 25, 25, 55, 20), text_align="LEFT", line_height=4.4, padding=1.2) as table:
        for values in [("Reviewer", "Role", "Meaning", "Signed at (UTC)", "Version")] + [
                (s.reviewer, s.role, s.meaning, s.signed_at, str(s.version)) for s in cert.signatures]:
            row = table.row()
            for v in values:
                row.cell(v)


def to_pdf(draft: Draft, audit_head: str, path: Path, sources: tuple[SourceQuote, ...] | None = None) -> None:
    signed = is_signed(draft)
    pdf = _pdf_class()(draft, signed)
    pdf.set_title(draft.title)
    pdf.set_author(draft.preparer or "agent")
    pdf.set_creator("Countersign")
    pdf.set_subject(f"content SHA-256 {draft.content_sha256}")
    pdf.add_page()
    if not signed:
        with pdf.local_context(text_color=_MARK_RED):
            _heading(pdf, f"{DRAFT_MARK} — status: {draft.status.value.replace('_', ' ')}", 10)
    _heading(pdf, draft.title, 17)
    for s in draft.sections:
        pdf.ln(2)
        _heading(pdf, s.heading, 13)
        for para in s.body.split("\n\n") if s.body else []:
            _rich(pdf, para)
        for t in s.tables:
            _table(pdf, t)
        for c in s.charts:
            if pdf.will_page_break(KEEP_WITH_NEXT):
                pdf.add_page()
            _heading(pdf, c.title, 9)
            pdf.image(io.BytesIO(base64.b64decode(c.png_base64)), w=pdf.epw)
            pdf.ln(2)
        for f in s.flags:
            with pdf.local_context(text_color=_MARK_RED):
                pdf.set_font(FONT, "", 9)
                pdf.multi_cell(pdf.epw, 4.5, f"Verifier flag ({f.severity}): {f}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    quotes = source_quotes(draft) if sources is None else sources
    if quotes:
        pdf.ln(3)
        _appendix(pdf, quotes)
    if signed:
        _certificate(pdf, draft, audit_head)
    pdf.output(str(path))
