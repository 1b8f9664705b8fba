import json

import pytest

from agents.runtime import settings as s


def test_missing_file_gives_defaults_with_schema_version(tmp_path):
    assert s.load(tmp_path / "settings.json").schema_version == s.SCHEMA_VERSION


def test_update_validates_and_persists(tmp_path):
    path = tmp_path / "settings.json"
    s.update(path, "n_threads", "1")
    assert s.load(path).n_threads == 1
    assert json.loads(path.read_text())["schema_version"] == s.SCHEMA_VERSION


def test_wrong_value_names_the_setting(tmp_path):
    with pytest.raises(s.SettingsError, match="n_threads"):
        s.update(tmp_path / "settings.json", "n_threads", "zero")
    with pytest.raises(s.SettingsError, match="unknown setting 'colour'"):
        s.update(tmp_path / "settings.json", "colour", "red")


def test_corrupt_or_newer_file_is_a_clear_error(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    with pytest.raises(s.SettingsError, match="not readable JSON"):
        s.load(path)
    path.write_text(json.dumps({"schema_version": 99}))
    with pytest.raises(s.SettingsError, match="newer"):
        s.load(path)


def test_unknown_embedder_is_refused_with_the_choices(tmp_path):
    with pytest.raises(s.SettingsError, match="embedder.*'all-MiniLM-L6-v2' or 'all-mpnet-base-v2'"):
        s.update(tmp_path / "settings.json", "embedder", "bert-base")
    assert s.update(tmp_path / "settings.json", "embedder", "all-mpnet-base-v2").embedder == "all-mpnet-base-v2"
    assert s.load(tmp_path / "settings.json").embedder == "all-mpnet-base-v2"


def test_an_older_file_is_saved_at_the_current_schema(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": 1, "n_threads": 1}))
    s.update(path, "embedder", "all-mpnet-base-v2")
    assert json.loads(path.read_text())["schema_version"] == s.SCHEMA_VERSION
