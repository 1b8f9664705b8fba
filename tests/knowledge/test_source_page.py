"""The source viewer's core: a cited PDF page rendered with the passage highlighted where pdfium
draws it, and the indexed text instead (saying why) when the file moved, changed, or is not a PDF."""
from __future__ import annotations

import io
import shutil

import docx
import pytest
from PIL import Image
from pdfgen import write_pdf

from agents.knowledge.source_page import locate
from agents.services import Countersign

PAGE_1 = "1. DEFINITIONS\nIn this Agreement the Products are the goods listed in Schedule 1."
PAGE_2 = ("7. LIABILITY\n7.1 Neither party shall be liable for any indirect or consequential loss.\n"
          "7.2 Each party's total liability shall not exceed the fees paid in the twelve months before the claim.")


def test_locate_compares_letters_and_digits_only():
    page = "7.2 Each party\u2019s total   liabil-\nity shall not exceed the fees."
    spans = locate("7.2 Each party's total liability shall not exceed the fees.", page)
    assert spans == [(0, len(page) - 1)]  # from the first letter to the last, punctuation aside
    assert locate("Nothing like this sentence is on the page at all.", page) == []


def test_locate_falls_back_to_the_sentences_it_can_find():
    page = "Alpha beta gamma delta epsilon. Zeta eta theta iota kappa."
    spans = locate("Something the renderer lost entirely here. Zeta eta theta iota kappa.", page)
    assert [page[s:e] for s, e in spans] == ["Zeta eta theta iota kappa"]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("source")
    pdf = write_pdf(tmp_path / "supply.pdf", [PAGE_1, PAGE_2])
    word = docx.Document()
    word.add_paragraph("The governing law is the law of Ireland.")
    word.save(tmp_path / "side_letter.docx")
    core = Countersign.open(str(tmp_path / "data"))
    core.create_matter("M")
    list(core.ingest("M", [pdf, tmp_path / "side_letter.docx"]))
    yield core, pdf
    core.close()


def cited(core, filename, needle):
    doc = core.find_document("M", filename)
    for number, text in core.library.page_texts(doc.id):
        if needle in text:
            start = text.index(needle)
            return doc, number, start, start + len(needle)
    raise AssertionError(needle)


def test_a_cited_pdf_page_is_rendered_with_the_passage_highlighted(library):
    core, _ = library
    doc, page, start, end = cited(core, "supply.pdf", "7.2 Each party's total liability")
    shown = core.source_page(doc.id, page, start, end)
    assert (shown.page, shown.pages, shown.notice) == (2, 2, "") and shown.found
    image = Image.open(io.BytesIO(shown.png))
    left, top, right, bottom = shown.boxes[0]
    assert 0 <= left < right <= image.width and 0 <= top < bottom <= image.height
    # The highlight is drawn: most of the box is tinted yellow, and the page outside it is not.
    rgb = image.convert("RGB")
    inside = [rgb.getpixel((x, y)) for x in range(left, right) for y in range(top, bottom)]
    tinted = sum(1 for r, g, b in inside if r > 230 and g > 200 and b < 170)
    assert tinted > 0.5 * len(inside)
    assert rgb.getpixel((2, 2)) == (255, 255, 255)
    # Another page of the same file: rendered, nothing highlighted.
    other = core.source_page(doc.id, 1)
    assert other.png and other.boxes == ()
    # On a high-DPI screen (2 device pixels a point) the page has twice the pixels, sharp there.
    sharp = core.source_page(doc.id, page, start, end, pixel_ratio=2.0)
    assert Image.open(io.BytesIO(sharp.png)).width in range(2 * image.width - 2, 2 * image.width + 3)
    assert abs(sharp.boxes[0][0] - 2 * left) <= 2 and abs(sharp.boxes[0][1] - 2 * top) <= 2
    assert len(sharp.boxes) == len(shown.boxes)  # one mark per line at any scale, not one per letter


def test_a_changed_or_moved_pdf_shows_the_indexed_text_and_says_why(library, tmp_path):
    core, pdf = library
    doc, page, start, end = cited(core, "supply.pdf", "7.1 Neither party")
    original = pdf.read_bytes()
    try:
        pdf.write_bytes(original + b"\n%")
        changed = core.source_page(doc.id, page, start, end)
        assert changed.png is None and "has changed since it was indexed" in changed.notice
        assert changed.text[changed.start:changed.end] == "7.1 Neither party"
        shutil.move(pdf, tmp_path / "elsewhere.pdf")
        assert "is no longer at" in core.source_page(doc.id, page, start, end).notice
    finally:
        pdf.write_bytes(original)


def test_a_word_file_shows_its_text_with_the_span(library):
    core, _ = library
    doc, page, start, end = cited(core, "side_letter.docx", "law of Ireland")
    shown = core.source_page(doc.id, page, start, end)
    assert shown.png is None and shown.notice == "" and shown.text[shown.start:shown.end] == "law of Ireland"
