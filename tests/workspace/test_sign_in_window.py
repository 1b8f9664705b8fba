"""The window's sign-in in firm mode, against a real PostgreSQL workspace: asked for before the
window opens, a wrong password asked again with the workspace's words, cancel stops."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from agents.review.accounts import AccountStore
from agents.runtime import settings as settings_mod
from agents.runtime.pg_database import PASSWORD_ENV, connect_workspace
from agents.services import SignInRefused, SignInRequired
from desktop.app import open_core
from desktop.widgets.sign_in_dialog import SignInDialog
from pg_server import PASSWORD

SECRET = "a long enough password"


@pytest.fixture
def data_dir(workspace_url, tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    data = tmp_path / "data"
    data.mkdir()
    settings_mod.save(settings_mod.Settings(workspace_url=workspace_url.replace(f":{PASSWORD}@", "@")),
                      data / "settings.json")
    return data


def add_account(url: str, name: str) -> None:
    db = connect_workspace(url)
    AccountStore(db).add(name, SECRET, False, by="IT")
    db.close()


def test_a_wrong_password_is_asked_again_with_the_workspaces_words(qapp, data_dir, workspace_url):
    add_account(workspace_url, "A. Associate")
    asked = []

    def sign_in(name, message):
        asked.append((name, message))
        return ("A. Associate", "not it at all") if len(asked) == 1 else ("A. Associate", SECRET)

    core = open_core(qapp, str(data_dir), sign_in)
    try:
        assert core.user == "A. Associate"
        assert asked == [("", ""), ("A. Associate", "sign-in refused: the name or the password is wrong")]
    finally:
        core.close()


def test_cancelling_the_sign_in_stops_with_the_reason(qapp, data_dir, workspace_url):
    add_account(workspace_url, "A. Associate")
    with pytest.raises(SignInRequired, match="needs you to sign in"):
        open_core(qapp, str(data_dir), lambda name, message: None)
    with pytest.raises(SignInRefused):
        open_core(qapp, str(data_dir), lambda name, message: ("A. Associate", "wrong every time"))


def test_a_workspace_without_accounts_says_how_to_make_the_first(qapp, data_dir):
    with pytest.raises(SignInRequired, match="countersign account add NAME --admin"):
        open_core(qapp, str(data_dir), lambda name, message: pytest.fail("nobody could sign in"))


def test_the_dialog_signs_in_only_with_both_fields_and_shows_messages_as_text(qtbot):
    dialog = SignInDialog("A. Associate", "<b>sign-in refused</b>")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.message.text() == "<b>sign-in refused</b>"
    qtbot.keyClicks(dialog.password, SECRET)
    assert ok.isEnabled() and dialog.credentials() == ("A. Associate", SECRET)
