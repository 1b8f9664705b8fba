"""SIGKILL a real Countersign process at random points of ingestion, drafting (the default model
writing a work product) and sign-off, a few times each (benchmarks/crashes.py runs 100 per
phase): on every reopen SQLite is sound, the keyword index and the vectors match the chunks of
each matter, nothing is duplicated, nothing the killed process reported committed is lost, the
audit chain verifies up to the last entry it reported, and a run left to finish completes."""
import pytest

import kill_driver

pytestmark = pytest.mark.integration

KILLS = 5


@pytest.mark.parametrize("phase", ["ingest", "draft", "signoff"])
def test_every_store_is_whole_after_sigkills_at_random_points(phase, tmp_path):
    report = kill_driver.run_phase(phase, tmp_path, KILLS, seed=sum(map(ord, phase)))
    assert report["problems"] == 0, report["problem_examples"]
    assert report["runs"] == KILLS + 3 and report["sigkills"] >= 1
    assert report["commits_reported"] > 0 and report["stray_workers"] == 0
    # At least one kill landed after the child had committed something and before it was done,
    # so the checks above were made against work cut off part-way (else they would prove little).
    assert report["killed_after_a_commit"] > 0
