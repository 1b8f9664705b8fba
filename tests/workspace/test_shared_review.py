"""One review queue in the firm workspace, used from two machines (two connections to a real
PostgreSQL server): a preparer's draft reaches the reviewer, and two reviewers acting on the same
draft get exactly one winner, a clear conflict for the other, no lost update and a linear audit
chain."""
from __future__ import annotations

import threading

import pytest

from agents.domain.review_rules import DraftStatus, ReviewAction
from agents.domain.section_review import Resolution, SectionAction
from agents.review.service import ReviewConflict, ReviewService
from agents.runtime.pg_database import connect_workspace
from workflow_drafts import CAP, memo, ready_to_sign, seeded


@pytest.fixture
def machines(workspace_url):
    """The preparer's and the reviewer's Countersign, each with its own connection."""
    dbs = [connect_workspace(workspace_url) for _ in range(2)]
    yield [ReviewService(db) for db in dbs]
    for db in dbs:
        db.close()


def test_a_draft_prepared_on_one_machine_is_reviewed_and_signed_on_another(machines):
    preparer, reviewer = machines
    draft = seeded(preparer, memo(preparer="A. Associate"))
    assert [d.id for d in reviewer.drafts.list("mat_1")] == [draft.id]
    reviewer.add_profile("Dana Whitfield", "DW", "partner")
    ready_to_sign(reviewer, draft.id, "Dana Whitfield")
    seen = reviewer.review(draft.id).revision
    reviewer.sign_off(draft.id, "Dana Whitfield", "partner", "approved", draft_sha(reviewer, draft.id),
                      domain="legal", seen=seen)
    back = preparer.review(draft.id, "A. Associate")
    assert back.draft.status is DraftStatus.SIGNED_OFF and [s.reviewer for s in back.signatures] == ["Dana Whitfield"]
    assert preparer.audit.verify() is None


def race(workspace_url: str, machines: int, act) -> None:
    """`act(n, service)` on `machines` connections of their own, all released at once."""
    dbs = [connect_workspace(workspace_url) for _ in range(machines)]
    start = threading.Barrier(machines)

    def run(n: int, service: ReviewService) -> None:
        start.wait()
        act(n, service)

    try:
        threads = [threading.Thread(target=run, args=(n, ReviewService(db))) for n, db in enumerate(dbs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for db in dbs:
            db.close()


def draft_sha(service: ReviewService, draft_id: str) -> str:
    return service.drafts.get(draft_id).content_sha256


def test_the_second_of_two_reviewers_on_one_revision_gets_a_conflict_naming_the_first(machines):
    first, second = machines
    draft = seeded(first, memo())
    seen_first, seen_second = first.review(draft.id).revision, second.review(draft.id).revision
    assert seen_first == seen_second
    first.section_action(draft.id, "law", SectionAction.APPROVE, "R. Reviewer", seen=seen_first)
    with pytest.raises(ReviewConflict) as info:
        second.section_action(draft.id, "law", SectionAction.REQUEST_CHANGES, "S. Second", "cite the clause",
                              seen=seen_second)
    assert "R. Reviewer approved section 'law'" in str(info.value) and "was not saved" in str(info.value)
    assert "Reload the draft" in str(info.value)
    states = second.sections.states(second.drafts.get(draft.id))
    assert states["law"].status.value == "approved" and not second.sections.comments(draft.id)
    # Reloaded, the second reviewer acts on what is there now.
    second.section_action(draft.id, "cap", SectionAction.APPROVE, "S. Second", seen=second.review(draft.id).revision)


def test_concurrent_edits_of_one_section_lose_nothing(machines, workspace_url):
    draft = seeded(machines[0], memo())
    seen = machines[0].review(draft.id).revision
    outcomes: list[str] = []

    def edit(n: int, service: ReviewService) -> None:
        try:
            service.edit_section(draft.id, "cap", f"Editor {n}", CAP.replace("250,000", f"{200_000 + n:,}"), seen=seen)
            outcomes.append(f"won {n}")
        except ReviewConflict:
            outcomes.append("conflict")

    race(workspace_url, 8, edit)
    winners = [o for o in outcomes if o.startswith("won")]
    assert len(winners) == 1 and outcomes.count("conflict") == 7
    n = int(winners[0].split()[1])
    service = machines[1]
    edits = service.sections.edits(draft.id)
    assert [e.editor for e in edits] == [f"Editor {n}"]  # the winner's edit, and no other, was written
    assert f"{200_000 + n:,}" in service.drafts.get(draft.id).sections[1].body
    entries = service.audit.entries()
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1)) and service.audit.verify() is None


def test_racing_decisions_on_a_draft_have_one_winner_and_a_linear_audit_chain(machines, workspace_url):
    draft = seeded(machines[0], memo())
    ready_to_sign(machines[0], draft.id)
    machines[0].act(draft.id, ReviewAction.REQUEST_CHANGES, "R. Reviewer", "one more look")
    machines[0].act(draft.id, ReviewAction.REVISE, "A. Associate")
    machines[0].act(draft.id, ReviewAction.SUBMIT, "A. Associate")
    seen = machines[0].review(draft.id).revision
    results: list[object] = []

    def decide(n: int, service: ReviewService) -> None:
        action = ReviewAction.APPROVE if n % 2 else ReviewAction.REQUEST_CHANGES
        try:
            results.append(service.act(draft.id, action, f"Reviewer {n}", "see comments", seen=seen).status)
        except ReviewConflict as exc:
            results.append(exc)

    race(workspace_url, 6, decide)
    won = [r for r in results if not isinstance(r, ReviewConflict)]
    assert len(won) == 1 and len(results) == 6
    assert machines[1].drafts.get(draft.id).status is won[0]
    decisions = [e for e in machines[1].audit.entries(draft.id) if e.seq > seen]
    assert len(decisions) == 1 and machines[1].audit.verify() is None


def test_a_flag_resolved_meanwhile_is_not_resolved_again_over_it(machines):
    first, second = machines
    draft = seeded(first, memo())
    seen = second.review(draft.id).revision
    first.resolve_flag(draft.id, "cap", 1, "R. Reviewer", Resolution.ACCEPTED, "checked p. 4", seen=seen)
    with pytest.raises(ReviewConflict, match="R. Reviewer resolved a flag in section 'cap'"):
        second.resolve_flag(draft.id, "cap", 1, "S. Second", Resolution.ACCEPTED, "looks fine", seen=seen)
    assert [r.resolved_by for r in second.sections.resolutions(draft.id)] == ["R. Reviewer"]
