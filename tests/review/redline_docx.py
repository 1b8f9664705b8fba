"""Reading a tracked-changes DOCX the way Word's "accept all" and "reject all" would."""
from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def document_xml(path: Path):
    return etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))


def changes(path: Path, kind: str) -> list:
    """Every w:ins or w:del element of the body."""
    return list(document_xml(path).iter(f"{W}{kind}"))


def change_text(el) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t", f"{W}delText"))


def resolved_text(path: Path, accept: bool) -> str:
    """The body's paragraphs with every change accepted (insertions kept, deletions dropped)
    or rejected (the reverse)."""
    paragraphs = []
    for p in document_xml(path).iter(f"{W}p"):
        parts = []
        for t in p.iter(f"{W}t", f"{W}delText"):
            inserted = any(a.tag == f"{W}ins" for a in t.iterancestors())
            keep = (not accept) if t.tag == f"{W}delText" else (accept or not inserted)
            if keep:
                parts.append(t.text or "")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def flat(text: str) -> str:
    return " ".join(text.split())
