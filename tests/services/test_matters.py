"""Renaming and archiving a matter: drafts and documents follow it by id, nothing is deleted,
and each change is in the audit chain."""
from __future__ import annotations

import pytest

from agents.services import Countersign


@pytest.fixture
def core(data_dir):
    c = Countersign.open(str(data_dir))
    yield c
    c.close()


def test_rename_keeps_documents_and_is_audited(core, tmp_path):
    core.create_matter("Acme")
    core.create_matter("Birch")
    (tmp_path / "x.xyz").write_text("not a format Countersign reads")
    list(core.ingest("Acme", [tmp_path / "x.xyz"]))  # an unsupported file is recorded without any parsing
    before = core.library.matter("Acme").id
    renamed = core.rename_matter("Acme", "  Acme Ltd — FY24 audit ")
    assert (renamed.id, renamed.name) == (before, "Acme Ltd — FY24 audit")
    assert [d.filename for d in core.documents("Acme Ltd — FY24 audit")] == ["x.xyz"]
    with pytest.raises(ValueError, match="'Birch' already exists"):
        core.rename_matter("Acme Ltd — FY24 audit", "Birch")
    with pytest.raises(ValueError, match="needs a name"):
        core.rename_matter("Birch", " ")
    with pytest.raises(LookupError):
        core.rename_matter("Acme", "Other")
    entry = core.review.audit.entries()[-1]
    assert (entry.action, entry.subject) == ("matter.renamed", before)
    assert core.verify_audit() is None


def test_archived_matters_are_hidden_only_when_asked(core):
    for name in ("Acme", "Birch"):
        core.create_matter(name)
    core.archive_matter("Acme", actor="M. Vale")
    assert core.is_archived("Acme") and not core.is_archived("Birch")
    assert [m.name for m in core.matters(include_archived=False)] == ["Birch"]
    assert [m.name for m in core.matters()] == ["Acme", "Birch"]  # the CLI still lists every matter
    core.archive_matter("Acme", archived=False)
    assert [m.name for m in core.matters(include_archived=False)] == ["Acme", "Birch"]
    assert [e.action for e in core.review.audit.entries()] == ["matter.archived", "matter.restored"]
    assert core.review.audit.entries()[0].actor == "M. Vale"


def test_a_seed_cut_short_is_pending_until_every_sample_is_indexed(core):
    from agents.runtime.resources import sample_files
    from agents.services import SAMPLE_MATTER

    assert core.sample_pending()  # a fresh data directory
    core.create_matter(SAMPLE_MATTER)
    list(core.ingest(SAMPLE_MATTER, sample_files()[:1]))  # the app closed after the first file
    assert core.sample_pending()
    list(core.ensure_sample_matter())
    assert not core.sample_pending()
    assert {d.filename for d in core.documents(SAMPLE_MATTER)} == {p.name for p in sample_files()}


def test_a_firm_that_removed_the_sample_is_not_seeded_again(core):
    from agents.services import SAMPLE_MATTER

    core.create_matter("Acme")
    assert not core.sample_pending()
    core.create_matter(SAMPLE_MATTER)
    core.archive_matter(SAMPLE_MATTER)
    assert not core.sample_pending()
