"""Scanned pages: a PDF made only of page images is read with the real Tesseract."""
import pypdfium2
import pytest

from agents.domain.library import DocumentStatus
from agents.knowledge.parsers import ParseFailure, parse
from pdfgen import write_pdf


def scanned_pdf(tmp_path, pages):
    """Render a text PDF to images and save the images as a PDF: no text layer remains."""
    source = pypdfium2.PdfDocument(str(write_pdf(tmp_path / "source.pdf", pages)))
    images = [source[i].render(scale=3).to_pil().convert("RGB") for i in range(len(source))]
    source.close()
    out = tmp_path / "scan.pdf"
    images[0].save(out, save_all=True, append_images=images[1:])
    return out


def test_scanned_pages_are_read_with_ocr_and_marked(tmp_path):
    scan = scanned_pdf(tmp_path, ["The limitation of liability is capped at the annual fees.",
                                  "This agreement is governed by the laws of Ireland."])
    pages = parse(scan, 50_000_000, ocr=True).pages
    assert all(p.ocr for p in pages)
    assert "limitation of liability" in pages[0].text.lower()
    assert "laws of ireland" in pages[1].text.lower()


def test_with_ocr_off_a_scan_is_no_text_with_a_reason(tmp_path):
    scan = scanned_pdf(tmp_path, ["Only an image of text here."])
    with pytest.raises(ParseFailure) as info:
        parse(scan, 50_000_000, ocr=False)
    assert info.value.status is DocumentStatus.NO_TEXT and "OCR is turned off" in info.value.reason


def test_pages_with_a_text_layer_are_not_ocrd(tmp_path):
    pages = parse(write_pdf(tmp_path / "t.pdf", ["A real text layer on this page."]), 1_000_000, ocr=True).pages
    assert pages[0].ocr is False
