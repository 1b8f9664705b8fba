"""Changing settings while the app runs: the model is dropped only when its own settings change,
bad values are refused with the key's name, and models are chosen from the catalogue."""
from __future__ import annotations

import json

import pytest

from agents.llm.model_files import DEFAULT_MODEL
from agents.llm.protocol import ModelUnavailable
from agents.runtime.settings import SettingsError
from agents.services import Countersign
from ggufgen import write_gguf


@pytest.fixture
def core(data_dir):
    c = Countersign.open(str(data_dir))
    yield c
    c.close()


def test_a_model_setting_drops_the_loaded_model_and_others_keep_it(core, data_dir):
    loaded = object()
    core._model = loaded  # what model() would have built; no need to load llama.cpp for this
    assert core.change_setting("max_tokens", "64").max_tokens == 64
    assert core.model_loaded() and core._model is loaded and core.params().max_tokens == 64
    core.change_setting("n_threads", "1")
    assert not core.model_loaded() and core.settings.n_threads == 1
    assert json.loads((data_dir / "settings.json").read_text())["n_threads"] == 1


def test_a_bad_value_names_the_setting_and_changes_nothing(core, data_dir):
    core._model = loaded = object()
    with pytest.raises(SettingsError, match="setting 'n_ctx'"):
        core.change_setting("n_ctx", "12")
    with pytest.raises(SettingsError, match="model_server_url"):
        core.change_setting("model_server_url", "gpu-box:8080")
    assert core.settings.n_ctx == 4096 and core._model is loaded
    assert not (data_dir / "settings.json").exists()


def test_reload_settings_reads_a_change_made_by_the_cli(core, data_dir):
    core._model = object()
    (data_dir / "settings.json").write_text(json.dumps({"model_server_url": "http://127.0.0.1:9"}), encoding="utf-8")
    assert core.reload_settings().model_server_url == "http://127.0.0.1:9"
    assert not core.model_loaded()


def test_models_are_listed_added_and_chosen(core, tmp_path):
    names = [e.name for e in core.model_catalogue()]
    assert names[0] == DEFAULT_MODEL.id
    added = core.add_model(write_gguf(tmp_path / "firm-model.gguf"))
    assert added.name == "firm-model"
    entry = next(e for e in core.model_catalogue() if e.name == "firm-model")
    assert (entry.kind, entry.status, entry.active) == ("added", "installed", False)
    core._model = object()
    assert core.use_model("firm-model").model_path == added.path
    assert not core.model_loaded()
    assert next(e for e in core.model_catalogue() if e.name == "firm-model").active
    with pytest.raises(ModelUnavailable, match="no model named 'nope'"):
        core.use_model("nope")
    assert core.use_model(DEFAULT_MODEL.id).model_path == ""


def test_the_data_directory_says_where_it_came_from(core, monkeypatch):
    assert core.data_dir_source() == "--data-dir"
    monkeypatch.setenv("COUNTERSIGN_DATA_DIR", str(core.paths.root))
    assert core.data_dir_source() == "$COUNTERSIGN_DATA_DIR"


CLOSE = """
import sys
from agents.services import Countersign
core = Countersign.open(sys.argv[1])
model = core.model()
core.close()
print(model._llm._model.model is None, core.model_loaded())
"""


def test_closing_frees_the_local_model_before_the_interpreter_exits(shared_models_dir, data_dir):
    # Left to the exit, llama-cpp-python's finaliser runs after its module is torn down and
    # prints "Exception ignored in: <function Llama.__del__ ...> TypeError" on every close.
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", CLOSE, str(data_dir)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "False"]
    assert "Exception ignored" not in run.stderr and "Traceback" not in run.stderr, run.stderr
