"""Text extraction with page numbers for PDF, DOCX, TXT and MD; failures carry a status."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from agents.domain.library import DocumentStatus, Page
from agents.knowledge.ocr import MIN_TEXT_CHARS, OcrUnavailable, PageReader
from agents.knowledge.tables import csv_pages, xlsx_pages
from agents.knowledge.word import docx_text

SUPPORTED = {".pdf": "pdf", ".docx": "docx", ".txt": "text", ".md": "markdown",
             ".xlsx": "spreadsheet", ".xlsm": "spreadsheet", ".csv": "csv"}
TABLE_KINDS = {"spreadsheet", "csv"}
_PACKAGES = {"docx": "Word file", "spreadsheet": "Excel file"}  # zip packages of XML parts


class ParseFailure(Exception):
    def __init__(self, status: DocumentStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class ParsedDocument:
    kind: str
    pages: list[Page]


def parse(path: Path, max_bytes: int, ocr: bool = False) -> ParsedDocument:
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise ParseFailure(DocumentStatus.UNSUPPORTED, f"'{path.suffix or 'no extension'}' files are not supported (PDF, DOCX, XLSX, CSV, TXT, MD are)")
    size = path.stat().st_size
    if size > max_bytes:
        raise ParseFailure(DocumentStatus.TOO_LARGE, f"{size / 1e6:.0f} MB exceeds the {max_bytes / 1e6:.0f} MB limit (setting max_file_mb)")
    if kind in _PACKAGES:
        from agents.knowledge.office_guard import check_package

        check_package(path, max_bytes, _PACKAGES[kind])  # zip bombs and DTDs, before any parser
    pages = _pdf(path, ocr) if kind == "pdf" else {"docx": _docx, "spreadsheet": _xlsx, "csv": csv_pages}.get(kind, _text)(path)
    pages = [Page(p.number, _normalise(p.text), p.ocr) for p in pages]
    if not any(p.text.strip() for p in pages):
        reason = ("no text layer, and OCR " + ("found no text" if ocr else "is turned off (setting ocr)")
                  if kind == "pdf" else "the file contains no text")
        raise ParseFailure(DocumentStatus.NO_TEXT, reason)
    return ParsedDocument(kind, pages)


def _normalise(text: str) -> str:
    # NULs and stray carriage returns break FTS and quote matching; nothing else is altered so
    # that character spans stay meaningful against what the reader sees.
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def _pdf(path: Path, ocr: bool) -> list[Page]:
    pages = _pdf_text(path)
    scans = [p.number for p in pages if len(p.text.strip()) < MIN_TEXT_CHARS]
    if not (ocr and scans):
        return pages
    try:
        reader = PageReader(path)
    except OcrUnavailable:
        return pages  # reported as no_text with the reason below if nothing else has text
    read: dict[int, str] = {}
    try:
        for n in scans:
            try:
                read[n] = reader.text(n)
            except (RuntimeError, ValueError, OSError):
                continue  # one unreadable image leaves that page empty, not the file failed
    finally:
        reader.close()
    return [Page(p.number, read[p.number], ocr=True) if read.get(p.number, "").strip() else p for p in pages]


def _pdf_text(path: Path) -> list[Page]:
    import pypdf
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted:
            # Many filings are AES-encrypted with an empty user password; those open fine.
            try:
                if not reader.decrypt(""):
                    raise ParseFailure(DocumentStatus.ENCRYPTED, "password-protected PDF; remove the password and re-add it")
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise ParseFailure(DocumentStatus.ENCRYPTED, f"password-protected PDF ({exc})") from exc
        return [Page(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]
    except ParseFailure:
        raise
    except FileNotDecryptedError as exc:
        raise ParseFailure(DocumentStatus.ENCRYPTED, "password-protected PDF; remove the password and re-add it") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise ParseFailure(DocumentStatus.CORRUPT, f"damaged PDF: {type(exc).__name__}: {str(exc)[:120]}") from exc


def _docx(path: Path) -> list[Page]:
    import zipfile

    import docx

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ParseFailure(DocumentStatus.CORRUPT, f"not a readable Word file: {str(exc)[:120]}") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        # lxml's message says what is wrong ("Excessive depth in document: 256"), so keep it.
        raise ParseFailure(DocumentStatus.CORRUPT, f"not a readable Word file: {type(exc).__name__}: {str(exc)[:120]}") from exc
    # Word files have no fixed pages; the whole text is page 1 and spans locate passages in it.
    return [Page(1, docx_text(document))]


def _xlsx(path: Path) -> list[Page]:
    import zipfile

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about every feature it drops
            return xlsx_pages(path)
    except ParseFailure:
        raise
    except zipfile.BadZipFile as exc:
        raise ParseFailure(DocumentStatus.CORRUPT, "not a readable Excel file (damaged zip)") from exc
    except Exception as exc:  # openpyxl surfaces damage as KeyError, IndexError, lxml errors...
        raise ParseFailure(DocumentStatus.CORRUPT, f"not a readable Excel file: {type(exc).__name__}: {str(exc)[:100]}") from exc


def _text(path: Path) -> list[Page]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("latin-1")
    # A form feed is the one page marker plain text has.
    return [Page(i + 1, part) for i, part in enumerate(text.split("\f"))]
