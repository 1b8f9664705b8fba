"""The whole loop with the real parts: default GGUF via llama.cpp, MiniLM, chromadb, SQLite."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import docx
import openpyxl
import pypdf
import pytest

from agents.runtime.resources import resource

from agents.domain.events import FileIngested, Finished, TokenDelta
from agents.domain.library import DocumentStatus
from agents.domain.review_rules import DraftStatus
from agents.knowledge.embedder import MAX_INPUT_TOKENS
from agents.knowledge.ingest import sha256_file
from agents.runtime import settings as settings_mod
from agents.services import Countersign
from pdfgen import write_pdf

pytestmark = pytest.mark.integration

CANARY = "The zebra-striped escrow ledger is kept in Truro."
CONTRACT = [
    "MASTER SERVICES AGREEMENT\nThis Agreement is between Alder Analytics Ltd (Provider) and Birch Foods plc (Client).\n"
    "1. SERVICES\n1.1 Provider shall deliver the monthly payroll audit services described in Schedule A.\n"
    "2. TERM AND TERMINATION\n2.1 This Agreement continues for an initial term of two years.\n"
    "2.2 Either party may terminate this Agreement for material breach not remedied within 30 days of notice.\n"
    "3. CONFIDENTIALITY\n3.1 Each party shall keep the other party's Confidential Information confidential for four years after termination.\n"
    "4. LIMITATION OF LIABILITY\n4.1 Provider's total liability shall not exceed the fees paid in the previous twelve months.\n",
    "5. INDEMNIFICATION\n5.1 Provider shall indemnify Client against third-party claims that the services infringe intellectual property rights.\n"
    "6. ASSIGNMENT\n6.1 Neither party may assign this Agreement without the prior written consent of the other party.\n"
    "7. GOVERNING LAW\n7.1 This Agreement is governed by the laws of Scotland and the Scottish courts have exclusive jurisdiction.\n"
    + CANARY + "\n",
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("matter")
    write_pdf(root / "services_agreement.pdf", CONTRACT)
    d = docx.Document()
    d.add_heading("Engagement letter", 1)
    d.add_paragraph("Our fee for the payroll audit is GBP 9,400, payable within 14 days of invoice.")
    d.save(root / "engagement.docx")
    wb = openpyxl.Workbook()
    wb.active.title = "Ledger"
    wb.active.append(["Account", "Code", "Debit"])
    for i in range(2, 201):
        wb.active.append([f"Account {i}", 1000 + i, i * 7])
    wb.save(root / "ledger.xlsx")
    (root / "notes.md").write_text("# Notes\n\nThe client's year end is 31 March.\n", encoding="utf-8")
    (root / "memo.txt").write_text("Board minutes: approved the audit plan.\fPage two of the minutes.", encoding="utf-8")
    (root / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntruncated")
    writer = pypdf.PdfWriter(clone_from=str(root / "services_agreement.pdf"))
    writer.encrypt(user_password="letmein", algorithm="AES-256")
    writer.write(root / "locked.pdf")
    return root


@pytest.fixture(scope="module")
def app(tmp_path_factory, files):
    data = tmp_path_factory.mktemp("data")
    settings_mod.save(settings_mod.Settings(max_tokens=120, n_threads=2), data / "settings.json")
    app = Countersign.open(str(data))
    app.create_matter("Birch Foods")
    events = list(app.ingest("Birch Foods", [files]))
    app.ingest_events = events
    yield app
    app.close()


def test_every_file_gets_a_status_and_good_files_are_indexed(app):
    outcome = {e.path.rsplit("/", 1)[-1]: e for e in app.ingest_events if isinstance(e, FileIngested)}
    assert outcome["services_agreement.pdf"].status is DocumentStatus.INDEXED
    assert outcome["services_agreement.pdf"].pages == 2
    assert outcome["engagement.docx"].status is DocumentStatus.INDEXED
    assert outcome["notes.md"].status is DocumentStatus.INDEXED
    assert outcome["memo.txt"].pages == 2
    assert outcome["locked.pdf"].status is DocumentStatus.ENCRYPTED
    assert outcome["broken.pdf"].status in (DocumentStatus.CORRUPT, DocumentStatus.NO_TEXT)
    assert outcome["broken.pdf"].reason


def test_chunks_fit_the_embedder_window_and_point_into_their_page(app):
    for doc in app.documents("Birch Foods"):
        for chunk in app.library.document_chunks(doc.id):
            assert app.embedder.count_tokens(chunk.text) <= MAX_INPUT_TOKENS
            assert app.library.page_text(doc.id, chunk.page)[chunk.char_start:chunk.char_end] == chunk.text


def test_spreadsheet_row_is_found_and_cited_by_its_cell_range(app):
    matter_id = app.library.matter("Birch Foods").id
    hits = app.retriever.search("Debit of Account 180", matter_id, 5)
    row = next(p for p in hits if "Account: Account 180 " in p.chunk.text)
    assert row.location.startswith("ledger.xlsx, Ledger!A")
    first, last = row.chunk.locator.split("!")[1].split(":")
    assert int(first[1:]) <= 180 <= int(last[1:])


def test_search_command_ranks_passages_within_a_matter(app):
    passages = app.search("Birch Foods", "governing law Scotland", top_k=3)
    assert passages and "Scotland" in passages[0].chunk.text
    only_docx = app.search("Birch Foods", "fee", document="engagement.docx", top_k=3)
    assert only_docx and {p.filename for p in only_docx} == {"engagement.docx"}
    page_one = app.search("Birch Foods", "governing law Scotland", document="services_agreement.pdf", pages=(1, 1))
    assert page_one and {p.chunk.page for p in page_one} == {1}


def test_search_never_returns_another_matters_chunks(app, tmp_path):
    (tmp_path / "other.txt").write_text("Other client: governed by the laws of Scotland, fee GBP 9,400.")
    app.create_matter("Walled matter")
    list(app.ingest("Walled matter", [tmp_path / "other.txt"]))
    mine = app.library.matter("Birch Foods").id
    for p in app.search("Birch Foods", "Other client governed laws Scotland fee", top_k=20):
        assert p.chunk.matter_id == mine


def test_reingesting_unchanged_files_skips_them(app, files):
    again = [e for e in app.ingest("Birch Foods", [files / "notes.md"]) if isinstance(e, FileIngested)]
    assert again[0].status is DocumentStatus.UNCHANGED
    assert app.vectors.ids() == app.library.all_chunk_ids()


def test_ask_streams_an_answer_with_citations_to_the_right_page(app):
    events = list(app.ask("Birch Foods", "Which law governs the services agreement?"))
    answer = next(e for e in events if isinstance(e, Finished)).result
    streamed = "".join(e.text for e in events if isinstance(e, TokenDelta))
    assert streamed.strip() == answer.text and answer.text
    assert any("governed by the laws of Scotland" in p.chunk.text for p in answer.passages)
    assert answer.citations, answer.text
    for c in answer.citations:
        passage = answer.passages[c.number - 1]
        assert (c.chunk_id, c.page) == (passage.chunk.id, passage.chunk.page)
    assert "Scotland" in answer.text


def firm_playbook(path, keys):
    """A firm's own playbook: a subset of the commercial one (each topic costs two model calls)."""
    text = resource("playbooks", "commercial.toml").read_text(encoding="utf-8")
    head, *topics = text.split("[[topics]]")
    kept = [t for t in topics if any(f'key = "{k}"' in t for k in keys)]
    path.write_text(head.replace('id = "commercial"', 'id = "firm"') + "".join("[[topics]]" + t for t in kept))
    return path


