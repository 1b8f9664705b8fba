"""A cited page as the reader should see it: the original PDF page rendered (pypdfium2) with the
cited passage highlighted, or, for Word, Excel and text files, the indexed page text with the
passage's character span.

The passage's offsets refer to the text pypdf extracted at ingestion, while pdfium has its own
text layer; the two differ in spacing, ligatures and hyphenation. Both are reduced to their
letters and digits, the passage is found in pdfium's text that way, and pdfium's boxes of the
matching characters are drawn. A passage that cannot be found is reported (`found` false), never
guessed."""
from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from agents.knowledge.ingest import sha256_file

# pdfium is not thread-safe; the viewer renders off the UI thread, one page at a time.
_PDFIUM = threading.Lock()
_SENTENCE = re.compile(r"(?<=[.;:!?])\s+")


@dataclass(frozen=True)
class SourcePage:
    filename: str
    page: int
    pages: int
    text: str  # the indexed page text (what the passage's offsets point into)
    start: int  # the passage's character span in `text`
    end: int
    png: bytes | None = None  # the rendered original page, for PDFs whose file is unchanged
    boxes: tuple[tuple[int, int, int, int], ...] = field(default=())  # highlight rectangles in png pixels
    found: bool = False  # the passage was located on the rendered page
    notice: str = ""  # why the original is not shown, for the reader


def _alnum_index(text: str) -> tuple[str, list[int]]:
    """Lower-cased letters and digits of `text`, with each one's index in `text`."""
    keep = [(i, c.lower()) for i, c in enumerate(text) if c.isalnum()]
    return "".join(c for _, c in keep), [i for i, _ in keep]


def locate(passage: str, page_text: str) -> list[tuple[int, int]]:
    """Character spans of `page_text` that hold `passage`, compared by letters and digits only.
    The whole passage if it is there; otherwise each of its sentences that is."""
    hay, where = _alnum_index(page_text)
    spans = []
    for piece in [passage] + [s for s in _SENTENCE.split(passage) if len(s.split()) >= 4]:
        needle, _ = _alnum_index(piece)
        at = hay.find(needle) if len(needle) >= 8 else -1
        if at >= 0:
            spans.append((where[at], where[at + len(needle) - 1] + 1))
            if piece is passage:
                break
    return spans


def read_source_page(path: str, content_hash: str, kind: str, filename: str, page: int, pages: int, text: str,
                     start: int, end: int, scale: float = 1.5, pixel_ratio: float = 1.0) -> SourcePage:
    """`scale` is the page's size on screen in points per PDF point; `pixel_ratio` the screen's
    device pixels per point (2 on a high-DPI screen), so the page is rendered sharp there."""
    scale *= min(max(pixel_ratio, 1.0), 3.0)  # beyond 3x the PNG only grows
    plain = SourcePage(filename, page, pages, text, start, end)
    if kind != "pdf":
        return plain
    original = Path(path)
    try:
        if not original.is_file():
            return _with(plain, f"{filename} is no longer at {path}; showing the text indexed from it")
        if sha256_file(original) != content_hash:
            return _with(plain, f"{filename} has changed since it was indexed; showing the text that was cited")
    except OSError as exc:
        return _with(plain, f"cannot read {filename} ({exc.strerror}); showing the indexed text")
    try:
        png, boxes = _render(original, page, text[start:end], scale)
    except Exception as exc:  # pdfium raises its own PdfiumError; any failure falls back to the text
        return _with(plain, f"cannot render page {page} of {filename} ({type(exc).__name__}); showing its text")
    return SourcePage(filename, page, pages, text, start, end, png, boxes, bool(boxes),
                      "" if boxes else "the passage could not be located on the rendered page; it is shown in the text")


def _with(page: SourcePage, notice: str) -> SourcePage:
    return SourcePage(page.filename, page.page, page.pages, page.text, page.start, page.end, notice=notice)


def _render(path: Path, page_number: int, passage: str, scale: float):
    import pypdfium2
    from PIL import ImageDraw

    with _PDFIUM:
        pdf = pypdfium2.PdfDocument(str(path))
        try:
            pdf_page = pdf[page_number - 1]
            height = pdf_page.get_height()
            textpage = pdf_page.get_textpage()
            layer = textpage.get_text_range()
            rects = []
            # get_text_range() and the char boxes share one index space in pdfium 5.
            for s, e in locate(passage, layer):
                for i in range(s, min(e, textpage.count_chars())):
                    if not layer[i].isspace():
                        rects.append(textpage.get_charbox(i))
            image = pdf_page.render(scale=scale).to_pil().convert("RGB")
        finally:
            pdf.close()
    boxes = _merge_lines([(int(left * scale), int((height - top) * scale), int(right * scale) + 1,
                           int((height - bottom) * scale) + 1) for left, bottom, right, top in rects], scale)
    overlay = image.copy()
    draw = ImageDraw.Draw(overlay)
    for box in boxes:
        draw.rectangle(box, fill=(255, 214, 0))
    from PIL import Image

    blended = Image.blend(image, overlay, 0.45)
    out = io.BytesIO()
    blended.save(out, format="PNG")
    return out.getvalue(), tuple(boxes)


def _merge_lines(boxes: list[tuple[int, int, int, int]], scale: float = 1.5) -> list[tuple[int, int, int, int]]:
    """One rectangle per run of characters on a line, so the highlight reads as a marker pen.
    Characters share a line when their heights overlap by half (a capital's box is taller than an
    x's, more so in pixels at a high-DPI scale); a run breaks at a gap wider than ~27 points."""
    merged: list[list[int]] = []
    for left, top, right, bottom in boxes:
        last = merged[-1] if merged else None
        overlap = min(bottom, last[3]) - max(top, last[1]) if last else 0
        same_line = last is not None and overlap >= 0.5 * min(bottom - top, last[3] - last[1])
        if same_line and left >= last[0] and left - last[2] < 27 * scale:
            last[1], last[2], last[3] = min(last[1], top), max(last[2], right), max(last[3], bottom)
        else:
            merged.append([left, top, right, bottom])
    return [tuple(b) for b in merged]
