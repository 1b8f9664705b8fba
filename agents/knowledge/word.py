"""Word (.docx) text in reading order: body paragraphs and tables as they appear, headers and
footers once, and tracked changes read as accepted (insertions kept, deletions dropped)."""
from __future__ import annotations

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Text-bearing elements inside a paragraph; w:delText (deleted text) is deliberately absent.
_TEXT, _TAB, _BREAKS = W + "t", W + "tab", (W + "br", W + "cr")
# Subtrees that are not part of the accepted text: deletions, moved-away text, field codes.
_SKIP = (W + "del", W + "moveFrom", W + "instrText")


def paragraph_text(p) -> str:
    parts: list[str] = []

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == _TEXT:
                parts.append(child.text or "")
            elif tag == _TAB:
                parts.append("\t")
            elif tag in _BREAKS:
                parts.append("\n")
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _table_rows(tbl, depth: int = 0) -> list[str]:
    rows = []
    for tr in tbl.iter(W + "tr"):
        if tr.getparent() is not tbl:
            continue  # nested tables are read inside their cell
        cells = []
        for tc in tr.findall(W + "tc"):
            cells.append(" ".join(" ".join(_block_texts(tc, depth + 1)).split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _block_texts(container, depth: int = 0) -> list[str]:
    out: list[str] = []
    for child in container:
        if child.tag == W + "p":
            text = paragraph_text(child)
            if text.strip():
                out.append(text)
        elif child.tag == W + "tbl" and depth < 8:
            out.extend(_table_rows(child, depth))
        elif child.tag == W + "tbl":
            # Rows nested past 8 levels no longer read as a table, but their text is still the
            # document's: read flat, in one pass with no recursion (lxml caps depth at 256).
            flat = " ".join(t for p in child.iter(W + "p") if (t := paragraph_text(p).strip()))
            if flat:
                out.append(flat)
        elif child.tag in (W + "sdt", W + "sdtContent", W + "ins", W + "customXml"):
            out.extend(_block_texts(child, depth))
    return out


def docx_text(document) -> str:
    """`document` is a python-docx Document; the result is the file's text, blocks by blank lines."""
    blocks = _block_texts(document.element.body)
    seen: set[str] = set()
    margins: list[str] = []
    for section in document.sections:
        for part in (section.header, section.footer):
            if part.is_linked_to_previous:
                continue
            for text in _block_texts(part._element):
                if text not in seen:
                    seen.add(text)
                    margins.append(text)
    if margins:
        blocks.append("Headers and footers: " + " / ".join(margins))
    return "\n\n".join(blocks)
