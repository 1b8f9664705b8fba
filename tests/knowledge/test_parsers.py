import docx
import pypdf
import pytest

from agents.domain.library import DocumentStatus
from agents.knowledge.parsers import ParseFailure, parse
from pdfgen import write_pdf

MB = 1_000_000


def test_pdf_pages_are_numbered_from_one(tmp_path):
    path = write_pdf(tmp_path / "a.pdf", ["First page about governing law.", "Second page about fees."])
    parsed = parse(path, 10 * MB)
    assert [p.number for p in parsed.pages] == [1, 2]
    assert "fees" in parsed.pages[1].text


def test_pdf_encrypted_with_empty_password_opens(tmp_path):
    src = write_pdf(tmp_path / "plain.pdf", ["Open sesame clause."])
    writer = pypdf.PdfWriter(clone_from=str(src))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    writer.write(tmp_path / "aes.pdf")
    assert "sesame" in parse(tmp_path / "aes.pdf", 10 * MB).pages[0].text


def test_password_protected_pdf_is_reported_encrypted(tmp_path):
    src = write_pdf(tmp_path / "plain.pdf", ["Secret."])
    writer = pypdf.PdfWriter(clone_from=str(src))
    writer.encrypt(user_password="s3cret", algorithm="AES-256")
    writer.write(tmp_path / "locked.pdf")
    with pytest.raises(ParseFailure) as info:
        parse(tmp_path / "locked.pdf", 10 * MB)
    assert info.value.status is DocumentStatus.ENCRYPTED


def test_corrupt_pdf_fails_alone_with_a_reason(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n this is not a pdf at all")
    with pytest.raises(ParseFailure) as info:
        parse(bad, 10 * MB)
    assert info.value.status in (DocumentStatus.CORRUPT, DocumentStatus.NO_TEXT)
    assert info.value.reason


def test_pdf_without_text_layer_is_no_text(tmp_path):
    path = write_pdf(tmp_path / "blank.pdf", [""])
    with pytest.raises(ParseFailure) as info:
        parse(path, 10 * MB)
    assert info.value.status is DocumentStatus.NO_TEXT


def test_docx_paragraphs_and_tables(tmp_path):
    d = docx.Document()
    d.add_heading("Supply agreement", 1)
    d.add_paragraph("This agreement is governed by the laws of Scotland.")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Fee", "Amount"
    t.cell(1, 0).text, t.cell(1, 1).text = "Retainer", "12,000"
    d.save(tmp_path / "a.docx")
    text = parse(tmp_path / "a.docx", 10 * MB).pages[0].text
    assert "laws of Scotland" in text and "Retainer | 12,000" in text


def test_text_form_feeds_are_pages_and_cp1252_is_decoded(tmp_path):
    (tmp_path / "a.txt").write_bytes("Caf\xe9 terms.\fPage two.".encode("cp1252"))
    pages = parse(tmp_path / "a.txt", 10 * MB).pages
    assert pages[0].text == "Café terms." and pages[1].number == 2


def test_unsupported_and_too_large(tmp_path):
    (tmp_path / "a.exe").write_bytes(b"MZ")
    with pytest.raises(ParseFailure) as info:
        parse(tmp_path / "a.exe", MB)
    assert info.value.status is DocumentStatus.UNSUPPORTED
    (tmp_path / "big.txt").write_text("x" * 2000)
    with pytest.raises(ParseFailure) as info:
        parse(tmp_path / "big.txt", 1000)
    assert info.value.status is DocumentStatus.TOO_LARGE
