"""Ask: "Copy answer" puts the answer and its sources on the clipboard; "Export conversation"
writes every question and answer of the matter, with the cited passages, as Markdown or DOCX."""
from __future__ import annotations

import json

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from agents.domain.drafts import Citation
from agents.domain.library import Chunk, Passage
from agents.engine.ask import Answer
from agents.review.markdown_text import inert


@pytest.fixture
def core_settings():
    return {"max_tokens": 48}


def answer(question: str, text: str, page: int) -> Answer:
    chunk = Chunk(f"c{page}", "d1", "m1", page, 0, 40, f"Clause {page}. The supplier bears <b>freight</b> costs.", 9)
    cite = Citation(1, chunk.id, "d1", "supply.pdf", "h" * 64, page, 0, 40)
    return Answer(question, text, (cite,), (Passage(chunk, "supply.pdf", "h" * 64, 0.8),))


def test_copy_and_export_the_conversation(qtbot, window, tmp_path):
    window.core.create_matter("Northwind")
    window.reload_matters()
    ask = window.ask
    assert not ask.copy_button.isEnabled() and not ask.export_button.isEnabled()
    ask._show_answer(answer("Who pays freight?", "The supplier pays freight [1].", 4))
    ask._show_answer(answer("Which clause?", "Clause 7 [1].", 7))
    assert ask.copy_button.isEnabled() and ask.export_button.isEnabled()

    qtbot.mouseClick(ask.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "Clause 7 [1].\n\nSources:\n[1] supply.pdf, p. 7"

    qtbot.mouseClick(ask.export_button, Qt.MouseButton.LeftButton)
    dialog = ask.dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    dialog.selectFile(str(tmp_path / "northwind-qa.md"))
    dialog.accept()
    md = (tmp_path / "northwind-qa.md").read_text(encoding="utf-8")
    assert ask.panel.label.text() == f"Exported 2 answer(s) to {tmp_path / 'northwind-qa.md'}"
    assert md.startswith("# Questions and answers — Northwind\n\n> **NOT REVIEWED")
    assert md.index("## 1. Who pays freight?\n\nThe supplier pays freight [1].") < md.index("## 2. Which clause?")
    assert "- [1] supply.pdf, p. 7\n\n  > Clause 7. The supplier bears &lt;b&gt;freight&lt;/b&gt; costs." in md  # document text is inert in Markdown

    out = ask.export_to(tmp_path / "northwind-qa", "Word document (*.docx)")  # no suffix: the chosen filter decides
    assert out == tmp_path / "northwind-qa.docx"
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "1. Who pays freight?" in texts and "2. Which clause?" in texts and "[1] supply.pdf, p. 4" in texts
    exports = [json.loads(e.detail) for e in window.core.review.audit.entries() if e.action == "conversation.exported"]
    assert [(e["format"], e["answers"]) for e in exports] == [("md", 2), ("docx", 2)]

    assert ask.export_to(tmp_path / "missing" / "x.md") is not None  # a new folder is made
    (tmp_path / "blocked").write_text("a file, not a folder")
    assert ask.export_to(tmp_path / "blocked" / "x.md") is None
    assert ask.panel.label.text().startswith("Not exported: ") and ask.panel.label.property("kind") == "error"

    window.core.create_matter("Other")
    window.reload_matters("Other")
    assert ask.conversation == [] and not ask.export_button.isEnabled()  # a conversation belongs to its matter


@pytest.mark.integration
def test_a_real_answer_is_copied_and_exported_with_its_citation(qtbot, window, tmp_path):
    core = window.core
    core.create_matter("Leeds")
    (tmp_path / "count.txt").write_text("Inventory was counted on 31 December 2024 at the Leeds warehouse by "
                                        "Harper & Co. The count found 1,204 pallets.")
    list(core.ingest("Leeds", [tmp_path / "count.txt"]))
    window.reload_matters("Leeds")
    ask = window.ask
    qtbot.keyClicks(ask.question, "When was inventory counted?")
    qtbot.mouseClick(ask.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ask.panel.busy, timeout=400_000)
    assert ask.answer_value is not None, ask.panel.label.text()
    ask.copy_answer()
    copied = QApplication.clipboard().text()
    assert copied.startswith(ask.answer.toPlainText().strip())
    # Temperature 0 and a fixed seed: the default model answers from the one passage and cites it.
    assert ask.answer_value.citations and copied.endswith("\n\nSources:\n[1] count.txt, p. 1")
    out = ask.export_to(tmp_path / "leeds.md")
    md = out.read_text(encoding="utf-8")
    assert "## 1. When was inventory counted?" in md and inert(ask.answer_value.text.strip()) in md
    assert "- [1] count.txt, p. 1\n\n  > Inventory was counted on 31 December 2024" in md
