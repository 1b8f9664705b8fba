"""An Ask conversation exported as Markdown and DOCX, and one answer copied as text."""
from __future__ import annotations

import docx
import pytest

from agents.domain.drafts import Citation
from agents.domain.library import Chunk, Passage
from agents.engine import conversation_export as ce
from agents.engine.ask import Answer


def answer(question: str, text: str, cited: bool = True) -> Answer:
    chunk = Chunk("c7", "d1", "m1", 4, 10, 60, "Governing law. This Agreement is governed by the laws of\nDelaware.", 12)
    passage = Passage(chunk, "supply.pdf", "h" * 64, 0.9)
    cites = (Citation(1, "c7", "d1", "supply.pdf", "h" * 64, 4, 10, 60),) if cited else ()
    return Answer(question, text, cites, (passage,), ("figure 12 appears in no cited passage",) if cited else ())


def test_plain_answer_carries_its_sources():
    assert ce.plain_answer(answer("Law?", " Delaware law governs [1]. ")) == \
        "Delaware law governs [1].\n\nSources:\n[1] supply.pdf, p. 4"
    assert ce.plain_answer(answer("Law?", "Unsure.", cited=False)).endswith("(No cited sources.)")


def test_markdown_has_every_question_answer_and_passage():
    md = ce.to_markdown("Northwind", [answer("What law governs?", "Delaware law governs [1]."),
                                      answer("Who signs?", "Unclear.", cited=False)], "2026-01-02T03:04:05Z")
    assert md.startswith("# Questions and answers — Northwind\n\n> **NOT REVIEWED")
    assert "## 1. What law governs?\n\nDelaware law governs [1]." in md
    assert "- [1] supply.pdf, p. 4\n\n  > Governing law. This Agreement is governed by the laws of\n  > Delaware." in md
    assert "> Check: figure 12 appears in no cited passage" in md
    assert "## 2. Who signs?\n\nUnclear.\n\n*No cited sources" in md


def test_docx_has_the_mark_on_every_page_and_the_passages(tmp_path):
    out = tmp_path / "c.docx"
    ce.write("Northwind", [answer("What law governs?", "Delaware\x0claw governs [1].")], "docx", "now", out)
    doc = docx.Document(str(out))
    assert doc.sections[0].header.paragraphs[0].text == ce.NOT_REVIEWED
    texts = [p.text for p in doc.paragraphs]
    assert "1. What law governs?" in texts and "Delaware law governs [1]." in texts  # the form feed made XML-safe
    assert "[1] supply.pdf, p. 4" in texts
    assert any(t.startswith("“Governing law. This Agreement") for t in texts)


def test_nothing_to_export_or_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="ask a question first"):
        ce.write("M", [], "md", "now", tmp_path / "x.md")
    with pytest.raises(ValueError, match="md, docx"):
        ce.write("M", [answer("q", "a")], "pdf", "now", tmp_path / "x.pdf")
