"""Markdown, DOCX and PDF exports read back (pypdf, python-docx): the sections, tables and
charts; the draft mark while unsigned; the certificate and the sources appendix once signed;
Unicode in the PDF."""
from __future__ import annotations

from dataclasses import replace

import docx
import pytest
from pypdf import PdfReader

from agents.domain.drafts import SignOff
from agents.review.certificate import DRAFT_MARK, is_signed
from tests.review.contract_memo import MATTER, open_app
from tests.review.sample_draft import PASSAGE, QUOTE, UNICODE, sample_draft
from workflow_drafts import sign_with_policy

FORMATS = ("md", "docx", "pdf")


@pytest.fixture
def app(data_dir):
    yield from open_app(data_dir)


def pdf_pages(path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(str(path)).pages]


def docx_text(path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def text_of(path, fmt: str) -> str:
    if fmt == "md":
        return path.read_text(encoding="utf-8")
    return docx_text(path) if fmt == "docx" else " ".join(pdf_pages(path))


def flat(text: str) -> str:
    return " ".join(text.replace("**", "").split())


@pytest.fixture
def draft(app):
    return sample_draft(app, MATTER)


def test_unsigned_exports_carry_the_draft_mark_and_every_section(app, draft, tmp_path):
    for fmt in FORMATS:
        path = app.export(draft.id, fmt, tmp_path / f"unsigned.{fmt}")
        text = flat(text_of(path, fmt))
        assert DRAFT_MARK in text, fmt
        for s in draft.sections:
            assert flat(s.heading) in text and flat(s.body) in text, (fmt, s.key)
        for cell in ("Fees — monthly", "£1,200", "+200.0%", "Rebates", "Δ %"):
            assert cell in text, (fmt, cell)
        assert "Verifier flag" in text and "the figure £1,200 appears in no computation" in text
        assert "Sign-off" not in text and "Certificate of review" not in text, fmt
    md = (tmp_path / "unsigned.md").read_text(encoding="utf-8")
    assert md.startswith(f"> **{DRAFT_MARK}**") and "[Chart: Fees by quarter]" in md
    assert "| Fees — monthly | £1,000 | £1,200 | +20.0% |" in md
    word = docx.Document(str(tmp_path / "unsigned.docx"))
    # The header is on every page of the section, and the document is one section.
    assert len(word.sections) == 1 and word.sections[0].header.paragraphs[0].text.startswith(DRAFT_MARK)
    assert len(word.inline_shapes) == 1  # the chart
    pages = pdf_pages(tmp_path / "unsigned.pdf")
    assert len(pages) >= 2
    assert all(f"{DRAFT_MARK} — {draft.id} v1, status draft" in p for p in pages)
    assert sum(len(p.images) for p in PdfReader(str(tmp_path / "unsigned.pdf")).pages) == 1


def test_signed_exports_carry_the_certificate_and_the_sources_appendix(app, draft, tmp_path):
    signed = sign_with_policy(app, draft.id, "Dana Whitfield")
    signature = signed.signoffs[0]
    for fmt in FORMATS:
        path = app.export(draft.id, fmt, tmp_path / f"signed.{fmt}")
        head = app.review.audit.entries(draft.id)[-1].prev_hash  # the head the file was made against
        text = flat(text_of(path, fmt))
        assert DRAFT_MARK not in text, fmt
        for fact in ("Sign-off", "Certificate of review", "A. Associé", draft.created_at, "Dana Whitfield", "partner",
                     "approved", signature.signed_at, draft.content_sha256, head,
                     "qwen2.5-coder-0.5b-instruct-q4_k_m", "1d96" + "0" * 60, "credit-memo, version 1.3"):
            assert fact in text, (fmt, fact)
        # The appendix: the stored passage a prose citation points at, the clause quoted by
        # code, and an honest note for a source no longer in the library.
        assert "Appendix: cited sources" in text
        assert PASSAGE in text and QUOTE in text and "supply_agreement.pdf, p. 2" in text
        assert "old_side_letter.pdf, p. 4" in text and "no longer in the library" in text
        assert "cited in Summary [1]" in text and "Governing law [1]" in text
    word = docx.Document(str(tmp_path / "signed.docx"))
    assert word.sections[0].header.paragraphs[0].text == ""
    assert "Signed off by Dana Whitfield (partner) — meaning: approved" in [p.text for p in word.paragraphs]
    pages = pdf_pages(tmp_path / "signed.pdf")
    assert "Certificate of review" in pages[-1] and "Dana Whitfield partner approved" in pages[-1]
    assert "Certificate of review" not in " ".join(pages[:-1])  # a page of its own


def test_pdf_sets_unicode_in_the_bundled_font(app, draft, tmp_path):
    path = app.export(draft.id, "pdf", tmp_path / "memo.pdf")
    reader = PdfReader(str(path))
    text = " ".join(pdf_pages(path))
    for s in (UNICODE, "Credit memo — Zoë Ångström Trading AB", "Note 1 — détail", "Δ %", "€900"):
        assert flat(s) in text, s
    fonts = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVuSans" in f for f in fonts)


def test_a_signature_of_other_content_does_not_make_an_export_signed(draft):
    old = SignOff("Dana Whitfield", "partner", "approved", "f" * 64, "2026-01-01T00:00:00Z", 1)
    assert not is_signed(replace(draft, signoffs=(old,)))
    assert is_signed(replace(draft, signoffs=(replace(old, content_sha256=draft.content_sha256),)))


def test_an_unknown_format_is_refused_and_nothing_is_audited(app, draft, tmp_path):
    with pytest.raises(ValueError, match="export format must be one of: md, docx, pdf, redline-docx"):
        app.export(draft.id, "rtf", tmp_path / "memo.rtf")
    assert [e.action for e in app.review.audit.entries(draft.id)] == ["draft.created"]


def test_a_wide_table_gets_a_landscape_page_in_the_pdf(app, draft, tmp_path):
    from agents.domain.drafts import SectionTable
    from agents.review.export_pdf import to_pdf

    columns = ("Contract",) + tuple(f"Topic {i}" for i in range(1, 10))
    table = SectionTable("Clause table", columns, (("kestrel.pdf",) + ("Yes, capped at fees paid [1]",) * 9,))
    wide = replace(draft, sections=(replace(draft.sections[0], tables=(table,)),) + draft.sections[1:])
    to_pdf(wide, "0" * 64, tmp_path / "wide.pdf")
    pages = PdfReader(str(tmp_path / "wide.pdf")).pages
    shapes = [("landscape" if p.mediabox.width > p.mediabox.height else "portrait", "Topic 9" in p.extract_text())
              for p in pages]
    assert ("landscape", True) in shapes
    assert all(kind == "portrait" for kind, has_table in shapes if not has_table)