def test_draft_review_sign_off_and_export(app, tmp_path):
    keys = ("governing_law", "renewal", "limitation_of_liability", "assignment")  # in playbook order
    playbook = firm_playbook(tmp_path / "firm.toml", keys)
    events = list(app.draft("Birch Foods", "contract-review", "services_agreement.pdf", preparer="A. Associate",
                            inputs={"playbook": str(playbook)}))
    draft = next(e for e in events if isinstance(e, Finished)).result
    assert draft.status is DraftStatus.DRAFT
    topics = {s.key.removeprefix("finding_"): s for s in draft.sections}
    assert list(topics) == ["scope", *keys]
    assert draft.provenance["template"] == {"id": "contract-review", "version": "2.0"}
    assert draft.provenance["inputs"]["playbook"].startswith("firm v")
    assert draft.provenance["evidence"] and draft.provenance["model"]["sha256"] == draft.model_sha256
    assert "Position: **missing**" in topics["renewal"].body and not topics["renewal"].citations  # it has none
    for key in ("governing_law", "limitation_of_liability", "assignment"):
        section = topics[key]
        assert section.citations, f"{key} found no clause: {section.body}"
        assert any(p in section.body for p in ("**meets**", "**deviates**", "**unclassified**"))
        c = section.citations[0]
        page = app.library.page_text(c.document_id, c.page)
        assert " ".join(c.quote.split()) in " ".join(page.split())
    assert topics["governing_law"].citations[0].page == 2
    assert "Scotland" in topics["governing_law"].citations[0].quote

    unsigned = app.export(draft.id, "md", tmp_path / "unsigned.md").read_text()
    assert "DRAFT — NOT REVIEWED" in unsigned

    # Sign-off needs a known person, every verifier flag settled and every section approved.
    app.add_profile("R. Reviewer", "RR", "partner")
    for s in draft.sections:
        for i, _ in enumerate(s.flags):
            app.resolve_flag(draft.id, s.key, i, "R. Reviewer", accept_reason="checked against the cited clause")
    app.approve_all(draft.id, "R. Reviewer")
    signed = app.sign_off(draft.id, "R. Reviewer", "partner", "approved")
    assert signed.status is DraftStatus.SIGNED_OFF
    assert signed.signoffs[0].content_sha256 == draft.content_sha256
    entries = app.review.audit.entries(draft.id)
    assert [e.action for e in entries][-2:] == ["draft.approve", "draft.signed_off"]
    assert draft.content_sha256 in entries[-1].detail
    assert app.verify_audit() is None

    md = app.export(draft.id, "md", tmp_path / "signed.md").read_text()
    assert "DRAFT — NOT REVIEWED" not in md and "Signed off by R. Reviewer (partner)" in md
    assert draft.content_sha256 in md
    out = app.export(draft.id, "docx", tmp_path / "signed.docx")
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Signed off by R. Reviewer" in text and "Governing law" in text
    exported = [e for e in app.review.audit.entries(draft.id) if e.action == "draft.exported"]
    assert len(exported) == 3 and sha256_file(out) in exported[-1].detail
    with pytest.raises(ValueError, match="cannot approve"):
        app.approve(draft.id, "R. Reviewer")


