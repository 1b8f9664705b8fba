"""The per-section review a package carries (section states, edits, comments, flag resolutions),
checked against the audit entries it travels with before it replaces the local records. The
signature proves who sent the records; these checks prove each one has the entry that made it,
and that edited content grew from the content the other side holds by recorded edits only."""
from __future__ import annotations

import hashlib
from dataclasses import replace

from agents.domain.audit import AuditEntry
from agents.domain.drafts import Draft
from agents.domain.review_rules import DraftStatus, IllegalTransition
from agents.domain.section_review import ReviewRecords, SectionAction, SectionStatus, section_transition
from agents.review.package_checks import detail
from agents.review.package_format import PackageTampered

_SECTION_ACTIONS = {"section.approved": SectionAction.APPROVE, "section.changes_requested": SectionAction.REQUEST_CHANGES,
                    "section.edited": SectionAction.EDIT}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def made_detail(e: AuditEntry) -> dict:
    """The entry's detail as it was made: an entry copied from a reply holds the reviewer's
    original under "detail", beside where it came from."""
    d = detail(e)
    if isinstance(d.get("origin"), dict) and isinstance(d.get("detail"), dict):
        return d["detail"]
    return d


def _bodiless(d: Draft) -> Draft:
    # Only the bodies may change between two installations' copies; the status and sign-offs
    # are checked against the workflow elsewhere.
    return replace(d, sections=tuple(replace(s, body="") for s in d.sections), status=DraftStatus.DRAFT, signoffs=())


def check_edited_content(before: Draft, after: Draft, entries: list[AuditEntry], whose: str) -> None:
    """`after` may differ from `before` only in section bodies, each changed by a chain of
    recorded edits from the old body to the new one."""
    if after.content_sha256 == before.content_sha256:
        return
    if _bodiless(after) != _bodiless(before):
        raise PackageTampered(f"{whose} copy of the draft differs from this one beyond edited section text")
    edits = [made_detail(e) for e in entries if e.action == "section.edited"]
    old = {s.key: s.body for s in before.sections}
    for s in after.sections:
        if s.body == old[s.key]:
            continue
        chain = [(d.get("before_sha256"), d.get("after_sha256")) for d in edits if d.get("section") == s.key]
        starts = [i for i, (b, _) in enumerate(chain) if b == _sha(old[s.key])]
        linked = starts and all(chain[i][1] == chain[i + 1][0] for i in range(starts[-1], len(chain) - 1))
        if not linked or chain[-1][1] != _sha(s.body):
            raise PackageTampered(f"section '{s.key}' in {whose} copy was changed without a recorded edit")


def check_records(records: ReviewRecords, draft: Draft, entries: list[AuditEntry], whose: str) -> None:
    """Every edit, comment and resolution has the audit entry that made it, and each section's
    status is where its entries lead."""
    made = [(e.actor, e.action, made_detail(e)) for e in entries]
    edited = {(a, d.get("section"), d.get("before_sha256"), d.get("after_sha256")) for a, act, d in made
              if act == "section.edited"}
    for e in records.edits:
        if (e.editor, e.section_key, _sha(e.before), _sha(e.after)) not in edited:
            raise PackageTampered(f"{whose} edit of section '{e.section_key}' by {e.editor} has no audit entry")
    said = {(a, d.get("section"), d.get("text_sha256")) for a, act, d in made if act == "section.commented"}
    said |= {(a, d.get("section"), _sha(d.get("note") or "")) for a, act, d in made if act in _SECTION_ACTIONS}
    for c in records.comments:
        if (c.author, c.section_key, _sha(c.text)) not in said:
            raise PackageTampered(f"{whose} comment on section '{c.section_key}' by {c.author} has no audit entry")
    resolved = {(a, d.get("section"), d.get("flag"), d.get("resolution"), d.get("reason")) for a, act, d in made
                if act == "flag.resolved"}
    for r in records.resolutions:
        if (r.resolved_by, r.section_key, r.flag_index, r.resolution.value, r.reason) not in resolved:
            raise PackageTampered(f"{whose} resolution of flag {r.flag_index} in section '{r.section_key}' has no audit entry")
    expected = _replayed_statuses(draft, made)
    states = {s.key: s.status for s in records.states}
    if set(states) != set(expected):
        raise PackageTampered(f"{whose} section review does not cover the draft's sections")
    for key, status in expected.items():
        if states[key] is not status:
            raise PackageTampered(f"{whose} section '{key}' is {states[key].value}, its audit entries lead to {status.value}")


def _replayed_statuses(draft: Draft, made: list[tuple[str, str, dict]]) -> dict[str, SectionStatus]:
    status = {s.key: SectionStatus.PENDING for s in draft.sections}
    for _, action, d in made:
        step, key = _SECTION_ACTIONS.get(action), d.get("section")
        if step is None or key not in status:
            continue
        try:
            status[key] = section_transition(status[key], step)
        except IllegalTransition as exc:
            raise PackageTampered(f"the audit entries break the section workflow at '{key}': {exc}") from None
    return status
