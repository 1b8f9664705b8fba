"""The Review tab driven through its widgets over the real core (no model needed): a contract
review memo with two sections, the second carrying two verifier flags, worked from first look
to sign-off and export, with every step read back from what the window shows."""
from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QFileDialog

from agents.domain.review_rules import DraftStatus
from desktop.views.review_view import ReviewView
from desktop.widgets.diff_render import DELETED, FLAGGED, INSERTED
from desktop.widgets.flag_panel import ReasonDialog
from desktop.widgets.signoff_dialog import SignOffDialog
from tests.review.contract_memo import store_contract
from workflow_drafts import CAP, memo

MATTER = "Northwind"
REVIEWER = "R. Reviewer"
PARTNER = "Dana Whitfield"


@pytest.fixture
def draft_id(core) -> str:
    m = core.create_matter(MATTER)
    # The memo cites document "doc", page 2: store a contract under that id so the citation opens.
    store_contract(core, MATTER, filename="supply.pdf", doc_id="doc")
    core.add_profile(REVIEWER, "RR", "reviewer")
    core.add_profile(PARTNER, "DW", "partner")
    return core.review.create(replace(memo(), matter_id=m.id)).id


@pytest.fixture
def view(qtbot, core, runner, draft_id):
    v = ReviewView(core, runner)
    qtbot.addWidget(v)
    v.resize(1280, 800)
    v.show()
    qtbot.waitExposed(v)
    v.reviewer.setText(REVIEWER)
    v.set_matter(MATTER)
    return v


