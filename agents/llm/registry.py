"""Which model to load: the bundled default (hash enforced) or a GGUF file the firm supplies."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agents.llm.model_files import DEFAULT_MODEL, assemble, cached_sha256, check_gguf
from agents.llm.protocol import ModelUnavailable


@dataclass(frozen=True)
class ModelChoice:
    id: str
    path: Path
    sha256: str
    bundled: bool
    source: str


def resolve(model_path: str, models_dir: Path) -> ModelChoice:
    if model_path:
        path = Path(model_path).expanduser()
        check_gguf(path)
        return ModelChoice(path.stem, path.resolve(), cached_sha256(path), False, "file chosen in settings")
    path = assemble(DEFAULT_MODEL, models_dir)
    return ModelChoice(DEFAULT_MODEL.id, path, DEFAULT_MODEL.sha256, True, DEFAULT_MODEL.source)


def load(choice: ModelChoice, n_ctx: int, n_threads: int):
    from agents.llm.llama_backend import LlamaModel

    if not choice.path.exists():
        raise ModelUnavailable(f"model file not found: {choice.path}")
    return LlamaModel(choice.path, choice.id, choice.sha256, n_ctx, n_threads)
