"""Firm mode end to end on real servers on 127.0.0.1: PostgreSQL for the workspace, `chroma run`
behind nginx's token check for the vectors, llama_cpp.server for inference. A preparer and a
reviewer on two machines (two data directories) share them: what one ingests and drafts, the
other searches, reviews and signs; their racing decisions give one winner."""
from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from agents.domain.events import Finished
from agents.domain.review_rules import DraftStatus
from agents.knowledge.vector_store import VectorServerUnavailable, VectorStore
from agents.llm import registry
from agents.review.service import ReviewConflict
from agents.runtime import settings as settings_mod
from agents.review.accounts import AccountStore
from agents.runtime.pg_database import PASSWORD_ENV, connect_workspace
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


ACCOUNTS = {"IT Admin": True, "A. Associate": False, "Dana Whitfield": False, "R. One": False, "R. Two": False,
            "W. Walled": False}


def password_of(account: str) -> str:
    return f"{account} has a long password"


@pytest.fixture
def firm(servers, tmp_path, monkeypatch):
    """Open a machine's Countersign on the shared servers, signed in: firm(name, account)."""
    pg, vectors, model = servers
    url = pg.new_database()
    db = connect_workspace(url)  # IT's set-up: the accounts
    accounts = AccountStore(db)
    for account, admin in ACCOUNTS.items():
        accounts.add(account, password_of(account), admin, by="IT set-up")
    db.close()
    workspace = url.replace(f":{PASSWORD}@", "@")  # the password comes from the environment
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv(VECTOR_TOKEN_ENV, TOKEN)
    opened = []

    def machine(name: str, account: str) -> Countersign:
        data = tmp_path / name
        data.mkdir(exist_ok=True)
        settings_mod.save(settings_mod.Settings(workspace_url=workspace, vector_server_url=vectors.url,
                                                model_server_url=model.url, max_tokens=96, n_threads=1),
                          data / "settings.json")
        app = Countersign.open(str(data), user=account, password=password_of(account))
        opened.append(app)
        return app

    yield machine
    for app in opened:
        app.close()


def associate_with_contract(firm, tmp_path) -> Countersign:
    """The associate's machine, with matter Birch Foods and the contract ingested from a share."""
    shared = tmp_path / "share"
    shared.mkdir()
    write_pdf(shared / "services_agreement.pdf", CONTRACT)
    associate = firm("associate-laptop", "A. Associate")
    associate.create_matter("Birch Foods")
    list(associate.ingest("Birch Foods", [shared]))
    return associate


def test_a_preparers_draft_is_searched_reviewed_and_signed_on_another_machine(firm, tmp_path):
    preparer = associate_with_contract(firm, tmp_path)
    assert preparer.firm_mode and not preparer.paths.database.exists()  # nothing of the matter on this machine
    assert not any(preparer.paths.vectors.glob("*.sqlite3"))
    events = list(preparer.draft("Birch Foods", "contract-review", "services_agreement.pdf", preparer="A. Associate"))
    draft = next(e.result for e in events if isinstance(e, Finished))

    reviewer = firm("partner-desktop", "Dana Whitfield")  # never ingested anything
    assert reviewer.matters() == []  # walled off until a member lets her in
    preparer.grant_access("Birch Foods", "Dana Whitfield")
    assert [d.filename for d in reviewer.documents("Birch Foods")] == ["services_agreement.pdf"]
    hits = reviewer.search("Birch Foods", "Quillfeather7731 governing law", top_k=3)
    assert hits and "Quillfeather7731" in hits[0].chunk.text  # vectors from the server, words from the workspace
    assert [d.id for d in reviewer.drafts("Birch Foods")] == [draft.id]
    with pytest.raises(PermissionError, match="for an administrator; Dana Whitfield is not one"):
        reviewer.add_profile("Dana Whitfield", "DW", "partner")  # nobody gives themselves a signing role
    firm("it-desk", "IT Admin").add_profile("Dana Whitfield", "DW", "partner")
    signed = sign_with_policy(reviewer, draft.id, "Dana Whitfield")
    assert signed.status is DraftStatus.SIGNED_OFF
    assert preparer.get_draft(draft.id).status is DraftStatus.SIGNED_OFF
    assert preparer.review.audit.verify() is None


def test_two_reviewers_on_two_machines_racing_on_one_section_get_one_winner(firm):
    first, second = firm("reviewer-one", "R. One"), firm("reviewer-two", "R. Two")
    matter = first.create_matter("Northwind")
    first.grant_access("Northwind", "R. Two")
    draft = first.review.create(replace(memo(), matter_id=matter.id))
    seen_first = first.view_draft(draft.id, "R. One").revision
    seen_second = second.view_draft(draft.id, "R. Two").revision
    first.approve_section(draft.id, "law", "R. One", seen=seen_first)
    with pytest.raises(ReviewConflict, match="R. One approved section 'law'"):
        second.request_section_changes(draft.id, "law", "R. Two", "cite clause 7", seen=seen_second)
    assert second.view_draft(draft.id, "R. Two").section("law").status.value == "approved"
    with pytest.raises(ValueError, match="signed in as R. Two; review actions are recorded under your own name"):
        second.approve_section(draft.id, "cap", "R. One")  # nobody acts, or signs, as someone else


