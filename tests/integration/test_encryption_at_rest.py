"""Encryption at rest, end to end with the real parts (SQLCipher, chromadb, MiniLM): a canary
sentence ingested from a document is found by search, cited by a draft that is signed off, and
is in no byte of any file under the data directory, the database included. A database that was
plaintext before this Countersign is encrypted on open with nothing plaintext left behind."""
from __future__ import annotations

import os

import docx
import pytest

from agents.domain.drafts import Citation, Draft, Section
from agents.domain.review_rules import DraftStatus
from agents.runtime import db_key
from agents.runtime.clock import new_id, utc_now
from agents.runtime.sqlcipher import PLAINTEXT_HEADER
from agents.services import Countersign
from hostile_files import carries
from workflow_drafts import sign_with_policy

TOKEN = "Bramblewick4402"
CANARY = f"Under the escrow side letter {TOKEN} the client pays EUR 2,118,450 to Tolland GmbH on 9 May."


def _client_folder(root):
    folder = root / "client"
    folder.mkdir()
    letter = docx.Document()
    letter.add_paragraph("Escrow side letter to the share purchase agreement.")
    letter.add_paragraph(CANARY)
    letter.save(folder / "escrow_letter.docx")
    (folder / "notes.txt").write_text(f"Completion notes.\n{CANARY}\nThe escrow releases at completion.\n")
    return folder


def _cite_and_sign(app: Countersign, matter_id: str, chunk) -> Draft:
    doc = app.library.document(chunk.document_id)
    cite = Citation(1, chunk.id, doc.id, doc.filename, doc.content_hash, chunk.page, chunk.char_start, chunk.char_end)
    section = Section("summary", "Summary", f"The escrow payment is as the side letter states [1]: {CANARY}", (cite,))
    draft = app.review.create(Draft(new_id("draft"), matter_id, "tax-memo", "Escrow memo", DraftStatus.DRAFT, 1,
                                    utc_now(), "A. Preparer", "qwen", "a" * 64, 1, (section,)))
    return sign_with_policy(app, draft.id, "M. Partner")


def _files_carrying(root, token: str) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and carries(p, token)]


def test_canary_is_searchable_signable_and_in_no_file_under_the_data_directory(tmp_path):
    folder, data = _client_folder(tmp_path), tmp_path / "data"
    app = Countersign.open(str(data))
    try:
        m = app.create_matter("Tolland")
        list(app.ingest("Tolland", [folder]))
        hits = app.search("Tolland", f"{TOKEN} escrow side letter payment")
        assert hits and TOKEN in hits[0].chunk.text
        signed = _cite_and_sign(app, m.id, hits[0].chunk)
        assert signed.status == DraftStatus.SIGNED_OFF and signed.signoffs
        assert app.verify_audit() is None
        assert app.database_key_status().encrypted
    finally:
        app.close()
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name == "countersign.sqlite3" for p in files) and any("vectors" in p.parts for p in files)
    assert (data / "countersign.sqlite3").read_bytes()[:16] != PLAINTEXT_HEADER
    assert _files_carrying(data, TOKEN) == [] and _files_carrying(data, "Tolland GmbH") == []
    # The positive control: the same scan finds the canary in the folder it was ingested from.
    assert sorted(_files_carrying(folder, TOKEN)) == ["escrow_letter.docx", "notes.txt"]
    again = Countersign.open(str(data))  # and the data reopens, searches and keeps the sign-off
    try:
        assert TOKEN in again.search("Tolland", TOKEN)[0].chunk.text
        assert again.get_draft(signed.id).status == DraftStatus.SIGNED_OFF
    finally:
        again.close()


def test_a_plaintext_data_directory_is_encrypted_on_open_and_nothing_plaintext_stays(tmp_path, monkeypatch):
    folder, data = _client_folder(tmp_path), tmp_path / "data"
    monkeypatch.setenv("COUNTERSIGN_PLAINTEXT_DATABASE", "1")  # a data directory from before encryption
    old = Countersign.open(str(data))
    list(old.ingest(old.create_matter("Tolland").name, [folder]))
    old.close()
    assert "countersign.sqlite3" in _files_carrying(data, TOKEN)  # the control: plaintext carries it
    monkeypatch.delenv("COUNTERSIGN_PLAINTEXT_DATABASE")
    app = Countersign.open(str(data))
    try:
        assert TOKEN in app.search("Tolland", f"{TOKEN} escrow")[0].chunk.text
        assert len(app.documents("Tolland")) == 2
    finally:
        app.close()
    assert _files_carrying(data, TOKEN) == []
    assert not [p.name for p in data.iterdir() if p.name.endswith((".encrypting", "-journal"))]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_the_fallback_key_file_is_outside_the_data_directory_and_private(tmp_path):
    app = Countersign.open(str(tmp_path / "data"))
    try:
        status = app.database_key_status()
    finally:
        app.close()
    assert status.storage == "file"  # the suite turns the keyring off
    key_file = db_key.key_file(status.key_id)
    assert key_file.exists() and not key_file.resolve().is_relative_to((tmp_path / "data").resolve())
    assert key_file.stat().st_mode & 0o777 == 0o600
