"""What the Countersign facade offers for the model and the settings file: the loaded model,
the catalogue of models, choosing or adding one, and changing a setting while the app runs."""
from __future__ import annotations

import os
from pathlib import Path

from agents.llm import model_check, registry
from agents.llm.http_backend import HttpModel
from agents.llm.protocol import GenerationParams
from agents.llm.registry import ModelEntry
from agents.llm.user_models import AddedModel, UserModels
from agents.runtime import settings as settings_mod
from agents.runtime.paths import data_dir_source
from agents.runtime.settings import Settings

# Settings the loaded model was built with: changing one drops it, so the next use reloads.
MODEL_KEY_ENV = "COUNTERSIGN_MODEL_SERVER_KEY"  # the model server's API key: never in a file
MODEL_KEYS = frozenset({"model_path", "model_server_url", "model_server_model", "n_threads", "n_ctx", "n_batch",
                        "n_gpu_layers", "allowed_model_sha256"})


class ModelFacade:
    """Needs `self.paths`, `self.settings`, `self.firm`, `self._model` and `self._model_lock` from Countersign."""

    def model(self):
        with self._model_lock:
            if self._model is None and self.settings.model_server_url:
                self._model = HttpModel(self.settings.model_server_url, self.settings.model_server_model,
                                        os.environ.get(MODEL_KEY_ENV, ""), self.settings.n_ctx)
            if self._model is None:
                choice = registry.resolve(self.settings.model_path, self.paths.models)
                self._model = registry.load_with(choice, self.settings)
            return self._model

    def params(self) -> GenerationParams:
        s = self.settings
        return GenerationParams(s.max_tokens, s.temperature, s.seed)

    def change_setting(self, key: str, value: str) -> Settings:
        """Validate and save one setting (a SettingsError names the key and why), then use it."""
        settings_mod.update(self.paths.settings, key, value)
        return self.reload_settings()

    def reload_settings(self) -> Settings:
        """Re-read the settings file. A model built with other settings is dropped, so the next
        question or draft loads it again; a generation already running keeps its own reference
        and finishes with the old one. The embedder is read once per opening (a change re-embeds)."""
        new = self.firm.governed(settings_mod.load(self.paths.settings))
        with self._model_lock:
            old, self.settings = self.settings, new
            if any(getattr(old, k) != getattr(new, k) for k in MODEL_KEYS):
                self._model = None
        return new

    def release_model(self) -> None:
        """Free a local model's weights and context; for closing, once no generation runs."""
        with self._model_lock:
            model, self._model = self._model, None
        if model is not None and hasattr(model, "close"):  # a model server's client holds nothing
            model.close()

    def model_loaded(self) -> bool:
        return self._model is not None

    # -- the model registry -----------------------------------------------------------------
    def _user_models(self) -> UserModels:
        return UserModels(self.paths.root / "models.json")

    def model_catalogue(self) -> list[ModelEntry]:
        """Bundled, optional and added models, as `countersign models list` shows them."""
        return registry.catalogue(self.paths.models, self._user_models(), self.settings.model_path)

    def use_model(self, name: str) -> Settings:
        """Switch to a model from the catalogue, checked first as `countersign models use` does."""
        value, _, _ = registry.setting_for(name, self.paths.models, self._user_models(), self.settings.allowed_model_sha256)
        return self.change_setting("model_path", value)

    def add_model(self, path: Path, name: str = "") -> AddedModel:
        """Validate and record a firm-supplied GGUF (hashes the whole file: run it off the UI thread)."""
        return model_check.add_model(Path(path), name, self._user_models(), self.settings)[0]

    def data_dir_source(self) -> str:
        return data_dir_source(self.paths)
