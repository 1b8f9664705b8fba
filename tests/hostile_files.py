"""Hostile inputs made in code, for the tests and benchmarks/adversarial.py: Word and Excel files
(zip bombs, DTDs with entity expansion or external entities, deeply nested tables and XML), a
folder of awkward names and links, and `carries`, the scan for a canary in any file."""
from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl
import pypdf
from pdfgen import write_pdf

_MB = 1 << 20


def plain_docx(path: Path, text: str = "An ordinary engagement letter.") -> Path:
    d = docx.Document()
    d.add_paragraph(text)
    d.save(path)
    return path


def plain_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["Account", "Debit"])
    wb.active.append(["Cash", 412300])
    wb.save(path)
    return path


def _rewrite(src: Path, dst: Path, member: str, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(data) if info.filename == member else data)
    src.unlink()
    return dst


def _with_dtd(xml: bytes, dtd: bytes, find: bytes, entity: bytes) -> bytes:
    """The part with `dtd` after its XML declaration and `find` (some text) replaced by `entity`."""
    end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    assert find in xml, find
    return xml[:end] + dtd + xml[end:].replace(find, entity, 1)


LAUGHS = b"<!DOCTYPE lolz [<!ENTITY lol \"lol\">" + b"".join(
    b"<!ENTITY lol%d \"%s\">" % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)) + b"]>"
XXE = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def billion_laughs_docx(path: Path) -> Path:
    plain_docx(path.with_suffix(".tmp"), "LAUGHS_HERE")
    return _rewrite(path.with_suffix(".tmp"), path, "word/document.xml",
                    lambda x: _with_dtd(x, LAUGHS, b"LAUGHS_HERE", b"&lol9;"))


def xxe_docx(path: Path) -> Path:
    plain_docx(path.with_suffix(".tmp"), "XXE_HERE")
    return _rewrite(path.with_suffix(".tmp"), path, "word/document.xml", lambda x: _with_dtd(x, XXE, b"XXE_HERE", b"&xxe;"))


def xxe_xlsx(path: Path) -> Path:
    plain_xlsx(path.with_suffix(".tmp"))
    return _rewrite(path.with_suffix(".tmp"), path, "xl/worksheets/sheet1.xml",
                    lambda x: _with_dtd(x, XXE, b"<t>Cash</t>", b"<t>&xxe;</t>"))


def billion_laughs_xlsx(path: Path) -> Path:
    plain_xlsx(path.with_suffix(".tmp"))
    return _rewrite(path.with_suffix(".tmp"), path, "xl/worksheets/sheet1.xml",
                    lambda x: _with_dtd(x, LAUGHS, b"<t>Cash</t>", b"<t>&lol9;</t>"))


def hidden_dtd_docx(path: Path) -> Path:
    """The DTD behind 100 KB of comment and in UTF-16, past where a quick look would stop."""
    plain_docx(path.with_suffix(".tmp"), "XXE_HERE")

    def change(xml: bytes) -> bytes:
        body = xml[xml.index(b"?>") + 2:].replace(b"XXE_HERE", b"&xxe;")
        text = b'<?xml version="1.0" encoding="UTF-16"?><!--' + b" " * 100_000 + b"-->" + XXE + body
        return text.decode("utf-8").encode("utf-16")

    return _rewrite(path.with_suffix(".tmp"), path, "word/document.xml", change)


def nested_tables_docx(path: Path, depth: int) -> Path:
    d = docx.Document()
    d.add_paragraph("Schedule of nested tables.")
    cell = d.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "level 0"
    for level in range(1, depth):
        cell = cell.add_table(rows=1, cols=1).cell(0, 0)
        cell.text = f"level {level}"
    d.save(path)
    return path


def deep_xml_xlsx(path: Path, depth: int = 100_000) -> Path:
    plain_xlsx(path.with_suffix(".tmp"))
    return _rewrite(path.with_suffix(".tmp"), path, "xl/worksheets/sheet1.xml",
                    lambda x: x.replace(b"<t>Cash</t>", b"<t>Cash" + b"<x>" * depth + b"</x>" * depth + b"</t>", 1))


def zip_bomb(path: Path, template: Path, member: str, declared_mb: int = 1024) -> Path:
    """`template`'s parts with `member` replaced by `declared_mb` of spaces, written by hand: a
    1 MB deflate block ending in a full flush decodes alone, so N copies of it are N MB. Costs
    milliseconds and about 1 KB per declared MB. The CRC is left 0: nothing should read that far."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(b" " * _MB) + co.flush(zlib.Z_FULL_FLUSH)
    stream = block * declared_mb + b"\x03\x00"  # an empty final block ends the stream
    with zipfile.ZipFile(template) as zin:
        parts = [(i.filename, zlib.compress(zin.read(i.filename))[2:-4], len(zin.read(i.filename)),
                  zlib.crc32(zin.read(i.filename))) for i in zin.infolist() if i.filename != member]
    parts.append((member, stream, declared_mb * _MB, 0))
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, size, crc in parts:
        offset, raw = out.tell(), name.encode()
        out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(raw), 0) + raw)
        out.write(data)
        central.write(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size, len(raw),
                                  0, 0, 0, 0, 0, offset) + raw)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central.getvalue()), start, 0))
    path.write_bytes(out.getvalue())
    template.unlink()
    return path


def docx_bomb(path: Path, declared_mb: int = 1024) -> Path:
    return zip_bomb(path, plain_docx(path.with_suffix(".tmp")), "word/document.xml", declared_mb)


def xlsx_bomb(path: Path, declared_mb: int = 1024) -> Path:
    return zip_bomb(path, plain_xlsx(path.with_suffix(".tmp")), "xl/worksheets/sheet1.xml", declared_mb)


def truncated_docx(path: Path) -> Path:
    plain_docx(path)
    path.write_bytes(path.read_bytes()[:600])
    return path


def sparse_sheet_xlsx(path: Path) -> Path:
    """5 KB that declares a sheet of 16,384 columns by 1,048,576 rows: one cell at each corner."""
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["B2"] = "Account", 412300
    wb.active.cell(row=1_048_576, column=16_384, value="end")
    wb.save(path)
    return path


def dense_sheet_xlsx(path: Path, rows: int, cols: int = 8) -> Path:
    """A real sheet of rows x cols filled cells (write-only: streamed, not held in memory)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Ledger")
    ws.append([f"Column {c}" for c in range(cols)])
    for r in range(rows):
        ws.append([r * cols + c for c in range(cols)])
    wb.save(path)
    return path


