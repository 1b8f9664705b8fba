"""The model settings: GPU layers, batch size and the firm's allow-list of SHA-256 hashes."""
from __future__ import annotations

import pytest

from agents.runtime.settings import Settings, SettingsError, load, update

H1, H2 = "1d" * 32, "ab" * 32


def test_defaults_load_everything_onto_the_cpu_and_allow_every_model(tmp_path):
    s = load(tmp_path / "settings.json")
    assert (s.n_gpu_layers, s.n_batch, s.allowed_model_sha256) == (0, 512, [])


def test_values_are_checked_with_the_settings_name(tmp_path):
    path = tmp_path / "settings.json"
    assert update(path, "n_gpu_layers", "-1").n_gpu_layers == -1  # llama.cpp's "all layers"
    assert update(path, "n_batch", "256").n_batch == 256
    for key, bad in (("n_gpu_layers", "-2"), ("n_batch", "0"), ("n_batch", "many")):
        with pytest.raises(SettingsError, match=f"setting '{key}'"):
            update(path, key, bad)


def test_the_allow_list_takes_hashes_separated_by_commas_or_spaces(tmp_path):
    path = tmp_path / "settings.json"
    assert update(path, "allowed_model_sha256", f"{H1.upper()}, {H2}").allowed_model_sha256 == [H1, H2]
    assert load(path).allowed_model_sha256 == [H1, H2]  # saved as a JSON list
    assert update(path, "allowed_model_sha256", "").allowed_model_sha256 == []
    with pytest.raises(SettingsError, match="'abc' is not a SHA-256 hash"):
        update(path, "allowed_model_sha256", f"{H1} abc")
    with pytest.raises(ValueError, match="not a SHA-256 hash"):
        Settings(allowed_model_sha256=["g" * 64])
