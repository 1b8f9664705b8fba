"""A minimal text-PDF writer for fixtures and samples (no PDF library writes text simply)."""
from __future__ import annotations

import textwrap
from pathlib import Path


def pdf_string(line: str) -> str:
    """Text for a PDF string literal `( … )`."""
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, pages: list[str], width: int = 92) -> Path:
    """One PDF page per string; paragraphs wrap at `width` characters, Helvetica 10 pt."""
    streams = []
    for text in pages:
        lines: list[str] = []
        for para in text.split("\n"):
            lines.extend(textwrap.wrap(para, width) or [""])
        ops = ["BT", "/F1 10 Tf", "13 TL", "56 790 Td"]
        ops += [f"({pdf_string(line)}) Tj T*" for line in lines]
        ops.append("ET")
        streams.append("\n".join(ops))
    return write_streams(path, streams)


def write_streams(path: Path, streams: list[str]) -> Path:
    """One PDF page per content stream (operators as text; font /F1 is Helvetica)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",  # pages tree, filled in below
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    page_ids = []
    for text in streams:
        stream = text.encode("cp1252", errors="replace")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>".encode())
        page_ids.append(len(objects))
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects[1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path