def test_a_changed_source_marks_the_draft_that_cites_it_stale(app, files, tmp_path):
    draft = app.drafts("Birch Foods")[0]
    assert app.stale_sources(draft) == []
    original = (files / "services_agreement.pdf").read_bytes()
    write_pdf(files / "services_agreement.pdf", CONTRACT[:1])
    try:
        list(app.ingest("Birch Foods", [files / "services_agreement.pdf"]))
        assert app.stale_sources(app.get_draft(draft.id)) == ["services_agreement.pdf changed since this draft cited it"]
    finally:
        (files / "services_agreement.pdf").write_bytes(original)
        list(app.ingest("Birch Foods", [files / "services_agreement.pdf"]))
    assert app.stale_sources(app.get_draft(draft.id)) == []


def test_drafting_from_a_path_not_yet_in_the_matter_ingests_it_first(app, files, tmp_path):
    locked = tmp_path / "new_locked.pdf"
    locked.write_bytes((files / "locked.pdf").read_bytes())
    events = app.draft("Birch Foods", "contract-review", str(locked))
    with pytest.raises(ValueError, match="not indexed .encrypted"):
        list(events)
    assert any(d.filename == "new_locked.pdf" and d.status is DocumentStatus.ENCRYPTED for d in app.documents("Birch Foods"))


def test_log_never_contains_document_text(app):
    logs = "".join(p.read_text() for p in app.paths.logs.glob("*.log*"))
    assert "ingest" in logs
    assert "zebra-striped" not in logs