def long_pdf(path: Path, pages: int = 2000, label: str = "Schedule") -> Path:
    return write_pdf(path, [f"{label} page {n}: account {1000 + n % 900} balance GBP {n * 37:,}." for n in range(pages)])


def padded_pdf(path: Path, size: int, text: str = "A padded engagement letter: the fee is GBP 18,000.") -> Path:
    """A one-page text PDF made `size` bytes long by a comment after its header (written 1 MB at a
    time), its xref offsets moved to match: a big file whose text is small."""
    raw = write_pdf(path, [text]).read_bytes()
    head_end = raw.index(b"\n", raw.index(b"\n") + 1) + 1  # "%PDF-1.4" and the binary-marker comment
    filler = max(size - len(raw) - 2, 0)
    shift = filler + 2  # "%", the filler, "\n"
    xref = raw.rindex(b"\nxref\n") + 1
    table_end = raw.index(b"trailer", xref)
    table = re.sub(rb"^(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m[1]) + shift), raw[xref:table_end],
                   flags=re.M)
    tail = re.sub(rb"startxref\n\d+", lambda m: b"startxref\n%d" % (xref + shift), raw[table_end:])
    with path.open("wb") as fh:
        fh.write(raw[:head_end] + b"%")
        for _ in range(filler // _MB):
            fh.write(b"x" * _MB)
        fh.write(b"x" * (filler % _MB) + b"\n")
        fh.write(raw[head_end:xref] + table + tail)
    return path


def padded_text(path: Path, size: int) -> Path:
    """A memo followed by `size` bytes of spaces and line breaks, written 1 MB at a time."""
    with path.open("wb") as fh:
        fh.write(b"A memo on the retainer, then nothing but blank lines.\n")
        block = (b" " * 79 + b"\n") * (_MB // 80)
        for _ in range(size // len(block)):
            fh.write(block)
        fh.write(b" " * (size % len(block)))
    return path


def awkward_folder(root: Path) -> Path:
    """Links out of the folder (to a file, a folder, nowhere, and a loop), a name that is not
    UTF-8, a 255-byte name, and a folder nested past the OS's path length limit."""
    folder, outside = root / "client", root / "elsewhere"
    folder.mkdir()
    outside.mkdir()
    (outside / "private.txt").write_text("A private note that was never added.")
    (folder / "memo.txt").write_text("The retainer is GBP 12,000.")
    (folder / ("n" * 251 + ".txt")).write_text("A long-named memo about the audit fee.")
    with open(os.fsencode(folder) + b"/caf\xe9 minutes.txt", "w") as fh:
        fh.write("Minutes in a Latin-1 named file.")
    os.symlink(outside / "private.txt", folder / "link.txt")
    os.symlink(outside, folder / "linked_folder")
    os.symlink(root / "missing.txt", folder / "broken.txt")
    os.symlink(folder, folder / "loop")
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(40):  # 40 x 121 bytes: past PATH_MAX, made one level at a time
        os.mkdir("d" * 120, dir_fd=fd)
        fd, old = os.open("d" * 120, os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    os.close(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
    os.close(fd)
    return folder


# Every hostile office file, by the name it is written under.
MAKERS = {
    "bomb.docx": docx_bomb, "bomb.xlsx": xlsx_bomb,
    "laughs.docx": billion_laughs_docx, "laughs.xlsx": billion_laughs_xlsx,
    "xxe.docx": xxe_docx, "xxe.xlsx": xxe_xlsx, "hidden_dtd.docx": hidden_dtd_docx,
    "nested_40.docx": lambda p: nested_tables_docx(p, 40), "nested_60.docx": lambda p: nested_tables_docx(p, 60),
    "nested_120.docx": lambda p: nested_tables_docx(p, 120),
    "deep_xml.xlsx": deep_xml_xlsx, "truncated.docx": truncated_docx, "sparse_sheet.xlsx": sparse_sheet_xlsx,
}


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [make(folder / name) for name, make in MAKERS.items()]


def carries(path: Path, needle: str) -> bool:
    """The needle in the file's bytes (UTF-8 or UTF-16), in any zip part, or in a PDF's text."""
    raw = path.read_bytes()
    if any(form in raw for form in (needle.encode(), needle.encode("utf-16-le"))):
        return True
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return any(needle.encode() in z.read(name) for name in z.namelist())
    if raw.startswith(b"%PDF"):
        return any(needle in "".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(path).pages)
    return False
