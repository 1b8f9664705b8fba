"""Render every main view of the window to PNG, offscreen, after running the real flow.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [--data-dir DIR] [--out docs/screenshots]

With a fresh data directory this seeds the sample matter, asks a question and drafts the
contract review with the real models (a few minutes on two cores); an existing directory's
matter and drafts are reused (`--new-draft` drafts again). Look at the PNGs after every UI change.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from agents.services import Countersign  # noqa: E402
from desktop.app import build_window, schedule_warm_up, seed_on_first_run  # noqa: E402
from desktop.widgets.signoff_dialog import SignOffDialog  # noqa: E402
from desktop.widgets.welcome_panel import SAMPLE_CONTRACT as CONTRACT  # noqa: E402
from desktop.widgets.welcome_panel import SUGGESTED_QUESTION as QUESTION  # noqa: E402

SIZE = (1280, 800)
REVIEWER = "Dana Whitfield"
REVIEWER_NOTE = "Confirm against the signed original before release."


def wait(app: QApplication, done, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    app.processEvents()
    if not widget.grab().save(str(path)):
        raise SystemExit(f"screenshots: could not write {path}")
    print(f"wrote {path}")


def show_section_under_review(window) -> None:
    """The review screenshot shows what review is about: a section with open verifier flags (else
    one with evidence), carrying a reviewer's edit so its diff against the agent's text shows."""
    review = window.review
    if review.state is None:
        return
    review.reviewer.setText(REVIEWER)
    sections = review.state.sections
    row = next((i for i, s in enumerate(sections) if any(f.resolution is None for f in s.flags)),
               next((i for i, s in enumerate(sections) if s.section.citations), 0))
    review.sections.setCurrentRow(row)
    panel = review.pane.panel
    if panel.review is not None and not panel.review.edited and panel.edit_button.isEnabled():
        panel.start_edit()
        panel.editor.setPlainText(REVIEWER_NOTE + " " + panel.review.section.body)
        panel.save_button.click()


def settle_for_sign_off(window) -> None:
    """What a reviewer does before signing, through the core: a profile, every flag accepted,
    the draft approved. Only the dialog itself is the subject of the next screenshot."""
    review, core = window.review, window.core
    if review.current is None or review.current.status.value == "signed_off":
        return
    if REVIEWER not in {p.name for p in core.profiles()}:
        core.add_profile(REVIEWER, "DW", "partner")
    for section in review.state.sections:
        for flag in section.flags:
            if flag.resolution is None:
                core.resolve_flag(review.current.id, section.section.key, flag.index, REVIEWER,
                                  accept_reason="checked against the cited page")
    review.refresh()
    if review.approve_button.isEnabled():
        review.approve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="data directory to use (default: a new temporary one)")
    parser.add_argument("--new-draft", action="store_true",
                        help="draft again even if the data directory has drafts (for the mid-run Drafts frame)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="countersign-shots-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = data_dir / "settings.json"
    if not settings.exists():
        settings.write_text('{"max_tokens": 160}', encoding="utf-8")  # enough for real findings, still quick

    app = QApplication.instance() or QApplication(sys.argv[:1])
    core = Countersign.open(str(data_dir), vector_process=True)
    window = build_window(core)
    window.resize(*SIZE)
    window.show()
    schedule_warm_up(window)  # as the app does
    try:
        if seed_on_first_run(window):  # the first run's welcome shows above the table
            wait(app, lambda: window.library.model.rowCount() >= 3 and not window.library.panel.busy, 600, "indexing")
        save(app, window, out / "library.png")

        window.tabs.setCurrentWidget(window.ask)
        window.ask.question.setPlainText(QUESTION)
        window.ask.ask()
        wait(app, lambda: not window.ask.panel.busy, 600, "the answer")
        save(app, window, out / "ask.png")
        if window.ask.citations.count():
            window.ask.citations.setCurrentRow(0)
            window.ask.open_source()
            viewer = window.ask.source_window.viewer
            wait(app, lambda: viewer.page is not None, 60, "the source page")
            save(app, window.ask.source_window, out / "source_viewer.png")
            window.ask.source_window.close()

        window.tabs.setCurrentWidget(window.drafts)
        if args.new_draft or not core.drafts(window.current_matter()):
            window.drafts.select_document(CONTRACT)
            window.drafts.run()
            # A frame mid-run shows what the user watches: steps, streaming text, progress (once
            # a finding's prose has begun to stream, so the output is not just headings).
            wait(app, lambda: len(window.drafts.output.toPlainText()) > 400, 900, "the draft's text")
            save(app, window, out / "drafts.png")
            wait(app, lambda: window.tabs.currentWidget() is window.review, 2400, "the draft")  # 13+ min on a busy 2-core box
        else:
            save(app, window, out / "drafts.png")
            window.tabs.setCurrentWidget(window.review)
        show_section_under_review(window)
        save(app, window, out / "review.png")
        review = window.review
        review.tabs.setCurrentWidget(review.audit)
        save(app, window, out / "review_audit.png")
        review.tabs.setCurrentWidget(review.pane)

        settle_for_sign_off(window)
        review.open_sign_off()
        if isinstance(review.dialog, SignOffDialog):
            save(app, review.dialog, out / "signoff_dialog.png")
            review.dialog.reject()

        window.open_settings()
        settings = window.settings_dialog
        for tab, name in ((settings.profiles, "settings.png"), (settings.model, "settings_model.png"),
                          (settings.firm, "settings_firm.png")):
            settings.tabs.setCurrentWidget(tab)
            save(app, settings, out / name)
        settings.reject()
    finally:
        window.close()
        core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
