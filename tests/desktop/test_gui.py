"""The window driven through the real flow with the real core: sample matter, ask, draft,
review, sign-off, export. Assertions are on what the user sees in the widgets."""
from __future__ import annotations

import json
import re
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QTabWidget

from agents.domain.drafts import Citation, Draft, Section
from agents.domain.review_rules import DraftStatus
from agents.engine.ask import Answer
from agents.services import SAMPLE_MATTER, Countersign
from desktop import app as desktop_app
from desktop.widgets.signoff_dialog import SignOffDialog

CONTRACT = "northwind_supply_agreement.pdf"
SEED_TIMEOUT_MS = 300_000
ANSWER_TIMEOUT_MS = 400_000
DRAFT_TIMEOUT_MS = 900_000  # six topics on two shared cores; usually 60-120 s


@pytest.fixture
def core_settings():
    # Short generations keep the flow quick; everything else is the shipped default.
    return {"max_tokens": 96}


def table_column(view, column: int) -> list[str]:
    model = view.table.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_window_opens_with_four_tabs_and_shortcuts(qtbot, window):
    assert window.windowTitle() == "Countersign"
    tabs = window.findChild(QTabWidget)
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Library", "Ask", "Drafts", "Review"]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentWidget() is window.drafts
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentWidget() is window.review
    # An empty data directory: nothing to ask or draft from, and the views say so.
    assert window.matter_box.count() == 0
    assert not window.ask.ask_button.isEnabled()
    assert not window.drafts.run_button.isEnabled()
    assert window.review.header.title.text() == "No draft selected"


