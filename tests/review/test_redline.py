"""The contract review memo's suggested revisions as real tracked changes in the contract: the
XML Word reads, "accept all" and "reject all", what is not redlined, refusals, the audit, and
LibreOffice opening the file as a redline."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import datetime

import pytest

from agents.review.redline import AUTHOR, paragraphs, write_redline
from agents.review.revisions import suggested_revisions
from agents.workproducts.playbooks import bundled_playbook
from tests.review.contract_memo import CONTRACT_PAGES, MATTER, contract_memo, contract_text, open_app, store_contract
from tests.review.redline_docx import change_text, changes, flat, resolved_text
from workflow_drafts import sign_with_policy

FALLBACK = {t.key: t.fallback for t in bundled_playbook().topics}
# The sentences the memo finds deviating, as the contract prints them (wrapped lines joined).
DEVIATING = {
    "term_termination": "Either party may terminate this Agreement on ten (10) days’ written notice if the other "
                        "party materially breaches it.",
    "payment": "Customer shall pay each invoice within ninety (90) days after receipt, in pounds sterling (£) or euro (€).",
    "limitation_of_liability": "In no event shall the Supplier’s aggregate liability under this Agreement exceed "
                               "£5,000 — whatever the claim.",
    "governing_law": "This Agreement is governed by the laws of Scotland, without regard to its conflict of laws "
                     "principles.",
}


@pytest.fixture
def app(data_dir):
    yield from open_app(data_dir)


@pytest.fixture
def memo(app):
    doc = store_contract(app, MATTER)
    return contract_memo(app, MATTER, doc)


def test_each_deviating_clause_is_a_deletion_and_its_fallback_an_insertion_by_countersign(app, memo, tmp_path):
    path, report = app.export_redline(memo.id, tmp_path / "redline.docx")
    assert set(report.placed) == {"Term and termination", "Payment terms", "Limitation of liability", "Governing law"}
    assert report.skipped == ()
    deleted, inserted = changes(path, "del"), changes(path, "ins")
    assert sorted(change_text(d) for d in deleted) == sorted(DEVIATING.values())
    assert sorted(change_text(i) for i in inserted) == sorted(FALLBACK[k] for k in DEVIATING)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    ids = [el.get(f"{w}id") for el in deleted + inserted]
    assert len(set(ids)) == len(ids) == 8
    for el in deleted + inserted:
        assert el.get(f"{w}author") == AUTHOR == "Countersign (suggested)"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", el.get(f"{w}date"))
        datetime.fromisoformat(el.get(f"{w}date").replace("Z", "+00:00"))
    # Deleted text is w:delText inside w:del, never a plain w:t Word would still show as live text.
    assert all(el.find(f".//{w}t") is None and el.find(f".//{w}delText") is not None for el in deleted)


def test_accept_all_gives_the_revised_contract_and_reject_all_the_original(app, memo, tmp_path):
    path, _ = app.export_redline(memo.id, tmp_path / "redline.docx")
    original = flat(contract_text())
    revised = original
    for key, sentence in DEVIATING.items():
        assert sentence in revised
        revised = revised.replace(sentence, FALLBACK[key])
    assert flat(resolved_text(path, accept=False)) == original
    assert flat(resolved_text(path, accept=True)) == revised
    # The clause numbers stay; the clause that meets the standard and the headings are untouched.
    accepted = resolved_text(path, accept=True).splitlines()
    assert f"5.1 {FALLBACK['governing_law']}" in accepted
    assert "4.1 Neither party may assign this Agreement without the prior written consent of the other party." in accepted
    assert "3. LIMITATION OF LIABILITY" in accepted


def test_meets_and_missing_findings_suggest_nothing(memo):
    by_heading = {r.finding: r for r in suggested_revisions(memo)}
    assert "Assignment and change of control" not in by_heading  # meets
    assert "Indemnification" not in by_heading and "Renewal" not in by_heading  # missing: no clause to replace


def test_the_reviewed_wording_is_what_the_redline_proposes(memo, tmp_path):
    # A reviewer who rewrites the suggested revision in the memo changes what the redline inserts.
    sections = tuple(replace(s, body=s.body.replace("[client's jurisdiction]", "England and Wales"))
                     if s.key == "finding_governing_law" else s for s in memo.sections)
    edited = replace(memo, sections=sections)
    wording = {r.finding: r.replacement for r in suggested_revisions(edited)}
    assert wording["Governing law"] == FALLBACK["governing_law"].replace("[client's jurisdiction]", "England and Wales")


def test_redline_export_is_audited_and_verifies_until_a_byte_changes(app, memo, tmp_path):
    path = app.export(memo.id, "redline-docx", tmp_path / "memo-redline.docx", actor="R. Reviewer")
    entry = app.review.audit.entries(memo.id)[-1]
    assert entry.action == "draft.exported" and entry.actor == "R. Reviewer" and '"format": "redline-docx"' in entry.detail
    result = app.verify_export(path)
    assert result.ok and result.format == "redline-docx" and result.draft_id == memo.id and result.version == 1
    assert not result.signed_when_exported
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert not app.verify_export(path).found


def test_the_header_says_whether_the_memo_was_signed(app, memo, tmp_path):
    unsigned, _ = app.export_redline(memo.id, tmp_path / "unsigned.docx")
    sign_with_policy(app, memo.id, "R. Reviewer")
    signed, _ = app.export_redline(memo.id, tmp_path / "signed.docx")
    import docx

    head = [docx.Document(str(p)).sections[0].header.paragraphs[0].text for p in (unsigned, signed)]
    assert head[0].startswith("DRAFT — NOT REVIEWED") and memo.id in head[0]
    assert head[1].startswith(f"Suggested revisions from contract review memo {memo.id} v1, signed off by R. Reviewer")
    assert app.verify_export(signed).signed_by == ("R. Reviewer (partner, approved)",)


def test_refusals_name_the_reason(app, memo, tmp_path):
    with pytest.raises(ValueError, match="made from a contract review memo"):
        app.export_redline(_other_draft(app), tmp_path / "x.docx")
    all_meet = contract_memo(app, MATTER, app.library.document(memo.sections[1].citations[0].document_id), meets=("",))
    with pytest.raises(ValueError, match="suggests no revision"):
        app.export_redline(all_meet.id, tmp_path / "y.docx")
    # The contract re-ingested with other text: the memo's quotes no longer describe it.
    changed = [CONTRACT_PAGES[0], CONTRACT_PAGES[1].replace("Scotland", "Ireland")]
    doc_id = memo.sections[1].citations[0].document_id
    store_contract(app, MATTER, changed, doc_id=doc_id)
    with pytest.raises(ValueError, match="changed since memo .* quoted it"):
        app.export_redline(memo.id, tmp_path / "z.docx")
    app.library.delete_document(doc_id)
    with pytest.raises(LookupError, match="no longer in the library"):
        app.export_redline(memo.id, tmp_path / "z.docx")
    assert not list(tmp_path.glob("*.docx*"))  # nothing half-written, nothing audited
    assert [e.action for e in app.review.audit.entries(memo.id)] == ["draft.created"]


def _other_draft(app) -> str:
    from agents.domain.drafts import Draft, Section
    from agents.domain.review_rules import DraftStatus

    d = Draft("draft_flux", app.library.matter(MATTER).id, "flux-workpaper", "Flux", DraftStatus.DRAFT, 1,
              "2026-01-01T00:00:00Z", "A. Associate", "m", "0" * 64, 0, (Section("s", "S", "Revenue rose."),))
    return app.review.create(d).id


def test_placement_merges_a_split_clause_and_skips_what_it_cannot_place(memo, tmp_path):
    revisions = {r.finding: r for r in suggested_revisions(memo)}
    law = revisions["Governing law"]
    # Two findings quoting one sentence: the second is not placed twice over the first.
    twice = replace(revisions["Limitation of liability"], finding="Liability again")
    # A page whose clause is broken over a heading-like line the paragraph rules split at.
    page = "5.1 This Agreement is governed by the laws of\nSCOTLAND\nwithout regard to its conflict of laws principles."
    split = replace(law, quote="This Agreement is governed by the laws of SCOTLAND without regard to its conflict of "
                               "laws principles.", citation=replace(law.citation, page=3))
    lost = replace(law, finding="Lost", quote="A sentence the contract never had.")
    pages = [(1, CONTRACT_PAGES[0]), (2, CONTRACT_PAGES[1]), (3, page)]
    assert len([p for p in paragraphs(pages) if p.page == 3]) == 3
    report = write_redline(pages, [revisions["Limitation of liability"], twice, split, lost], tmp_path / "r.docx",
                           "header", "2026-12-01T12:00:00Z")
    assert report.placed == ("Limitation of liability", "Governing law")
    assert dict(report.skipped) == {"Liability again": "the same clause is already revised for Limitation of liability",
                                    "Lost": "the quoted clause is not on page 2 of the contract as stored"}
    assert f"5.1 {law.replacement}" in resolved_text(tmp_path / "r.docx", accept=True).splitlines()


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
def test_libreoffice_opens_the_redline_with_its_tracked_changes(app, memo, tmp_path):
    from pypdf import PdfReader

    path, _ = app.export_redline(memo.id, tmp_path / "redline.docx")
    profile = tmp_path / "lo-profile"  # its own profile: no first-run state shared between runs
    for fmt in ("pdf", "odt"):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    text = flat(" ".join(p.extract_text() for p in PdfReader(str(tmp_path / "redline.pdf")).pages))
    # A redline shows both sides of each change: the struck clause and the proposed wording.
    for key, sentence in DEVIATING.items():
        assert flat(sentence) in text and flat(FALLBACK[key]) in text
    assert "4.1 Neither party may assign this Agreement" in text
    content = zipfile.ZipFile(tmp_path / "redline.odt").read("content.xml").decode("utf-8")
    regions = re.findall(r"<text:changed-region.*?</text:changed-region>", content, flags=re.S)
    assert sum("<text:deletion>" in r for r in regions) == 4 and sum("<text:insertion>" in r for r in regions) == 4
    assert all("<dc:creator>Countersign (suggested)</dc:creator>" in r for r in regions)
