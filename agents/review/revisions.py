"""The revisions a contract review memo suggests: for each finding whose clause deviates from
the firm's standard and whose playbook has fallback wording, the quoted clause sentence and
the wording proposed in its place. Read from the memo as reviewed, so a reviewer's edit of
the suggested wording is what the redline proposes."""
from __future__ import annotations

import re
from dataclasses import dataclass

from agents.domain.drafts import Citation, Draft, Section

CONTRACT_REVIEW = "contract-review"
_POSITION = re.compile(r"Position: \*\*(\w+)\*\*")
_FALLBACK = "Suggested revision (playbook fallback): "


@dataclass(frozen=True)
class SuggestedRevision:
    finding: str  # the memo section's heading, e.g. "Governing law"
    citation: Citation  # where the quoted clause is: document, version, page, span
    quote: str
    replacement: str


def position(section: Section) -> str:
    found = _POSITION.search(section.body)
    return found.group(1) if found else ""


def fallback(section: Section) -> str:
    for para in section.body.split("\n\n"):
        if para.startswith(_FALLBACK):
            return " ".join(para[len(_FALLBACK):].split())
    return ""


def _clause(section: Section) -> Citation | None:
    # The clause finding quotes its sentence as citation [1]; prose citations carry no quote.
    quoted = [c for c in section.citations if c.quote.strip()]
    return next((c for c in quoted if c.number == 1), quoted[0] if quoted else None)


def suggested_revisions(draft: Draft) -> list[SuggestedRevision]:
    if draft.work_product != CONTRACT_REVIEW:
        raise ValueError(f"a redline is made from a contract review memo ({CONTRACT_REVIEW}); "
                         f"draft {draft.id} is a {draft.work_product}")
    out = []
    for s in draft.sections:
        clause, wording = _clause(s), fallback(s)
        if position(s) == "deviates" and clause is not None and wording:
            out.append(SuggestedRevision(s.heading, clause, " ".join(clause.quote.split()), wording))
    return out
