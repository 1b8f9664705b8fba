"""Firm mode end to end on real servers on 127.0.0.1: PostgreSQL for the workspace, `chroma run`
behind nginx's token check for the vectors, llama_cpp.server for inference. A preparer and a
reviewer on two machines (two data directories) share them: what one ingests and drafts, the
other searches, reviews and signs; their racing decisions give one winner."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from agents.domain.events import Finished
from agents.domain.review_rules import DraftStatus
from agents.knowledge.vector_store import VectorServerUnavailable, VectorStore
from agents.llm import registry
from agents.review.service import ReviewConflict
from agents.runtime import settings as settings_mod
from agents.runtime.pg_database import PASSWORD_ENV
from agents.services import Countersign
from agents.services.countersign import VECTOR_TOKEN_ENV
from firm_servers import TOKEN, ModelServer, VectorServer
from pdfgen import write_pdf
from pg_server import PASSWORD
from workflow_drafts import memo, sign_with_policy

pytestmark = pytest.mark.integration

CONTRACT = [
    "MASTER SERVICES AGREEMENT between Alder Analytics Ltd (Provider) and Birch Foods plc (Client).\n"
    "2. TERM AND TERMINATION\n2.1 This Agreement continues for an initial term of two years.\n"
    "4. LIMITATION OF LIABILITY\n4.1 Provider's total liability shall not exceed the fees paid in the previous twelve months.\n",
    "7. GOVERNING LAW\n7.1 This Agreement is governed by the laws of Scotland. Reference Quillfeather7731.\n",
]


@pytest.fixture(scope="module")
def servers(pg, shared_models_dir):
    vectors = VectorServer()
    model = ModelServer(registry.resolve("", shared_models_dir).path)
    yield pg, vectors, model
    model.stop()
    vectors.stop()


@pytest.fixture
def firm(servers, tmp_path, monkeypatch):
    """Open a machine's Countersign on the shared servers: firm(name) -> Countersign."""
    pg, vectors, model = servers
    workspace = pg.new_database().replace(f":{PASSWORD}@", "@")  # the password comes from the environment
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv(VECTOR_TOKEN_ENV, TOKEN)
    opened = []

    def machine(name: str) -> Countersign:
        data = tmp_path / name
        data.mkdir()
        settings_mod.save(settings_mod.Settings(workspace_url=workspace, vector_server_url=vectors.url,
                                                model_server_url=model.url, max_tokens=96, n_threads=1),
                          data / "settings.json")
        app = Countersign.open(str(data))
        opened.append(app)
        return app

    yield machine
    for app in opened:
        app.close()


def test_a_preparers_draft_is_searched_reviewed_and_signed_on_another_machine(firm, tmp_path):
    shared = tmp_path / "share"
    shared.mkdir()
    write_pdf(shared / "services_agreement.pdf", CONTRACT)
    preparer = firm("associate-laptop")
    preparer.create_matter("Birch Foods")
    list(preparer.ingest("Birch Foods", [shared]))
    assert preparer.firm_mode and not (tmp_path / "associate-laptop" / "countersign.db").exists()
    events = list(preparer.draft("Birch Foods", "contract-review", "services_agreement.pdf", preparer="A. Associate"))
    draft = next(e.result for e in events if isinstance(e, Finished))

    reviewer = firm("partner-desktop")  # never ingested anything
    assert [d.filename for d in reviewer.documents("Birch Foods")] == ["services_agreement.pdf"]
    hits = reviewer.search("Birch Foods", "Quillfeather7731 governing law", top_k=3)
    assert hits and "Quillfeather7731" in hits[0].chunk.text  # vectors from the server, words from the workspace
    assert [d.id for d in reviewer.drafts("Birch Foods")] == [draft.id]
    signed = sign_with_policy(reviewer, draft.id, "Dana Whitfield")
    assert signed.status is DraftStatus.SIGNED_OFF
    assert preparer.get_draft(draft.id).status is DraftStatus.SIGNED_OFF
    assert preparer.review.audit.verify() is None


def test_two_reviewers_on_two_machines_racing_on_one_section_get_one_winner(firm):
    first, second = firm("reviewer-one"), firm("reviewer-two")
    matter = first.create_matter("Northwind")
    draft = first.review.create(replace(memo(), matter_id=matter.id))
    seen_first = first.view_draft(draft.id, "R. One").revision
    seen_second = second.view_draft(draft.id, "R. Two").revision
    first.approve_section(draft.id, "law", "R. One", seen=seen_first)
    with pytest.raises(ReviewConflict, match="R. One approved section 'law'"):
        second.request_section_changes(draft.id, "law", "R. Two", "cite clause 7", seen=seen_second)
    assert second.view_draft(draft.id, "R. Two").section("law").status.value == "approved"


def test_a_wrong_vector_server_token_is_refused_with_a_clear_error(servers, tmp_path):
    _, vectors, _ = servers
    with pytest.raises(VectorServerUnavailable, match=r"refused the token \(wrong in \$COUNTERSIGN_VECTOR_SERVER_TOKEN\)"):
        VectorStore(tmp_path / "unused", server=vectors.url, token="not-the-token").open()
    with pytest.raises(VectorServerUnavailable, match="refused the token \\(none in"):
        VectorStore(tmp_path / "unused", server=vectors.url).open()
    with pytest.raises(VectorServerUnavailable, match="127.0.0.1:1 cannot be reached"):
        VectorStore(tmp_path / "unused", server="http://127.0.0.1:1", token=TOKEN).open()


def test_server_check_reports_each_server_and_its_version(servers, tmp_path, monkeypatch, capsys):
    from agents.cli.main import main

    pg, vectors, model = servers
    data = tmp_path / "it-desk"
    data.mkdir()
    workspace = pg.new_database().replace(f":{PASSWORD}@", "@")
    settings_mod.save(settings_mod.Settings(workspace_url=workspace, vector_server_url=vectors.url,
                                            model_server_url=model.url), data / "settings.json")
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv(VECTOR_TOKEN_ENV, TOKEN)
    assert main(["server", "check", "--json", "--data-dir", str(data)]) == 0
    report = json.loads(capsys.readouterr().out)
    by = {c["server"]: c for c in report["servers"]}
    assert report["ok"] and set(by) == {"workspace", "vectors", "inference"}
    assert by["workspace"]["version"].startswith("PostgreSQL 1") and "creates the tables" in by["workspace"]["detail"]
    assert by["vectors"]["version"].startswith("chromadb ") and "token accepted" in by["vectors"]["detail"]
    assert by["inference"]["ok"] and by["inference"]["version"]
    assert PASSWORD not in json.dumps(report)

    monkeypatch.setenv(VECTOR_TOKEN_ENV, "stale-token")
    monkeypatch.setenv(PASSWORD_ENV, "wrong-password")
    assert main(["server", "check", "--data-dir", str(data)]) == 1
    out = capsys.readouterr().out
    assert "FAIL workspace" in out and "password authentication failed" in out
    assert "FAIL vectors" in out and "refused the token" in out and "ok   inference" in out
