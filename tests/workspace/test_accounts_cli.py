"""Accounts and walls from the command line, on a real PostgreSQL workspace: IT's first
account, accounts added by an administrator only, and a matter's members."""
from __future__ import annotations

import json

import pytest

from agents.cli.main import main
from agents.runtime import settings as settings_mod
from agents.runtime.pg_database import PASSWORD_ENV
from agents.services.walls_facade import USER_PASSWORD_ENV
from pg_server import PASSWORD


@pytest.fixture
def run(workspace_url, tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    data.mkdir()
    settings_mod.save(settings_mod.Settings(workspace_url=workspace_url.replace(f":{PASSWORD}@", "@")),
                      data / "settings.json")
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    secret = tmp_path / "new-password"
    secret.write_text("a new account's long password\n")

    def cli(*argv: str, as_user: str = "", user_password: str = "a new account's long password"):
        monkeypatch.setenv(USER_PASSWORD_ENV, user_password)
        extra = ["--user", as_user] if as_user else []
        code = main([*argv, *extra, "--data-dir", str(data)])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if "--json" in argv and out else out), err

    cli.secret = str(secret)
    return cli


def test_it_creates_the_first_account_then_only_an_administrator_adds_more(run):
    assert run("account", "add", "IT Admin", "--admin", "--password-file", run.secret)[0] == 0
    code, _, err = run("account", "add", "A. Associate", "--password-file", run.secret)
    assert code == 1 and "needs an administrator signed in: --user NAME" in err
    assert run("account", "add", "A. Associate", "--password-file", run.secret, as_user="IT Admin")[0] == 0
    code, _, err = run("account", "add", "B. Other", "--password-file", run.secret, as_user="A. Associate")
    assert code == 1 and "A. Associate is not an administrator" in err
    code, listed, _ = run("account", "list", "--json")
    assert [(a["name"], a["admin"]) for a in listed["accounts"]] == [("A. Associate", False), ("IT Admin", True)]


def test_a_matter_is_seen_by_its_members_only_and_a_member_lets_others_in(run):
    run("account", "add", "IT Admin", "--admin", "--password-file", run.secret)
    run("account", "add", "A. Associate", "--password-file", run.secret, as_user="IT Admin")
    assert run("matter", "create", "Birch Foods", as_user="A. Associate")[0] == 0
    code, listed, _ = run("matter", "list", "--json", as_user="IT Admin")
    assert code == 0 and listed["matters"] == []  # an administrator too sees only the matters that list them
    code, out, _ = run("matter", "grant", "Birch Foods", "IT Admin", "--json", as_user="A. Associate")
    assert code == 0 and out["members"] == ["A. Associate", "IT Admin"]
    assert [m["name"] for m in run("matter", "list", "--json", as_user="IT Admin")[1]["matters"]] == ["Birch Foods"]
    code, _, err = run("matter", "list")
    assert code == 1 and "needs you to sign in" in err
    code, _, err = run("matter", "list", as_user="IT Admin", user_password="a wrong password entirely")
    assert code == 1 and "the name or the password is wrong" in err


def test_doctor_on_the_workspace_names_the_server_not_a_local_database(run):
    code, report, _ = run("doctor", "--no-load", "--json")
    assert report["database_encryption"].startswith("the firm workspace (127.0.0.1:")
    assert not any("plaintext" in p or "key" in p for p in report["problems"])
