"""Drafts for review tests, built in code: two sections, the second with two verifier flags."""
from __future__ import annotations

from agents.domain.drafts import Citation, Draft, DraftFlag, Section
from agents.domain.review_rules import DraftStatus, ReviewAction
from agents.domain.section_review import Resolution, SectionAction
from agents.review.service import ReviewService

LAW = "The agreement is governed by English law [1]."
CAP = "Liability is capped at 250,000 in any year [2]."


def memo(draft_id: str = "draft_1", preparer: str = "A. Associate", work_product: str = "contract-review") -> Draft:
    cite = Citation(1, "doc:0", "doc", "supply.pdf", "h" * 64, 2, 10, 50, "governed by English law")
    flags = (DraftFlag("250,000 appears in no source", "error", "unsupported_number", CAP.index("250,000"),
                       CAP.index("250,000") + len("250,000")),
             DraftFlag("citation [2] quotes text not on the cited page", "warning", "quote_not_on_page"))
    sections = (Section("law", "Governing law", LAW, (cite,)), Section("cap", "Limitation of liability", CAP, (), flags))
    return Draft(draft_id, "mat_1", work_product, "Contract review memo", DraftStatus.DRAFT, 1, "2026-01-01T00:00:00Z",
                 preparer, "model", "0" * 64, 42, sections, provenance={"template": {"id": work_product}})


def seeded(service: ReviewService, draft: Draft | None = None) -> Draft:
    if not service._db.execute("SELECT 1 FROM matters WHERE id = 'mat_1'"):
        service._db.execute("INSERT INTO matters VALUES ('mat_1', 'M', 'now')")
    return service.create(draft or memo())


def ready_to_sign(service: ReviewService, draft_id: str, reviewer: str = "R. Reviewer") -> None:
    """The preparer corrects the flagged figure; the reviewer settles both flags, approves both
    sections and the draft."""
    service.edit_section(draft_id, "cap", "A. Associate", CAP.replace("250,000", "200,000"))
    service.resolve_flag(draft_id, "cap", 0, reviewer, Resolution.FIXED)
    service.resolve_flag(draft_id, "cap", 1, reviewer, Resolution.ACCEPTED, "quote checked against p. 4 by hand")
    for key in ("law", "cap"):
        service.section_action(draft_id, key, SectionAction.APPROVE, reviewer)
    service.act(draft_id, ReviewAction.APPROVE, reviewer)


def sign_with_policy(app, draft_id: str, reviewer: str, role: str = "partner", meaning: str = "approved") -> Draft:
    """Through the facade, what a reviewer does before signing under the default policy: a
    profile, every flag settled (accepted, with the reason), every section and the draft approved."""
    if reviewer not in {p.name for p in app.profiles()}:
        app.add_profile(reviewer, "".join(w[0] for w in reviewer.replace(".", " ").split()), role)
    for section in app.get_draft(draft_id).sections:
        for index, _ in enumerate(section.flags):
            app.resolve_flag(draft_id, section.key, index, reviewer, accept_reason="checked against the source by hand")
    app.approve_all(draft_id, reviewer)
    return app.sign_off(draft_id, reviewer, role, meaning)
