"""Password-sealed review packages and exports: the sealed file holds none of the draft's text,
the right password opens it (import, show, verify, decrypt), and a wrong or missing password is
a clear error that imports nothing."""
from __future__ import annotations

import pytest

from packagegen import PAGE_2, cli, nothing_imported, seed_draft, with_app

from agents.domain.review_rules import ReviewAction
from agents.review.sealed import PasswordNeeded, WrongPassword, is_sealed, seal, unseal
from tests.review.contract_memo import MATTER, open_app
from tests.review.sample_draft import sample_draft

PASSWORD = "harbor-escrow-2026"


@pytest.fixture
def app(data_dir):
    yield from open_app(data_dir)


def test_the_envelope_round_trips_and_refuses_a_wrong_password_or_a_changed_byte():
    sealed = seal(b"the escrow side letter", PASSWORD)
    assert is_sealed(sealed) and b"escrow" not in sealed
    assert unseal(sealed, PASSWORD) == b"the escrow side letter"
    with pytest.raises(WrongPassword, match="the password does not open"):
        unseal(sealed, "not-the-password")
    with pytest.raises(PasswordNeeded, match="password-protected"):
        unseal(sealed, None)
    flipped = bytearray(sealed)
    flipped[-5] ^= 1
    with pytest.raises(WrongPassword, match="altered"):
        unseal(bytes(flipped), PASSWORD)


def test_a_sealed_package_opens_only_with_its_password_through_the_cli(tmp_path, capsys):
    a, b, pkg = tmp_path / "a", tmp_path / "b", tmp_path / "review.cspkg"
    draft_id = seed_draft(a, [ReviewAction.SUBMIT])
    password, wrong = tmp_path / "password.txt", tmp_path / "wrong.txt"
    password.write_text(PASSWORD + "\n")
    wrong.write_text("not-the-password\n")
    assert cli(a, "package", "export", draft_id, str(pkg), "--password-file", str(password)) == 0
    data = pkg.read_bytes()
    assert is_sealed(data) and PAGE_2.encode() not in data and b"countersign_review_package" not in data
    capsys.readouterr()
    assert cli(b, "package", "import", str(pkg)) == 1
    assert "review.cspkg is password-protected" in capsys.readouterr().err
    assert cli(b, "package", "import", str(pkg), "--password-file", str(wrong)) == 1
    assert "the password does not open review.cspkg" in capsys.readouterr().err
    assert nothing_imported(b)
    assert cli(b, "package", "show", str(pkg), "--password-file", str(password)) == 0
    assert cli(b, "package", "import", str(pkg), "--password-file", str(password)) == 0
    assert with_app(b, lambda app: app.library.page_text("doc_nw", 2)) == PAGE_2


def test_a_sealed_export_verifies_with_its_password_and_decrypts(app, tmp_path):
    draft = sample_draft(app, MATTER, sections=2)
    out = app.export(draft.id, "md", tmp_path / "memo.md.sealed", password=PASSWORD)
    assert is_sealed(out.read_bytes()) and draft.sections[0].body.encode() not in out.read_bytes()
    assert app.verify_export(out, PASSWORD).ok
    with pytest.raises(WrongPassword):
        app.verify_export(out, "wrong-password")
    opened = app.decrypt_file(out, PASSWORD, tmp_path / "memo.md")
    assert draft.sections[0].body in opened.read_text(encoding="utf-8") and app.verify_export(opened).ok