def test_no_display_exits_with_2_and_a_clear_message(monkeypatch, capsys, tmp_path):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert desktop_app.main(["--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "no display found" in err and "QT_QPA_PLATFORM=offscreen" in err and "countersign --help" in err
    assert not (tmp_path / "d").exists()  # nothing was opened or created


def test_a_bad_settings_file_is_reported_and_exits_1(qapp, capsys, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "settings.json").write_text('{"max_tokens": "lots"}', encoding="utf-8")
    assert desktop_app.main(["--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "settings.json" in err and "max_tokens" in err


def test_model_text_is_shown_as_plain_text_never_html(qtbot, window):
    hostile = "<b>bold</b> <img src=x onerror=alert(1)> &amp;"
    cite = Citation(1, "c1", "d1", "<i>x</i>.pdf", "h", 2, 0, 5, "<script>q</script>")
    window.ask._show_answer(Answer("q", hostile, (cite,), ()))
    assert window.ask.answer.toPlainText() == hostile
    assert window.ask.citations.item(0).text() == "[1] <i>x</i>.pdf, p. 2"
    draft = Draft("draft_x", "m", "contract-review", "<h1>T</h1>", DraftStatus.DRAFT, 1, "2025-01-01T00:00:00Z",
                  "agent", "model", "sha", 42, (Section("s", "Heading", hostile, (cite,), ("<u>flag</u>",)),))
    window.review.document.show_draft(draft)
    text = window.review.document.toPlainText()
    assert hostile in text and "<script>q</script>" in text and "<u>flag</u>" in text
    assert "&lt;b&gt;" in window.review.document.toHtml()


def test_a_core_failure_is_shown_in_the_view_and_the_window_survives(qtbot, data_dir, tmp_path):
    data_dir.mkdir(parents=True)
    missing = tmp_path / "firm-model.gguf"
    (data_dir / "settings.json").write_text(json.dumps({"model_path": str(missing)}), encoding="utf-8")
    core = Countersign.open(str(data_dir))
    core.create_matter("Acme Ltd — FY24 audit")
    w = desktop_app.build_window(core)
    qtbot.addWidget(w)
    try:
        assert w.matter_box.currentText() == "Acme Ltd — FY24 audit"
        w.tabs.setCurrentWidget(w.ask)
        qtbot.keyClicks(w.ask.question, "What is materiality?")
        qtbot.mouseClick(w.ask.ask_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not w.ask.panel.busy, timeout=60_000)
        label = w.ask.panel.label.text()
        assert label.startswith("Failed: ") and str(missing) in label and "not found" in label
        assert w.ask.ask_button.isEnabled()  # the user can fix the setting and try again
    finally:
        w.close()
        core.close()


def test_library_shows_why_a_file_was_not_indexed(qtbot, window, tmp_path):
    window.core.create_matter("Acme Ltd — FY24 audit")
    window.reload_matters()
    broken = tmp_path / "scan.pdf"
    broken.write_bytes(b"%PDF-1.7\n this is not a real PDF body")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.tabs.setCurrentWidget(window.review)
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)  # Ctrl+O: add files
    assert window.tabs.currentWidget() is window.library
    dialog = window.library.dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    dialog.selectFile(str(broken))
    dialog.accept()
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1 and not window.library.panel.busy, timeout=60_000)
    assert table_column(window.library, 0) == ["scan.pdf"]
    assert table_column(window.library, 2) == ["corrupt"]
    assert table_column(window.library, 5)[0]  # a reason the user can act on
    assert window.library.panel.label.text() == "0 indexed, 0 unchanged, 1 not indexed"


@pytest.mark.integration
def test_sample_matter_ask_draft_review_sign_off_export(qtbot, window, tmp_path):
    # -- first run: the sample matter is created and indexed in the background ---------------
    assert desktop_app.seed_on_first_run(window)
    library = window.library
    qtbot.waitUntil(lambda: library.model.rowCount() == 3 and not library.panel.busy, timeout=SEED_TIMEOUT_MS)
    assert window.matter_box.currentText() == SAMPLE_MATTER
    assert CONTRACT in table_column(library, 0)
    assert table_column(library, 2) == ["indexed"] * 3
    assert library.panel.label.text() == "3 indexed, 0 unchanged, 0 not indexed"
    assert not desktop_app.seed_on_first_run(window)  # the second start leaves it alone

    # -- ask, and cancel with Esc once text is streaming -------------------------------------
    ask = window.ask
    window.tabs.setCurrentWidget(ask)
    qtbot.keyClicks(ask.question, "Who are the parties to the agreement?")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(ask.question, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert ask.panel.busy and not ask.ask_button.isEnabled()
    qtbot.waitUntil(lambda: ask.answer.toPlainText().strip() != "", timeout=ANSWER_TIMEOUT_MS)
    qtbot.keyClick(ask.question, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not ask.panel.busy, timeout=60_000)
    assert ask.panel.label.text() == "Cancelled."
    assert ask.answer_value is None and ask.citations.count() == 0
    assert ask.ask_button.isEnabled()

    # -- ask again: the answer streams in, then its citations are listed ---------------------
    ask.question.clear()
    qtbot.keyClicks(ask.question, "What is the governing law of the supply agreement?")
    streamed = []
    window.ask.answer.textChanged.connect(lambda: streamed.append(window.ask.answer.toPlainText()))
    qtbot.mouseClick(ask.ask_button, Qt.MouseButton.LeftButton)
    assert window.ask.panel.busy
    qtbot.waitUntil(lambda: not window.ask.panel.busy, timeout=ANSWER_TIMEOUT_MS)
    assert window.ask.panel.label.text().startswith("Answered with")
    assert window.ask.answer.toPlainText().strip()
    assert any(t.strip() for t in streamed[:-1])  # partial text was visible before the end
    cites = [window.ask.citations.item(i).text() for i in range(window.ask.citations.count())]
    assert cites and all(re.fullmatch(r"\[\d+\] .+, p\. \d+", c) for c in cites)
    assert window.ask.passage.toPlainText().strip()  # the first citation's passage is shown

    # -- the citation opens the source viewer on the original page, the passage highlighted ----
    qtbot.keyClick(window.ask.citations, Qt.Key.Key_Return)
    viewer = window.ask.source_window.viewer
    qtbot.waitUntil(lambda: viewer.page is not None, timeout=30_000)
    assert viewer.page.png and viewer.page.found and viewer.page.boxes
    assert viewer.stack.currentIndex() == 0 and not viewer.image.pixmap().isNull()
    assert CONTRACT in viewer.title.text() and "highlighted" in viewer.title.text()
    window.ask.source_window.close()

    # -- draft: run the contract review, watch the steps, land in Review ---------------------
    window.tabs.setCurrentWidget(window.drafts)
    assert window.drafts.select_document(CONTRACT)
    qtbot.mouseClick(window.drafts.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.review, timeout=DRAFT_TIMEOUT_MS)
    steps = [window.drafts.steps.item(i).text() for i in range(window.drafts.steps.count())]
    assert any("section 2 of" in s for s in steps) and steps[-1].startswith("Saved draft")
    assert window.drafts.output.toPlainText().strip()
    review = window.review
    assert table_column(review, 1) == ["draft"]
    assert review.header.status_label.text() == "Status: draft"
    assert CONTRACT in review.header.title.text()
    shown = review.document.toPlainText()
    assert "Scope" in shown and "Governing law" in shown and re.search(r"\[1\] .+, p\. \d+", shown)
    assert not review.sign_button.isEnabled()  # only an approved draft can be signed
    # -- a section with evidence: its citations beside it, each opening the cited page ----------
    cited = next(i for i, s in enumerate(review.state.sections) if s.section.citations)
    review.sections.setCurrentRow(cited)
    assert review.pane.panel.review is review.state.sections[cited]
    assert review.sources.count() >= 1 and re.match(r"\[\d+\] .+, p\. \d+", review.sources.item(0).text())
    review.sources.setCurrentRow(0)
    qtbot.keyClick(review.sources, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: review.source_window.viewer.page is not None, timeout=30_000)
    assert review.source_window.viewer.page.found
    review.source_window.close()

    # -- approve, settle every flag in the flag panel, then sign off through the dialog --------
    review.reviewer.setText("")
    qtbot.mouseClick(review.approve_button, Qt.MouseButton.LeftButton)
    assert review.message.text() == "a review action needs the reviewer's name"
    assert review.header.status_label.text() == "Status: draft"
    qtbot.keyClicks(review.reviewer, "Dana Whitfield")
    qtbot.mouseClick(review.approve_button, Qt.MouseButton.LeftButton)
    assert review.header.status_label.text() == "Status: approved"
    for row, section in enumerate(review.state.sections):
        review.sections.setCurrentRow(row)
        for flag in section.flags:
            review.pane.flags.select_flag(flag.index)
            qtbot.mouseClick(review.pane.flags.accept_button, Qt.MouseButton.LeftButton)
            qtbot.keyClicks(review.pane.flags.dialog.reason, "checked against the clause")
            qtbot.mouseClick(review.pane.flags.dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not review.header.blockers.isVisible() and review.sign_button.isEnabled()

    # The window has no profile screen yet: the signer's profile is added through the core.
    window.core.add_profile("Dana Whitfield", "DW", "partner")
    qtbot.mouseClick(review.sign_button, Qt.MouseButton.LeftButton)
    dialog = review.dialog
    assert isinstance(dialog, SignOffDialog) and dialog.isVisible()
    draft = window.core.get_draft(review.current.id)
    assert dialog.sha.text() == draft.content_sha256
    dialog.meaning.setCurrentIndex(dialog.meaning.findData("approved"))
    assert "approve this work product" in dialog.meaning_text.text()
    assert dialog.chosen_reviewer() == "Dana Whitfield" and dialog.role.text() == "partner"
    assert dialog.sign_button.isEnabled()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: review.header.status_label.text() == "Status: signed off")
    assert table_column(review, 1) == ["signed off"]
    assert not review.approve_button.isEnabled() and not review.sign_button.isEnabled()
    assert "signed by Dana Whitfield (partner, approved)" in review.header.meta.text()
    viewed = [e for e in window.core.review.audit.entries(draft.id) if e.action == "draft.viewed"]
    assert viewed and viewed[-1].actor == "Dana Whitfield"  # showing signed work is on the record

    # -- export through the save dialog, and DOCX to the default exports folder --------------
    out = tmp_path / "memo.md"
    qtbot.mouseClick(review.exports.buttons["md"], Qt.MouseButton.LeftButton)
    save = review.exports.dialog
    assert isinstance(save, QFileDialog) and save.isVisible()
    save.selectFile(str(out))
    save.accept()
    qtbot.waitUntil(lambda: review.exports.last_export == out, timeout=60_000)
    assert review.message.text() == f"Exported to {out}"
    memo = out.read_text(encoding="utf-8")
    assert "DRAFT — NOT REVIEWED" not in memo
    assert "## Sign-off" in memo
    assert "Signed off by Dana Whitfield (partner) — meaning: approved" in memo
    assert f"Content SHA-256: {draft.content_sha256}" in memo

    review.exports.export_to("docx")
    qtbot.waitUntil(lambda: review.exports.last_export.suffix == ".docx", timeout=60_000)
    docx_path = review.exports.last_export
    assert docx_path.parent == window.core.paths.exports and docx_path.exists()
    import docx

    paragraphs = [p.text for p in docx.Document(str(docx_path)).paragraphs]
    assert "Sign-off" in paragraphs
    assert any(p.startswith("Signed off by Dana Whitfield") for p in paragraphs)