def test_cli_json_and_errors(app, files, tmp_path):
    # `app` holds the data directory, as an open window would: reading commands run beside it,
    # writing ones are refused with the holder's pid.
    base = [sys.executable, "-m", "agents.cli.main", "--data-dir", str(app.paths.root)]
    out = subprocess.run(base + ["review", "list", "--json"], capture_output=True, text=True, check=True)
    drafts = json.loads(out.stdout)["drafts"]
    assert drafts and drafts[0]["status"] == "signed_off"
    out = subprocess.run(base + ["verify", "--json"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["ok"] is True
    refused = subprocess.run(base + ["ingest", "Birch Foods", str(files / "memo.txt"), "--json"], capture_output=True, text=True)
    assert refused.returncode == 1 and f"open in another Countersign (pid {os.getpid()}" in refused.stderr
    fresh = [sys.executable, "-m", "agents.cli.main", "--data-dir", str(tmp_path / "fresh")]
    bad = subprocess.run(fresh + ["ask", "No Such Matter", "anything?"], capture_output=True, text=True)
    assert bad.returncode == 1 and "no matter named 'No Such Matter'" in bad.stderr and bad.stdout == ""


def test_orphan_vectors_from_a_crash_are_reconciled(app, files):
    doc = app.documents("Birch Foods")[0]
    app.vectors.add(["crashed:0"], [[0.1] * 384], doc.matter_id, "crashed", [1])
    reopened = Countersign.open(str(app.paths.root))  # as after a crash: the next start reconciles
    list(reopened.ingest("Birch Foods", [files / "notes.md"]))
    assert reopened.vectors.ids() == reopened.library.all_chunk_ids()
    reopened.close()


def test_folder_resync_reindexes_changed_removes_deleted_and_never_duplicates(app, tmp_path):
    folder = tmp_path / "sync"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha memo: the audit fee is GBP 1,200.")
    (folder / "b.txt").write_text("Beta memo: inventory count on 31 March.")
    write_pdf(folder / "c.pdf", ["Gamma contract page."])
    app.create_matter("Sync")

    def sync():
        return {e.path.rsplit("/", 1)[-1]: e for e in app.ingest("Sync", [folder]) if isinstance(e, FileIngested)}

    assert {e.status for e in sync().values()} == {DocumentStatus.INDEXED}
    (folder / "a.txt").write_text("Alpha memo, revised: the audit fee is GBP 1,350.")
    (folder / "b.txt").unlink()
    second = sync()
    assert second["a.txt"].status is DocumentStatus.INDEXED
    assert second["b.txt"].status is DocumentStatus.REMOVED
    assert second["c.pdf"].status is DocumentStatus.UNCHANGED
    docs = app.documents("Sync")
    assert sorted(d.filename for d in docs) == ["a.txt", "c.pdf"]
    texts = [c.text for d in docs for c in app.library.document_chunks(d.id)]
    assert any("1,350" in t for t in texts) and not any("1,200" in t for t in texts)
    assert app.vectors.ids() == app.library.all_chunk_ids()
    hits = app.retriever.search("Beta memo inventory count", app.library.matter("Sync").id, 5)
    assert hits and all("Beta" not in p.chunk.text for p in hits)


def test_unchanged_failed_file_keeps_its_status_without_reparsing(app, files):
    again = [e for e in app.ingest("Birch Foods", [files / "locked.pdf"]) if isinstance(e, FileIngested)]
    assert again[0].status is DocumentStatus.ENCRYPTED
    assert len([d for d in app.documents("Birch Foods") if d.filename == "locked.pdf"]) == 1


def test_a_renamed_file_keeps_its_index_and_its_drafts_stay_valid(app, files, tmp_path):
    folder = tmp_path / "renames"
    folder.mkdir()
    (folder / "minutes.txt").write_text("Board minutes: the committee approved the walnut audit plan.")
    app.create_matter("Renames")
    first = [e for e in app.ingest("Renames", [folder]) if isinstance(e, FileIngested)]
    doc_id = first[0].document_id
    chunk_ids = {c.id for c in app.library.document_chunks(doc_id)}
    (folder / "minutes.txt").rename(folder / "board_minutes_2024.txt")
    second = [e for e in app.ingest("Renames", [folder]) if isinstance(e, FileIngested)]
    assert [(e.status, e.reason, e.document_id) for e in second] == [
        (DocumentStatus.UNCHANGED, "renamed from minutes.txt", doc_id)]
    (doc,) = app.documents("Renames")
    assert doc.filename == "board_minutes_2024.txt" and doc.path == str((folder / "board_minutes_2024.txt").resolve())
    assert {c.id for c in app.library.document_chunks(doc_id)} == chunk_ids  # nothing re-embedded
    assert app.search("Renames", "walnut audit plan")[0].filename == "board_minutes_2024.txt"
    draft = app.drafts("Birch Foods")[0]  # written by an earlier test, cites services_agreement.pdf
    renamed = files / "services_agreement_signed.pdf"
    (files / "services_agreement.pdf").rename(renamed)
    try:
        list(app.ingest("Birch Foods", [files]))
        assert app.stale_sources(app.get_draft(draft.id)) == []
    finally:
        renamed.rename(files / "services_agreement.pdf")
        list(app.ingest("Birch Foods", [files]))