def click(qtbot, button) -> None:
    assert button.isEnabled() and button.isVisible(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def lines(widget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def format_at(document, text: str):
    """The character format the section view gives the first character of `text`."""
    cursor = document.document().find(text)
    assert not cursor.isNull(), text
    probe = QTextCursor(document.document())
    probe.setPosition(cursor.selectionStart() + 1)
    return probe.charFormat()


def marked(fmt, mark) -> bool:
    """Whether a character carries one of the review marks (each has its own background)."""
    return fmt.background().color() == mark.background().color()


def select_section(view, key: str) -> None:
    keys = [view.sections.item(i).data(Qt.ItemDataRole.UserRole) for i in range(view.sections.count())]
    view.sections.setCurrentRow(keys.index(key))
    assert view.pane.panel.review.section.key == key


def accept_flag(qtbot, view, index: int, reason: str) -> None:
    flags = view.pane.flags
    flags.select_flag(index)
    click(qtbot, flags.accept_button)
    dialog = flags.dialog
    assert isinstance(dialog, ReasonDialog) and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()  # a reason is required
    qtbot.keyClicks(dialog.reason, reason)
    click(qtbot, dialog.ok_button)


def test_a_flagged_draft_is_reviewed_section_by_section_signed_and_exported(qtbot, view, core, draft_id, tmp_path):
    pane = view.pane
    assert view.header.title.text() == "Contract review memo"
    assert lines(view.sections) == ["○ Governing law — to review", "○ Limitation of liability — to review · 2 open flags"]

    # -- a section beside its evidence; the citation opens the cited page -----------------------
    select_section(view, "law")
    assert pane.panel.text.toPlainText().startswith("Governing law\nThe agreement is governed by English law [1].")
    assert lines(view.sources) == ["[1] supply.pdf, p. 2\n“governed by English law”"]
    view.sources.setCurrentRow(0)
    qtbot.keyClick(view.sources, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.source_window.viewer.page is not None, timeout=10_000)
    assert view.source_window.viewer.page.page == 2 and "supply.pdf" in view.source_window.windowTitle()
    view.source_window.close()

    # -- the flagged words are marked; "fixed" is refused while they are still there ------------
    select_section(view, "cap")
    assert lines(view.sources) == ["This section cites no evidence."]
    assert marked(format_at(pane.panel.text, "250,000"), FLAGGED)
    assert not marked(format_at(pane.panel.text, "in any year"), FLAGGED)
    assert lines(pane.flags.list) == [
        "⚑ error: 250,000 appears in no source\n    on “250,000” — open",
        "⚑ warning: citation [2] quotes text not on the cited page\n    on the whole section — open"]
    assert pane.flags_caption.text() == "Verifier flags (2 open of 2)"
    click(qtbot, pane.flags.fix_button)
    assert "the flagged text \"250,000\" is still in the section" in view.message.text()

    # -- inline edit; the diff against the agent's text is shown ---------------------------------
    click(qtbot, pane.panel.edit_button)
    assert pane.panel.editing and pane.panel.editor.toPlainText() == CAP
    assert not view.sections.isEnabled() and not pane.panel.approve_button.isEnabled()
    pane.panel.editor.setPlainText(CAP.replace("250,000", "200,000"))
    click(qtbot, pane.panel.save_button)
    assert not pane.panel.editing and view.sections.isEnabled()
    assert view.message.text() == "Edit saved; the diff shows it."
    shown = pane.panel.text.toPlainText()
    assert "250,000" in shown and "200,000" in shown and "struck-through words are the agent's" in shown
    assert format_at(pane.panel.text, "250,000").fontStrikeOut() and marked(format_at(pane.panel.text, "250,000"), DELETED)
    assert format_at(pane.panel.text, "200,000").fontUnderline() and marked(format_at(pane.panel.text, "200,000"), INSERTED)
    assert "edited" in pane.panel.status.text()
    assert view.sections.item(1).text() == "○ Limitation of liability — to review · edited · 2 open flags"

    # -- resolve both flags: one fixed, one accepted with a reason --------------------------------
    pane.flags.select_flag(0)
    click(qtbot, pane.flags.fix_button)
    assert view.message.text() == "Flag 0 resolved as fixed."
    accept_flag(qtbot, view, 1, "quote checked against p. 4 by hand")
    shown_flags = lines(pane.flags.list)
    assert shown_flags[0].startswith("✓ error: 250,000 appears in no source") and f"fixed by {REVIEWER}" in shown_flags[0]
    assert f"accepted by {REVIEWER}" in shown_flags[1] and shown_flags[1].endswith(": quote checked against p. 4 by hand")
    assert not pane.flags.fix_button.isEnabled() and not pane.flags.accept_button.isEnabled()
    assert view.sections.item(1).text() == "○ Limitation of liability — to review · edited · flags resolved"

    # -- a comment ----------------------------------------------------------------------------------
    qtbot.keyClicks(pane.comments.input, "Cap agreed with the client on the call.")
    qtbot.keyClick(pane.comments.input, Qt.Key.Key_Return)
    assert pane.comments.input.text() == ""
    assert lines(pane.comments.list)[0].startswith(f"{REVIEWER} · ")
    assert lines(pane.comments.list)[0].endswith("\nCap agreed with the client on the call.")
    assert pane.comments_caption.text() == "Comments (1)"

    # -- approve each section (the second by its shortcut), then the draft ------------------------
    select_section(view, "law")
    click(qtbot, pane.panel.approve_button)
    assert view.sections.item(0).text() == "✓ Governing law — approved"
    assert pane.panel.review.section.key == "cap"  # approving moves on to the next section
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    qtbot.keyClick(pane.panel.text, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    # A button's shortcut clicks it visibly (animateClick), a moment later.
    qtbot.waitUntil(lambda: view.sections.item(1).text().startswith("✓ Limitation of liability — approved"))
    assert not view.sign_button.isEnabled()  # the draft itself is not approved yet
    click(qtbot, view.approve_button)
    assert view.header.status_label.text() == "Status: approved"
    assert not view.header.blockers.isVisible()

    # -- sign off through the dialog: a profile, the meaning, the hash -----------------------------
    click(qtbot, view.sign_button)
    dialog = view.dialog
    assert isinstance(dialog, SignOffDialog) and dialog.isVisible()
    assert dialog.sha.text() == core.get_draft(draft_id).content_sha256
    assert dialog.chosen_reviewer() == REVIEWER and dialog.role.text() == "reviewer"
    dialog.reviewer.setCurrentIndex(dialog.reviewer.findData(PARTNER))
    assert dialog.role.text() == "partner" and dialog.refusal.text() == ""
    dialog.meaning.setCurrentIndex(dialog.meaning.findData("approved"))
    assert "approve this work product" in dialog.meaning_text.text()
    click(qtbot, dialog.sign_button)
    assert not dialog.isVisible()
    assert view.header.status_label.text() == "Status: signed off"
    assert f"signed by {PARTNER} (partner, approved)" in view.header.meta.text()
    assert view.message.text() == f"Signed off by {PARTNER}."
    assert view.reviewer.text() == PARTNER  # the window now acts as the signer
    assert not view.pane.flags.accept_button.isEnabled()

    # -- export Markdown through the save dialog, PDF to the exports folder ------------------------
    out = tmp_path / "memo.md"
    click(qtbot, view.exports.buttons["md"])
    save = view.exports.dialog
    assert isinstance(save, QFileDialog) and save.isVisible()
    save.selectFile(str(out))
    save.accept()
    qtbot.waitUntil(lambda: view.exports.last_export == out, timeout=30_000)
    assert view.message.text() == f"Exported to {out}"
    memo_md = out.read_text(encoding="utf-8")
    assert "DRAFT — NOT REVIEWED" not in memo_md and f"Signed off by {PARTNER} (partner) — meaning: approved" in memo_md
    view.exports.export_to("pdf")
    qtbot.waitUntil(lambda: view.exports.last_export != out, timeout=60_000)
    assert view.exports.last_export.suffix == ".pdf" and view.exports.last_export.read_bytes().startswith(b"%PDF")

    # -- the audit history lists every step, with who did it ---------------------------------------
    view.tabs.setCurrentWidget(view.audit)
    rows = [(who, what, detail) for _at, who, what, detail in view.audit.rows()]
    assert rows[0][:2] == ("A. Associate", "drafted")
    done = [(who, what) for who, what, _ in rows]
    for step in [(REVIEWER, "edited a section"), (REVIEWER, "resolved a flag"), (REVIEWER, "commented"),
                 (REVIEWER, "approved a section"), (REVIEWER, "approved the draft"), (PARTNER, "signed off"),
                 (PARTNER, "viewed the signed draft"), (PARTNER, "exported")]:
        assert step in done, step
    assert done.index((REVIEWER, "edited a section")) < done.index((PARTNER, "signed off")) < done.index((PARTNER, "exported"))
    details = [d for _, what, d in rows if what == "resolved a flag"]
    assert details == ["section 'cap' · flag 0: fixed", "section 'cap' · flag 1: accepted — quote checked against p. 4 by hand"]
    assert [d for _, what, d in rows if what == "exported"] == ["format: md · version: 1", "format: pdf · version: 1"]
    assert all(at for at, *_ in view.audit.rows())


def test_a_flagged_draft_cannot_be_signed_until_its_flags_are_resolved(qtbot, view, core, draft_id):
    click(qtbot, view.approve_button)  # approves both sections and the draft, flags still open
    assert view.header.status_label.text() == "Status: approved"
    assert not view.sign_button.isEnabled()
    why = view.header.blockers.text()
    assert view.header.blockers.isVisible() and why.startswith("Before sign-off:")
    assert "\"Limitation of liability\" (section cap): flag 0 is unresolved: 250,000 appears in no source" in why
    assert "\"Limitation of liability\" (section cap): flag 1 is unresolved: citation [2] quotes text not on the cited page" in why
    assert "\"Limitation of liability\" (section cap): flag 0 is unresolved" in view.sign_button.toolTip()
    view.open_sign_off()
    assert view.dialog is None  # no dialog to sign what the core would refuse

    select_section(view, "cap")
    accept_flag(qtbot, view, 0, "250,000 is the figure in the side letter")
    assert "flag 0 of section" not in view.header.blockers.text() and not view.sign_button.isEnabled()
    accept_flag(qtbot, view, 1, "quote checked against p. 4 by hand")
    assert not view.header.blockers.isVisible() and view.sign_button.isEnabled()
    click(qtbot, view.sign_button)
    dialog = view.dialog
    dialog.reviewer.setCurrentIndex(dialog.reviewer.findData(PARTNER))
    click(qtbot, dialog.sign_button)
    assert view.header.status_label.text() == "Status: signed off"


def test_the_signoff_dialog_states_the_policy_refusal_and_the_cores(qtbot, view, core, draft_id):
    core.set_policy("signers.legal", "partner", "IT Admin")
    for i, reason in enumerate(("side letter", "checked by hand")):
        core.resolve_flag(draft_id, "cap", i, REVIEWER, accept_reason=reason)
    view.refresh()
    click(qtbot, view.approve_button)
    click(qtbot, view.sign_button)
    dialog = view.dialog
    assert dialog.rule.text().startswith("Firm policy: partner may sign legal work products")
    assert dialog.chosen_reviewer() == REVIEWER
    assert dialog.refusal.text() == "R. Reviewer is a reviewer; firm policy lets only partner sign legal work products"
    assert not dialog.sign_button.isEnabled()
    dialog.reviewer.setCurrentIndex(dialog.reviewer.findData(PARTNER))
    assert dialog.refusal.text() == "" and dialog.sign_button.isEnabled()

    # The draft changes while the dialog is open: the core refuses, the dialog says why and stays.
    core.edit_section(draft_id, "law", "A. Associate", "The agreement is governed by Scots law [1].")
    click(qtbot, dialog.sign_button)
    assert dialog.isVisible()
    assert dialog.refusal.text() == "the draft changed since it was opened for sign-off; reopen it and check again"
    assert view.message.text().startswith("Not signed: the draft changed")
    assert core.get_draft(draft_id).status is DraftStatus.IN_REVIEW
    dialog.reject()


def test_the_signoff_dialog_without_profiles_says_how_to_add_one(qtbot, data_dir):
    from agents.domain.signoff_policy import SignOffPolicy

    dialog = SignOffDialog(memo(), [], SignOffPolicy(), "legal", REVIEWER)
    qtbot.addWidget(dialog)
    assert "Nobody has a signing profile yet" in dialog.refusal.text() and "countersign profile add" in dialog.refusal.text()
    assert not dialog.sign_button.isEnabled()
    assert dialog.sha.text() == memo().content_sha256


def test_a_section_sent_back_needs_a_note_then_an_edit(qtbot, view, core, draft_id):
    pane = view.pane
    select_section(view, "law")
    click(qtbot, pane.panel.changes_button)
    dialog = pane.panel.dialog
    assert isinstance(dialog, ReasonDialog) and not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason, "   ")
    assert not dialog.ok_button.isEnabled()  # blank is no note
    qtbot.keyClicks(dialog.reason, "Cite the clause number, not only the page.")
    click(qtbot, dialog.ok_button)
    assert view.message.text() == "Changes requested on the section."
    assert view.sections.item(0).text() == "↩ Governing law — changes requested"
    assert lines(pane.comments.list)[0].endswith("\nCite the clause number, not only the page.")
    assert not pane.panel.approve_button.isEnabled() and not pane.panel.changes_button.isEnabled()
    click(qtbot, view.approve_button)
    assert "\"Governing law\" (section law) has changes requested" in view.message.text()

    # Navigation is locked while an edit is open, so an unsaved edit is never dropped.
    click(qtbot, pane.panel.edit_button)
    assert not view.sections.isEnabled() and not view.table.isEnabled()
    pane.panel.editor.setPlainText("   ")
    click(qtbot, pane.panel.save_button)
    assert "cannot be left empty" in view.message.text() and pane.panel.editing
    pane.panel.editor.setPlainText("The agreement is governed by English law (clause 5.1) [1].")
    click(qtbot, pane.panel.save_button)
    assert view.sections.item(0).text() == "○ Governing law — to review · edited"
    assert pane.panel.approve_button.isEnabled()


def test_the_diff_and_the_flags_show_model_and_reviewer_text_as_plain_text(qtbot, view, core, draft_id):
    hostile = "<b>Liability</b> is <img src=x onerror=alert(1)> capped &amp; 200,000 [2]."
    core.edit_section(draft_id, "cap", REVIEWER, hostile)
    view.refresh()
    select_section(view, "cap")
    shown = view.pane.panel.text.toPlainText()
    assert "<b>Liability</b>" in shown and "<img src=x onerror=alert(1)>" in shown and "&amp;" in shown
    assert "&lt;b&gt;" in view.pane.panel.text.toHtml()  # escaped on the way in, never parsed


def test_an_edit_that_keeps_the_flagged_words_still_marks_them(qtbot, view, core, draft_id):
    core.edit_section(draft_id, "cap", REVIEWER, "Per the side letter, " + CAP)
    view.refresh()
    select_section(view, "cap")
    text = view.pane.panel.text
    assert marked(format_at(text, "Per the side letter"), INSERTED)
    assert marked(format_at(text, "250,000"), FLAGGED)  # still there, so still flagged
    assert not format_at(text, "any year").fontUnderline()  # unchanged, unflagged


def test_editing_signed_work_makes_a_new_version_the_window_follows(qtbot, view, core, draft_id):
    from workflow_drafts import sign_with_policy

    sign_with_policy(core, draft_id, PARTNER)
    view.refresh()
    assert view.header.status_label.text() == "Status: signed off"
    select_section(view, "law")
    assert view.pane.panel.edit_button.text() == "Edit as new version"
    click(qtbot, view.pane.panel.edit_button)
    view.pane.panel.editor.setPlainText("The agreement is governed by Scots law [1].")
    click(qtbot, view.pane.panel.save_button)
    assert view.current.id != draft_id and view.current.version == 2
    assert view.header.status_label.text() == "Status: draft" and "version 2" in view.header.meta.text()
    assert view.model.rowCount() == 2 and view.pane.panel.review.section.key == "law"
    assert core.get_draft(draft_id).status is DraftStatus.SIGNED_OFF  # the signed one never changes
    actions = [what for _at, _who, what, _detail in view.audit.rows()]
    assert "signed off" in actions and actions[-2:] == ["made a new version", "edited a section"]


def test_sections_are_walked_with_alt_arrows_and_edited_with_ctrl_e_and_ctrl_s(qtbot, view):
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    assert view.pane.panel.review.section.key == "law"
    qtbot.keyClick(view.pane.panel.text, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert view.pane.panel.review.section.key == "cap"
    qtbot.keyClick(view.sections, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert view.pane.panel.review.section.key == "cap"  # the last section: stays
    qtbot.keyClick(view.sections, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert view.pane.panel.review.section.key == "law"

    panel = view.pane.panel
    qtbot.keyClick(view.sections, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.editing)  # a button's shortcut clicks it a moment later
    qtbot.keyClick(view.sections, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert panel.review.section.key == "law"  # no moving away from an open edit
    panel.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(panel.editor, " Clause 5.1.")
    qtbot.keyClick(panel.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not panel.editing)
    assert panel.review.section.body.endswith("[1]. Clause 5.1.") and panel.review.edited


def test_a_failed_export_is_reported_and_redline_is_offered_only_for_contract_reviews(qtbot, view, core):
    assert view.exports.buttons["redline-docx"].isVisible()
    task = view.exports.export_to("redline-docx")  # this memo proposes no fallback wording to track
    qtbot.waitUntil(lambda: not task.active, timeout=30_000)
    assert view.message.text().startswith("Export failed: draft draft_1 suggests no revision")
    assert view.exports.buttons["pdf"].isEnabled()  # the bar is usable again
    m = core.library.matter(MATTER)
    core.review.create(replace(memo("draft_flux", work_product="flux-workpaper"), matter_id=m.id))
    view.open_draft("draft_flux")
    assert view.current.id == "draft_flux" and not view.exports.buttons["redline-docx"].isVisible()


def test_an_export_does_not_wait_behind_a_draft_being_written(qtbot, core, draft_id, tmp_path):
    import threading

    from desktop.app import build_window

    window = build_window(core)
    qtbot.addWidget(window)
    release = threading.Event()

    def long_draft(_cancel):  # stands in for the model writing a draft on the main worker
        release.wait(30)
        yield from ()

    try:
        busy = window.runner.submit("Drafting", long_draft)
        window.tabs.setCurrentWidget(window.review)
        window.review.exports.export_to("md", tmp_path / "memo.md")
        qtbot.waitUntil(lambda: window.review.exports.last_export == tmp_path / "memo.md", timeout=30_000)
        assert busy.active  # the export finished while the draft was still running
    finally:
        release.set()
        window.close()


def test_a_decision_on_a_draft_someone_changed_meanwhile_is_refused_and_the_view_catches_up(qtbot, view, core, draft_id):
    # Another reviewer (in firm mode, on another machine) requests changes on the section while
    # this window still shows it pending; approving what was shown must not go through.
    select_section(view, "law")
    core.request_section_changes(draft_id, "law", "S. Second", "cite clause 7", seen=view.state.revision)
    click(qtbot, view.pane.panel.approve_button)
    assert "S. Second requested changes on section 'law'" in view.message.text()
    assert "was not saved" in view.message.text()
    assert "Governing law — changes requested" in view.sections.item(0).text()  # reloaded
    assert core.view_draft(draft_id, REVIEWER).section("law").status.value == "changes_requested"


def test_the_whole_export_bar_fits_a_1280_pixel_window(qtbot, view):
    # It once shared a row with the draft actions and its password field was cut to "a…".
    assert view.current is not None
    bar = view.exports
    assert bar.buttons["redline-docx"].isVisible()  # a contract review: all four formats
    for widget in (*bar.buttons.values(), bar.protect, bar.password):
        right = widget.mapTo(view, widget.rect().topRight()).x()
        assert right < view.width(), widget
    assert bar.password.width() >= 180


def test_a_password_protected_export_is_sealed_and_opens_with_its_password(qtbot, view, core, tmp_path):
    bar = view.exports
    assert not bar.password.isEnabled()
    qtbot.mouseClick(bar.protect, Qt.MouseButton.LeftButton)
    assert bar.password.isEnabled()
    qtbot.keyClicks(bar.password, "harbor-escrow-2026")
    task = bar.export_to("md", tmp_path / "memo.md")
    qtbot.waitUntil(lambda: not task.active, timeout=30_000)
    sealed = tmp_path / "memo.md.sealed"
    assert bar.last_export == sealed and view.message.text() == f"Exported to {sealed}"
    assert sealed.read_bytes().startswith(b"COUNTERSIGN-SEALED\n") and not (tmp_path / "memo.md").exists()
    assert core.verify_export(sealed, "harbor-escrow-2026").ok
    opened = core.decrypt_file(sealed, "harbor-escrow-2026", tmp_path / "opened.md")
    assert core.get_draft(view.current.id).sections[0].heading in opened.read_text(encoding="utf-8")
