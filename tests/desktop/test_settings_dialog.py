"""The settings window (Ctrl+,) on the real core: profiles, firm policy, model settings, the data
directory and the theme. Assertions are on what the user sees and on what the core stored."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from agents.llm.model_files import DEFAULT_MODEL
from desktop.widgets.settings_model import RELOAD_NOTE
from ggufgen import write_gguf


@pytest.fixture
def dialog(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    d = window.settings_dialog
    assert d is not None and d.isVisible()
    yield d
    d.close()


def tab_names(d) -> list[str]:
    return [d.tabs.tabText(i) for i in range(d.tabs.count())]


def test_every_tab_name_is_in_view_without_scrolling(dialog):
    bar = dialog.tabs.tabBar()
    assert all(bar.tabRect(i).right() <= bar.width() for i in range(bar.count())), tab_names(dialog)


def test_ctrl_comma_opens_the_tabs_and_profiles_are_added_or_refused(qtbot, dialog, core):
    assert tab_names(dialog) == ["Profiles and roles", "Firm policy", "Model", "Data directory", "Firm servers",
                                 "Appearance"]
    tab = dialog.profiles
    qtbot.keyClicks(tab.name, "M. Vale")
    qtbot.keyClicks(tab.initials, "mv")
    tab.role.setCurrentIndex(tab.role.findData("partner"))
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert [(tab.table.item(0, c).text()) for c in range(3)] == ["M. Vale", "MV", "partner"]
    assert tab.message.text() == "Added M. Vale (MV) as partner." and tab.name.text() == ""
    assert [(p.name, p.role) for p in core.profiles()] == [("M. Vale", "partner")]

    qtbot.keyClicks(tab.name, "J. Doe")
    qtbot.keyClicks(tab.initials, "J1")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert tab.message.text() == "Not added: initials 'J1' must be 1 to 4 letters, e.g. MV"
    assert tab.message.property("kind") == "error" and tab.table.rowCount() == 1
    tab.name.setText("m. vale")
    tab.initials.setText("MV")
    tab.add()
    assert "a profile named 'm. vale' already exists" in tab.message.text()


def test_policy_changes_are_saved_audited_and_refusals_keep_the_edit(qtbot, dialog, core):
    tab = dialog.policy
    assert tab.signers["legal", "partner"].isChecked() and not tab.signers["legal", "preparer"].isChecked()
    assert tab.maker_checker.isChecked() and not tab.second_reviewer.isChecked()
    tab.signers["legal", "reviewer"].setChecked(False)
    tab.signers["legal", "partner"].setChecked(False)
    tab.actor.setText("M. Vale")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.property("kind") == "error"
    assert tab.message.text() == ("refused: signers.legal takes roles from preparer, reviewer, partner separated "
                                  "by commas, not ''")
    assert not tab.signers["legal", "partner"].isChecked()  # the edit stays for the user to correct
    assert core.policy().signers["legal"] == ("reviewer", "partner")

    tab.signers["legal", "partner"].setChecked(True)
    tab.second_reviewer.setChecked(True)
    tab.actor.setText("")
    tab.save()
    assert tab.message.text() == "refused: changing the firm's policy needs the name of who changes it"
    tab.actor.setText("M. Vale")
    tab.save()
    assert tab.message.text() == "Saved 2 change(s) to the audit log." and tab.message.property("kind") == ""
    policy = core.policy()
    assert policy.signers["legal"] == ("partner",) and policy.second_reviewer
    changed = [(e.actor, json.loads(e.detail)["key"]) for e in core.review.audit.entries() if e.action == "policy.changed"]
    assert changed == [("M. Vale", "signers.legal"), ("M. Vale", "second_reviewer")]
    tab.save()
    assert tab.message.text() == "Nothing changed."


def test_model_settings_are_validated_saved_and_drop_the_loaded_model(qtbot, dialog, core, data_dir, tmp_path):
    tab = dialog.model
    items = [tab.models.item(i).text() for i in range(tab.models.count())]
    assert items[0].startswith(f"✓ {DEFAULT_MODEL.id} — bundled")
    assert (tab.n_threads.value(), tab.n_ctx.value(), tab.max_tokens.value()) == (2, 4096, 320)

    core._model = loaded = object()  # stands for a loaded model; loading llama.cpp is not the point here
    tab.server_url.setText("gpu-box:8080")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.text().startswith("Not saved: setting 'model_server_url'")
    tab.server_url.setText("")
    tab.n_ctx.setValue(100)
    tab.save()
    assert tab.message.text() == "Not saved: setting 'n_ctx': Input should be greater than or equal to 512"
    assert core._model is loaded and not (data_dir / "settings.json").exists()

    tab.n_ctx.setValue(2048)
    tab.n_threads.setValue(1)
    tab.temperature.setValue(0.3)
    tab.save()
    assert tab.message.text() == RELOAD_NOTE and not core.model_loaded()
    saved = json.loads((data_dir / "settings.json").read_text())
    assert (saved["n_ctx"], saved["n_threads"], saved["temperature"]) == (2048, 1, 0.3)

    gguf = write_gguf(tmp_path / "firm-model.gguf")
    tab.add_file(gguf)
    qtbot.waitUntil(lambda: tab.add_button.isEnabled(), timeout=60_000)
    assert tab.message.text() == "Added firm-model; select it and press “Use this model”."
    row = next(i for i in range(tab.models.count()) if "firm-model — added" in tab.models.item(i).text())
    tab.models.setCurrentRow(row)
    qtbot.mouseClick(tab.use_button, Qt.MouseButton.LeftButton)
    assert tab.message.text().startswith("Now using firm-model.")
    assert core.settings.model_path == str(gguf.resolve())
    assert tab.models.item(row).text().startswith("✓ firm-model")

    tab.add_file(tmp_path / "notes.gguf")  # not there: the worker's refusal is shown
    qtbot.waitUntil(lambda: tab.add_button.isEnabled(), timeout=60_000)
    assert tab.message.text().startswith("Not added: ") and tab.message.property("kind") == "error"


def test_data_directory_is_shown_with_how_to_change_it_and_the_theme_applies(qtbot, dialog, window, data_dir):
    data = dialog.data
    assert data.data_dir.text() == str(data_dir.resolve()) and data.source.text() == "--data-dir"
    assert "--data-dir DIR" in data.help.text() and "COUNTERSIGN_DATA_DIR" in data.help.text()
    app = QApplication.instance()
    try:
        dialog.appearance.theme.setCurrentIndex(dialog.appearance.theme.findData("dark"))
        assert app.palette().color(QPalette.ColorRole.Window).name() == "#1f2227"
        assert "#9cc3e6" in app.styleSheet()
        assert "theme=dark" in (data_dir / "window.ini").read_text()
        assert window.state.theme() == "dark"
        dialog.appearance.theme.setCurrentIndex(dialog.appearance.theme.findData("light"))
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    finally:
        window.set_theme("system")  # the QApplication outlives this test


def test_firm_servers_are_checked_as_typed_and_a_password_in_an_address_is_refused(qtbot, dialog, core):
    tab = dialog.firm
    assert tab.who.text() == "Single-user mode: nobody signs in"
    task = tab.check()
    qtbot.waitUntil(lambda: not task.active, timeout=30_000)
    assert tab.results.text() == "No server is named: single-user mode."
    tab.fields["workspace_url"].setText("postgresql://countersign@127.0.0.1:1/firm")  # nothing listens on port 1
    task = tab.check()
    qtbot.waitUntil(lambda: not task.active, timeout=30_000)
    assert tab.results.text().startswith("FAILED  workspace  127.0.0.1:1/firm")
    assert "cannot be reached" in tab.results.text() and tab.check_button.isEnabled()
    assert core.settings.workspace_url == ""  # checked, not saved
    tab.fields["workspace_url"].setText("postgresql://countersign:hunter2@127.0.0.1/firm")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "Not saved" in tab.message.text() and "holds a password" in tab.message.text()
    assert core.settings.workspace_url == ""
