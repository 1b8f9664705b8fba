"""Library: files and folders dropped on the table are added, "Problems only" shows what was not
indexed and why, and a matter is renamed, archived out of the selector and restored."""
from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel

from agents.services import Countersign
from desktop import app as desktop_app


def rows(view) -> list[tuple[str, str, str]]:
    m = view.table.model()
    return [(m.index(r, 0).data(), m.index(r, 2).data(), m.index(r, 5).data()) for r in range(m.rowCount())]


def drag(table, urls: list[QUrl]) -> QDragEnterEvent:
    mime = QMimeData()
    mime.setUrls(urls)
    event = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(table.viewport(), event)
    return event


def drop(table, urls: list[QUrl]) -> None:
    mime = QMimeData()
    mime.setUrls(urls)
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(table.viewport(), event)
    assert event.isAccepted()


def test_dropped_files_and_folders_are_added_and_problems_can_be_shown_alone(qtbot, window, tmp_path):
    library = window.library
    assert not drag(library.table, [QUrl.fromLocalFile(str(tmp_path))]).isAccepted()  # no matter selected yet
    window.core.create_matter("Acme")
    window.reload_matters()
    folder = tmp_path / "engagement"
    folder.mkdir()
    (folder / "memo.txt").write_text("Inventory was counted on 31 December 2024 at the Leeds warehouse.")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7\n not a real PDF body")
    loose = tmp_path / "ledger.xyz"
    loose.write_text("not a format Countersign reads")
    assert not drag(library.table, [QUrl("https://example.com/a.pdf")]).isAccepted()  # not a local file
    urls = [QUrl.fromLocalFile(str(folder)), QUrl.fromLocalFile(str(loose))]
    assert drag(library.table, urls).isAccepted()
    drop(library.table, urls)
    assert library.panel.busy
    qtbot.waitUntil(lambda: library.model.rowCount() == 3 and not library.panel.busy, timeout=300_000)
    assert [(f, s) for f, s, _ in rows(library)] == [("ledger.xyz", "unsupported"), ("memo.txt", "indexed"),
                                                      ("scan.pdf", "corrupt")]
    assert library.summary.text() == "3 document(s), 1 indexed, 2 with problems"

    qtbot.mouseClick(library.problems_only, Qt.MouseButton.LeftButton)
    assert library.problems_only.isChecked()
    problems = rows(library)
    assert [(f, s) for f, s, _ in problems] == [("ledger.xyz", "unsupported"), ("scan.pdf", "corrupt")]
    assert all(reason for _, _, reason in problems)  # each with a reason the user can act on
    library.problems_only.setChecked(False)
    assert library.model.rowCount() == 3


def test_a_matter_is_renamed_archived_and_restored(qtbot, window):
    core, library = window.core, window.library
    for name in ("Acme", "Birch"):
        core.create_matter(name)
    window.reload_matters("Acme")
    qtbot.mouseClick(library.rename_button, Qt.MouseButton.LeftButton)
    assert library.dialog.textValue() == "Acme"
    library.dialog.setTextValue("Birch")
    library.dialog.accept()
    assert library.panel.label.text() == "Could not rename the matter: a matter named 'Birch' already exists"
    library.choose_new_name()
    library.dialog.setTextValue("Acme Ltd — FY24 audit")
    library.dialog.accept()
    assert window.matter_box.currentText() == "Acme Ltd — FY24 audit"
    assert [m.name for m in core.matters()] == ["Acme Ltd — FY24 audit", "Birch"]

    assert library.archive_button.text() == "Archive matter"
    qtbot.mouseClick(library.archive_button, Qt.MouseButton.LeftButton)
    selector = [window.matter_box.itemText(i) for i in range(window.matter_box.count())]
    assert selector == ["Birch"] and window.matter_box.currentText() == "Birch"
    window.show_archived.setChecked(True)  # View › Show archived matters
    selector = [window.matter_box.itemText(i) for i in range(window.matter_box.count())]
    assert selector == ["Acme Ltd — FY24 audit (archived)", "Birch"]
    window.reload_matters("Acme Ltd — FY24 audit")
    assert library.archive_button.text() == "Restore matter"
    qtbot.mouseClick(library.archive_button, Qt.MouseButton.LeftButton)
    assert window.matter_box.currentText() == "Acme Ltd — FY24 audit" and library.archive_button.text() == "Archive matter"
    actions = [(e.action, json.loads(e.detail)) for e in core.review.audit.entries()]
    assert [a for a, _ in actions] == ["matter.renamed", "matter.archived", "matter.restored"]
    assert actions[0][1] == {"old": "Acme", "new": "Acme Ltd — FY24 audit"}


def test_the_first_run_explains_the_sample_matter_and_what_to_try(qtbot, window, data_dir):
    from agents.services import SAMPLE_MATTER
    from desktop.widgets.welcome_panel import SUGGESTED_QUESTION

    core, library = window.core, window.library
    assert not library.welcome.isVisible()
    # The real seeding is the integration test's (test_gui); here only what the window says about it.
    def seed_without_indexing(cancel):
        core.create_matter(SAMPLE_MATTER)
        return iter(())

    core.ensure_sample_matter = seed_without_indexing
    assert desktop_app.seed_on_first_run(window)
    assert window.tabs.currentWidget() is library and library.welcome.isVisible()
    qtbot.waitUntil(lambda: window.matter_box.currentText() == SAMPLE_MATTER)
    qtbot.waitUntil(lambda: not library.panel.busy)
    said = library.welcome.text()
    assert "indexed and ready" in said and "being indexed" not in said  # the seed has ended
    for words in ("sample matter", "supply agreement", "Ask", SUGGESTED_QUESTION, "Drafts", "Contract review memo",
                  "northwind_supply_agreement.pdf", "Review", "sign off", "New matter"):
        assert words in said
    labels = library.welcome.findChildren(QLabel)
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)

    qtbot.mouseClick(library.welcome.try_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.ask
    assert window.ask.question.toPlainText() == SUGGESTED_QUESTION and window.ask.ask_button.isEnabled()
    window.tabs.setCurrentWidget(library)
    qtbot.mouseClick(library.welcome.dismiss_button, Qt.MouseButton.LeftButton)
    assert not library.welcome.isVisible()

    # The next start: this seed indexed nothing, so it is taken up again (a seed that finished is
    # left alone at the next start: test_gui).
    second = desktop_app.build_window(Countersign.open(str(data_dir)))
    qtbot.addWidget(second)
    second.show()
    assert second.core.sample_pending()
    second.core.ensure_sample_matter = lambda cancel: iter(())
    assert desktop_app.seed_on_first_run(second)
    qtbot.waitUntil(lambda: not second.library.panel.busy)
    second.close()
    second.core.close()
