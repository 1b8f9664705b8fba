"""The contract as a DOCX whose suggested revisions are real tracked changes: each quoted
clause sentence a deletion (w:del), the fallback wording an insertion (w:ins), so Word and
LibreOffice show a redline the other side can accept or reject change by change.

python-docx has no API for revisions; the w:ins / w:del elements are written here.

The contract's text is the library's page text, one paragraph per block (a blank line, a
numbered clause or a heading starts one), whitespace collapsed; "reject all" gives exactly
that text back and "accept all" gives it with every placed revision applied."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from agents.review.export_docx import xml_safe
from agents.review.revisions import SuggestedRevision

AUTHOR = "Countersign (suggested)"
_CLAUSE_START = re.compile(r"^\s*(\d+(\.\d+)*\.?\s|\(?[a-z]\)\s)")
_SENTENCE_END = re.compile(r"[.;!?][”’\")]*(?=\s|$)")
EXTEND = 300


@dataclass
class Paragraph:
    page: int
    text: str
    # (start, end, replacement, finding) in this paragraph's text, non-overlapping
    edits: list[tuple[int, int, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RedlineReport:
    placed: tuple[str, ...]  # findings whose revision is in the document
    skipped: tuple[tuple[str, str], ...]  # (finding, why it could not be placed)


def _heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def paragraphs(pages: list[tuple[int, str]]) -> list[Paragraph]:
    out: list[Paragraph] = []
    for number, text in pages:
        block: list[str] = []
        for raw in [*xml_safe(text).splitlines(), ""]:
            line = raw.strip()
            starts = not line or _CLAUSE_START.match(line) or _heading(line) or (block and _heading(block[-1]))
            if starts and block:
                out.append(Paragraph(number, " ".join(" ".join(block).split())))
                block = []
            if line:
                block.append(line)
    return out


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole sentence around a quote: a passage boundary can cut a quoted sentence short
    (or start it inside a clause number), and the fallback wording replaces a whole sentence.
    Never by more than EXTEND characters either way: past that the "sentence" is a list or a
    table, and striking what the memo did not quote would be worse than a partial sentence.
    The clause keeps its number ("4.1"); only its wording is replaced."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    before = max([e for e in ends if e <= start], default=0)
    after = min([e for e in ends if e >= end], default=len(text))
    start = before if start - before <= EXTEND else start
    end = after if after - end <= EXTEND else end
    while start < end and text[start] == " ":
        start += 1
    number = _CLAUSE_START.match(text[start:end])
    return start + (number.end() if number else 0), end


def _place(paras: list[Paragraph], r: SuggestedRevision) -> str:
    """Attach the revision to the paragraph holding its quote; the reason when it cannot be."""
    on_page = [i for i, p in enumerate(paras) if p.page == r.citation.page]
    joined, starts = "", []
    for i in on_page:
        starts.append(len(joined))
        joined += paras[i].text + " "
    quote = " ".join(xml_safe(r.quote).split())  # as the paragraphs hold their text
    hits = [m.start() for m in re.finditer(re.escape(quote), joined)] if quote else []
    if not hits:
        return f"the quoted clause is not on page {r.citation.page} of the contract as stored"
    # Of several identical sentences, the one nearest the cited passage's place on the page.
    at = min(hits, key=lambda h: abs(h - r.citation.char_start))
    first = max(k for k, s in enumerate(starts) if s <= at)
    last = max(k for k, s in enumerate(starts) if s < at + len(quote))
    if first != last:  # a clause the block rules split: make its paragraphs one
        target = paras[on_page[first]]
        if any(paras[on_page[k]].edits for k in range(first + 1, last + 1)):
            return "its clause overlaps another suggested revision"
        target.text = " ".join(paras[on_page[k]].text for k in range(first, last + 1))
        for k in reversed(range(first + 1, last + 1)):
            del paras[on_page[k]]
    target = paras[on_page[first]]
    start, end = _sentence(target.text, at - starts[first], at - starts[first] + len(quote))
    for s, e, _, other in target.edits:
        if start < e and s < end:
            return f"the same clause is already revised for {other}"
    target.edits.append((start, end, r.replacement, r.finding))
    target.edits.sort()
    return ""


def _run(text: str, deleted: bool = False):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r, t = OxmlElement("w:r"), OxmlElement("w:delText" if deleted else "w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    r.append(t)
    return r


def _change(kind: str, change_id: int, when: str, text: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(f"w:{kind}")
    for name, value in (("id", str(change_id)), ("author", AUTHOR), ("date", when)):
        el.set(qn(f"w:{name}"), value)
    el.append(_run(text, deleted=kind == "del"))
    return el


def write_redline(pages: list[tuple[int, str]], revisions: list[SuggestedRevision], path: Path, header: str,
                  when: str) -> RedlineReport:
    import docx
    from docx.enum.text import WD_BREAK

    paras = paragraphs(pages)
    placed, skipped = [], []
    for r in revisions:
        why = _place(paras, r)
        if why:
            skipped.append((r.finding, why))
        else:
            placed.append(r.finding)
    doc = docx.Document()
    for section in doc.sections:
        section.header.paragraphs[0].text = xml_safe(header)
    change_id, page = 1, paras[0].page if paras else 0
    for p in paras:
        para = doc.add_paragraph()
        if p.page != page:  # the contract's own pages, so "p. 3" in the memo is page 3 here
            para.add_run().add_break(WD_BREAK.PAGE)
            page = p.page
        done = 0
        for start, end, replacement, _ in p.edits:
            if start > done:
                para.add_run(p.text[done:start])
            para._p.append(_change("del", change_id, when, p.text[start:end]))
            para._p.append(_change("ins", change_id + 1, when, replacement))
            change_id, done = change_id + 2, end
        if done < len(p.text):
            para.add_run(p.text[done:])
    doc.save(str(path))
    return RedlineReport(tuple(placed), tuple(skipped))