def test_the_shared_vector_repair_spares_vectors_another_machine_may_be_writing(firm, tmp_path):
    associate = associate_with_contract(firm, tmp_path)
    matter = associate.library.matter("Birch Foods")
    name = associate.index.active(matter.id)
    store = associate.vectors
    blank = [[0.1] * store.dimensions(matter.id, name)]
    # Left by a machine that crashed two hours ago, between its vectors and its commit:
    store._coll(matter.id, name).upsert(ids=["crashed-long-ago"], embeddings=blank, metadatas=[
        {"matter_id": matter.id, "document_id": "gone", "page": 1, "written": int(time.time()) - 7200}])
    store.add(["in-flight"], blank, matter.id, "being-committed", [1], name)  # another machine, right now
    lost = sorted(associate.index.chunk_ids(matter.id))[0]
    store.delete_ids([lost], matter.id, name)
    with pytest.raises(ValueError, match="one matter at a time"):
        associate.reconcile_vectors()  # the whole-store repair would take the in-flight vector

    desk = firm("associate-desktop", "A. Associate")  # the first ingest into the matter repairs it
    more = tmp_path / "more.pdf"
    write_pdf(more, ["SIDE LETTER to the services agreement. Fees are payable quarterly."])
    list(desk.ingest("Birch Foods", [more]))
    have = store.ids(matter.id, name)
    assert "crashed-long-ago" not in have and "in-flight" in have and lost in have
    assert desk.reconcile_vectors(matter.id) == (0, 0)


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


def test_a_walled_off_user_sees_nothing_of_the_matter_even_through_search(firm, tmp_path):
    owner = associate_with_contract(firm, tmp_path)
    doc = owner.documents("Birch Foods")[0]
    chunk_ids = [c.id for c in owner.library.document_chunks(doc.id)]
    draft = owner.review.create(replace(memo(), matter_id=owner.library.matter("Birch Foods").id))

    walled = firm("walled-laptop", "W. Walled")
    walled.create_matter("Other client")
    assert [m.name for m in walled.matters()] == ["Other client"]
    with pytest.raises(LookupError, match="no matter named 'Birch Foods'"):
        walled.search("Birch Foods", "governing law", top_k=3)
    with pytest.raises(LookupError, match="no matter named 'Birch Foods'"):  # the same words as a matter that is not there
        walled.documents("Birch Foods")
    assert walled.search("Other client", "Quillfeather7731 governing law Scotland", top_k=5) == []
    assert walled.library.chunks(chunk_ids) == {} and walled.drafts() == []
    for attempt in (lambda: walled.get_draft(draft.id), lambda: walled.view_draft(draft.id, "W. Walled"),
                    lambda: walled.export(draft.id, "md"), lambda: walled.library.page_text(doc.id, 1),
                    lambda: walled.approve_section(draft.id, "law", "W. Walled")):
        with pytest.raises(LookupError):
            attempt()
    denied = [e for e in owner.review.audit.entries() if e.action == "access.denied"]
    assert len(denied) >= 7 and {e.actor for e in denied} == {"W. Walled"}
    assert owner.review.audit.verify() is None

    with pytest.raises(ValueError, match="reviewer opens the draft directly"):
        owner.export_package(draft.id, tmp_path / "memo.cspkg")  # packages are for installations sharing nothing

    assert owner.grant_access("Birch Foods", "W. Walled") == ["A. Associate", "W. Walled"]
    assert walled.search("Birch Foods", "Quillfeather7731 governing law", top_k=3)
    owner.revoke_access("Birch Foods", "W. Walled")
    assert walled.drafts() == [] and "Birch Foods" not in [m.name for m in walled.matters()]
    with pytest.raises(LookupError, match="no matter named 'Birch Foods'"):
        walled.grant_access("Birch Foods", "W. Walled")  # a non-member cannot let himself back in


def test_sign_in_is_needed_and_a_wrong_password_says_no_more_than_that(firm, servers, tmp_path):
    from agents.services.walls_facade import SignInRefused, SignInRequired

    app = firm("it-desk", "IT Admin")
    data = tmp_path / "it-desk"
    app.close()
    with pytest.raises(SignInRequired, match="--user NAME"):
        Countersign.open(str(data))
    messages = []
    for user, password in (("A. Associate", "not the password at all"), ("Nobody Here", "not the password at all")):
        with pytest.raises(SignInRefused) as info:
            Countersign.open(str(data), user=user, password=password)
        messages.append(str(info.value))
    assert messages[0] == messages[1] == "sign-in refused: the name or the password is wrong"
    again = firm("it-desk", "IT Admin")
    refused = [e.subject for e in again.review.audit.entries() if e.action == "account.sign_in_refused"]
    assert refused == ["A. Associate", "Nobody Here"]
