"""`countersign review show|edit|comment|resolve|approve-section|…`, `profile` and `policy`,
end to end on a data directory, with a draft built in code (no model needed)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from agents.services import Countersign
from workflow_drafts import CAP, memo


@pytest.fixture
def draft_id(data_dir) -> str:
    app = Countersign.open(str(data_dir))
    try:
        m = app.create_matter("Northwind")
        return app.review.create(replace(memo(), matter_id=m.id)).id
    finally:
        app.close()


def test_review_from_first_look_to_sign_off(cli, draft_id, tmp_path, data_dir):
    assert cli("profile", "add", "R. Reviewer", "--initials", "rr", "--role", "reviewer")[0] == 0
    code, listed, _ = cli("profile", "list", "--json")
    assert [(p["name"], p["initials"], p["role"]) for p in listed["profiles"]] == [("R. Reviewer", "RR", "reviewer")]

    code, shown, _ = cli("review", "show", draft_id)
    assert code == 0 and "[law: pending]" in shown and "[cap: pending]" in shown
    assert "! flag 0 error: 250,000 appears in no source — UNRESOLVED" in shown
    assert "before sign-off: \"Limitation of liability\" (section cap): flag 1 is unresolved" in shown

    new_text = tmp_path / "cap.txt"
    new_text.write_text(CAP.replace("250,000", "200,000"), encoding="utf-8")
    code, out, _ = cli("review", "edit", draft_id, "cap", "--file", str(new_text), "--reviewer", "A. Associate")
    assert code == 0 and "[-250,000-] {+200,000+}" in out
    assert cli("review", "resolve", draft_id, "cap", "0", "--fixed", "--reviewer", "R. Reviewer")[0] == 0
    code, out, err = cli("review", "resolve", draft_id, "cap", "1", "--accept", " ", "--reviewer", "R. Reviewer")
    assert code == 1 and "needs a written reason" in err
    code, out, _ = cli("review", "resolve", draft_id, "cap", "1", "--accept", "quote checked", "--reviewer", "R. Reviewer")
    assert "flag 1 of section 'cap': accepted (quote checked) by R. Reviewer" in out
    assert cli("review", "comment", draft_id, "law", "Agreed with the clause.", "--reviewer", "R. Reviewer")[0] == 0
    code, out, err = cli("review", "approve", draft_id, "--reviewer", "R. Reviewer")
    assert code == 1 and "until every section is approved" in err
    for key in ("law", "cap"):
        code, out, _ = cli("review", "approve-section", draft_id, key, "--reviewer", "R. Reviewer")
        assert out.strip() == f"{draft_id}: section '{key}' approved"
    assert cli("review", "approve", draft_id, "--reviewer", "R. Reviewer")[0] == 0

    code, out, err = cli("review", "sign-off", draft_id, "--reviewer", "M. Vale", "--meaning", "approved")
    assert code == 1 and "'M. Vale' has no profile" in err
    code, signed, _ = cli("review", "sign-off", draft_id, "--reviewer", "R. Reviewer", "--meaning", "reviewed", "--json")
    assert code == 0 and signed["status"] == "signed_off"

    code, shown, _ = cli("review", "show", draft_id, "--viewer", "Audit Committee", "--json")
    review = shown["review"]
    assert [s["status"] for s in review["sections"]] == ["approved", "approved"]
    cap = review["sections"][1]
    assert cap["edited"] and cap["agent_body"] == CAP
    assert [f["resolution"]["resolution"] for f in cap["flags"]] == ["fixed", "accepted"]
    assert review["sections"][0]["comments"][0]["text"] == "Agreed with the clause."
    assert review["signatures"][0]["content_sha256"] == shown["content_sha256"] == signed["content_sha256"]

    code, out, _ = cli("review", "edit", draft_id, "law", "--text", "Scots law governs [1].", "--reviewer", "R. Reviewer")
    assert code == 0 and "stays as signed; the edit is in a new version" in out and "(v2)" in out
    code, listed, _ = cli("review", "list", "--json")
    assert sorted((d["version"], d["status"]) for d in listed["drafts"]) == [(1, "signed_off"), (2, "draft")]
    code, verified, _ = cli("verify", "--json")
    assert verified["ok"]

    app = Countersign.open(str(data_dir))
    try:
        viewed = [e for e in app.review.audit.entries(draft_id) if e.action == "draft.viewed"]
        assert [e.actor for e in viewed] == ["Audit Committee"]
    finally:
        app.close()


def test_policy_commands_apply_to_the_work_products_domain(cli, draft_id):
    cli("profile", "add", "R. Reviewer", "--initials", "RR", "--role", "reviewer")
    code, policy, _ = cli("policy", "set", "signers.legal", "partner", "--by", "Managing Partner", "--json")
    assert code == 0 and policy["signers"]["legal"] == ["partner"] and policy["maker_checker"]
    code, out, _ = cli("policy", "show")
    assert "signers.legal = partner" in out and "second_reviewer = off" in out
    code, _, err = cli("policy", "set", "second_reviewer", "sometimes", "--by", "MP")
    assert code == 1 and "second_reviewer must be on or off" in err
    for key in ("law", "cap"):
        cli("review", "approve-section", draft_id, key, "--reviewer", "R. Reviewer")
    cli("review", "approve", draft_id, "--reviewer", "R. Reviewer")
    for i, reason in ((0, "side letter"), (1, "checked")):
        cli("review", "resolve", draft_id, "cap", str(i), "--accept", reason, "--reviewer", "R. Reviewer")
    # contract-review is a legal work product (resources/workproducts/contract_review.toml).
    code, _, err = cli("review", "sign-off", draft_id, "--reviewer", "R. Reviewer", "--meaning", "reviewed")
    assert code == 1 and "firm policy lets only partner sign legal work products" in err


def test_section_commands_need_a_name_and_a_known_section(cli, draft_id):
    code, _, err = cli("review", "comment", draft_id, "law", "Fine.")
    assert code == 1 and "say who you are with --reviewer" in err
    code, _, err = cli("review", "approve-section", draft_id, "scope", "--reviewer", "R")
    assert code == 1 and "no section 'scope'; its sections are: law, cap" in err
    code, _, err = cli("review", "edit", draft_id, "law", "--file", "/nonexistent/cap.txt", "--reviewer", "R")
    assert code == 1 and "cannot read the new text from /nonexistent/cap.txt" in err
