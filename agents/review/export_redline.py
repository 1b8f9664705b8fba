"""The redline export of a contract review memo: which contract, whether it is still the text
the memo quoted, what the header says about the memo's sign-off, and the refusal reasons."""
from __future__ import annotations

from pathlib import Path

from agents.domain.drafts import Draft
from agents.domain.library import Document
from agents.review.certificate import DRAFT_MARK, signatures
from agents.review.redline import RedlineReport, write_redline
from agents.review.revisions import suggested_revisions


def memo_contract(draft: Draft) -> str:
    """The document id of the one contract whose clauses the memo's revisions replace."""
    wanted = suggested_revisions(draft)
    if not wanted:
        raise ValueError(f"draft {draft.id} suggests no revision: no finding deviates from the playbook with "
                         "fallback wording, so there is nothing to redline")
    docs = {r.citation.document_id for r in wanted}
    if len(docs) > 1:
        raise ValueError(f"draft {draft.id} quotes clauses from {len(docs)} documents; a redline is of one contract")
    return docs.pop()


def header(draft: Draft) -> str:
    signed = signatures(draft)
    if signed:
        by = ", ".join(f"{s.reviewer} ({s.role}, {s.meaning}, {s.signed_at})" for s in signed)
        return f"Suggested revisions from contract review memo {draft.id} v{draft.version}, signed off by {by}"
    return f"{DRAFT_MARK} — suggested revisions from memo {draft.id} v{draft.version}, not signed off"


def redline_memo(draft: Draft, contract: Document, pages: list[tuple[int, str]], path: Path, when: str) -> RedlineReport:
    wanted = suggested_revisions(draft)
    cited = wanted[0].citation if wanted else None
    if cited is None or cited.document_id != contract.id:
        raise ValueError(f"{contract.filename} is not the contract memo {draft.id} reviewed")
    # Offsets and quotes are of the text the memo read; a re-ingested changed file has other text.
    if contract.content_hash != cited.content_hash:
        raise ValueError(f"{contract.filename} changed since memo {draft.id} quoted it; "
                         "run the review again before redlining the new version")
    report = write_redline(pages, wanted, path, header(draft), when)
    if not report.placed:
        raise ValueError("no suggested revision could be placed in the contract: "
                         + "; ".join(f"{finding}: {why}" for finding, why in report.skipped))
    return report
