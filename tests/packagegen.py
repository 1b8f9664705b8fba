"""A real draft with cited evidence in a data directory, written through the real stores (no model)."""
import hashlib
import json

from agents.cli.main import main
from agents.domain.drafts import Citation, Draft, DraftFlag, Section, SectionChart, SectionTable
from agents.domain.library import Chunk, Document, DocumentStatus, Page
from agents.domain.review_rules import DraftStatus, ReviewAction
from agents.review.keys import InstallationKey
from agents.review.package_format import canonical, sha256
from agents.services import Countersign

PAGE_1 = "This Agreement is governed by the laws of England and Wales."
PAGE_2 = "Each party's total liability is capped at the fees paid in the twelve months before the claim."
SEEN_ONLY = "Either party may terminate on ninety days' written notice."


def seed_draft(data_dir, actions=()) -> str:
    """A matter with one indexed contract and a draft citing it, written through the real stores."""
    app = Countersign.open(str(data_dir))
    try:
        m = app.create_matter("Northwind")
        content = hashlib.sha256(b"northwind contract").hexdigest()
        doc = Document("doc_nw", m.id, "supply.pdf", str(data_dir / "supply.pdf"), "pdf", content,
                       DocumentStatus.INDEXED, "", 3, 2048, "2026-01-01T00:00:00Z")
        chunks = [Chunk("chk_law", doc.id, m.id, 1, 0, len(PAGE_1), PAGE_1, 14),
                  Chunk("chk_cap", doc.id, m.id, 2, 0, len(PAGE_2), PAGE_2, 18),
                  Chunk("chk_term", doc.id, m.id, 3, 0, len(SEEN_ONLY), SEEN_ONLY, 11)]
        app.library.record_document(doc, [Page(1, PAGE_1), Page(2, PAGE_2), Page(3, SEEN_ONLY)], chunks)
        cite = [Citation(1, "chk_law", doc.id, "supply.pdf", content, 1, 0, len(PAGE_1), "laws of England and Wales"),
                Citation(2, "chk_cap", doc.id, "supply.pdf", content, 2, 0, len(PAGE_2), "capped at the fees paid")]
        sections = (Section("law", "Governing law", "English law governs [1].", (cite[0],)),
                    Section("cap", "Limitation of liability", "Liability is capped at twelve months' fees [2].", (cite[1],),
                            (DraftFlag("check the cap's carve-outs", "warning", "review"),),
                            (SectionTable("Caps", ("Clause", "Cap"), (("14.1", "12 months' fees"),), "code", ""),),
                            (SectionChart("Cap against fees", "iVBORw0KGgo="),)))
        provenance = {"template": {"id": "contract-review", "version": 3},
                      "evidence": [{"section": "law", "chunks": ["chk_law", "chk_term"]}, {"section": "cap", "chunks": ["chk_cap"]}]}
        draft = Draft("draft_nw1", m.id, "contract-review", "Contract review — supply.pdf", DraftStatus.DRAFT, 1,
                      "2026-01-02T00:00:00Z", "A. Preparer", "qwen", "b" * 64, 42, sections, provenance=provenance)
        app.review.create(draft)
        for action in actions:
            app.review.act(draft.id, action, "A. Preparer")
        return draft.id
    finally:
        app.close()


def cli(data_dir, *args) -> int:
    return main(["--data-dir", str(data_dir), *args])


def with_app(data_dir, fn):
    """Open the data directory as the CLI does, run one step, close it again."""
    app = Countersign.open(str(data_dir))
    try:
        return fn(app)
    finally:
        app.close()


def app_export(data_dir, draft_id, out):
    return with_app(data_dir, lambda app: app.export_package(draft_id, out)).path


def nothing_imported(data_dir) -> bool:
    return with_app(data_dir, lambda app: app.drafts() == [] and app.review.audit.entries() == [] and app.matters() == [])


def send_for_review(tmp_path):
    """Preparer's directory, reviewer's (still empty), the review package, the draft id."""
    a, b, pkg = tmp_path / "a", tmp_path / "b", tmp_path / "review.cspkg"
    draft_id = seed_draft(a, [ReviewAction.SUBMIT])
    assert cli(a, "package", "export", draft_id, str(pkg)) == 0
    return a, b, pkg, draft_id


def sign_as_reviewer(data_dir, draft_id, role="partner", meaning="approved") -> None:
    """What the firm's rules ask of a reviewer before signing: a profile, the cap's flag accepted
    with a reason, every section and the draft approved."""
    def sign(app):
        if not any(p.name == "R. Reviewer" for p in app.profiles()):
            app.add_profile("R. Reviewer", "RR", role)
        app.resolve_flag(draft_id, "cap", 0, "R. Reviewer", accept_reason="carve-outs read")
        app.approve_all(draft_id, "R. Reviewer")
        app.sign_off(draft_id, "R. Reviewer", role, meaning)
    with_app(data_dir, sign)


def resign(path, mutate, key: InstallationKey | None = None) -> None:
    """Edit a package the way an informed attacker would: change the content, recompute every
    plain hash, and sign again with a key of their own (or keep the old signature)."""
    envelope = json.loads(path.read_bytes())
    mutate(envelope)
    manifest = envelope["manifest"]
    manifest["payload_sha256"] = sha256(canonical(envelope["payload"]))
    if key is not None:
        manifest["sender_key"], manifest["sender_fingerprint"] = key.public_key_b64, key.fingerprint
        envelope["signature"] = key.sign(canonical(manifest))
    path.write_bytes(canonical(envelope) + b"\n")
