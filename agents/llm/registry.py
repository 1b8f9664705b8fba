"""Which models there are and which one to load: the bundled ones (hash enforced) and the GGUF
files the user added, each validated as untrusted input and checked against the firm's
allow-list before llama.cpp opens it."""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from pathlib import Path

from agents.llm.gguf import GGUFError, GGUFInfo, read_gguf
from agents.llm.model_files import BUNDLED, DEFAULT_MODEL, BundledModel, assemble, cached_sha256, parts_installed
from agents.llm.protocol import ModelUnavailable
from agents.llm.ram import check_memory
from agents.llm.user_models import UserModels

log = logging.getLogger("countersign.llm")


@dataclass(frozen=True)
class ModelChoice:
    id: str
    path: Path
    sha256: str
    bundled: bool
    source: str


@dataclass(frozen=True)
class ModelEntry:
    """One line of `countersign models list`."""
    name: str
    kind: str  # "bundled" | "optional" | "added" | "settings"
    status: str  # "installed" | "available" (assembled on first use) | "not installed" | "missing" | "invalid"
    active: bool
    path: str = ""
    size_bytes: int = 0
    architecture: str = ""
    context_length: int | None = None
    quantization: str = ""
    note: str = ""


def bundled(ref: str) -> BundledModel | None:
    return DEFAULT_MODEL if ref == "" else next((b for b in BUNDLED if b.id == ref), None)


def resolve(model_path: str, models_dir: Path) -> ModelChoice:
    """`model_path` is a setting: empty for the default, a bundled model's id, or a GGUF path."""
    entry = bundled(model_path)
    if entry is not None:
        if not parts_installed(entry) and not (models_dir / entry.filename).exists():
            raise ModelUnavailable(f"{entry.id} is {entry.install_hint}")
        return ModelChoice(entry.id, assemble(entry, models_dir), entry.sha256, True, entry.source)
    path = Path(model_path).expanduser()
    read_gguf(path)  # before hashing: a folder or a PDF gets its real reason, not a read error
    return ModelChoice(path.stem, path.resolve(), cached_sha256(path), False, "file chosen in settings")


def setting_for(ref: str, models_dir: Path, user: UserModels, allowed: list[str] | tuple[str, ...]) -> tuple[str, str, str]:
    """The `model_path` value that selects model `ref` (a bundled id or an added model's name),
    with its name and SHA-256; checked first, so the setting never names a model that will not load."""
    entry = bundled(ref)
    if entry is not None:
        if not parts_installed(entry) and not (models_dir / entry.filename).exists():
            raise ModelUnavailable(f"{entry.id} is {entry.install_hint}")
        value, name, sha = ("" if entry is DEFAULT_MODEL else entry.id), entry.id, entry.sha256
    else:
        added = user.find(ref)
        if added is None:
            raise ModelUnavailable(f"no model named '{ref}'; `countersign models list` shows the names, "
                                   "`countersign models add PATH` adds a file")
        path = Path(added.path)
        read_gguf(path)
        value, name, sha = added.path, added.name, cached_sha256(path)
        if sha != added.sha256:
            raise ModelUnavailable(f"{path} changed since it was added (SHA-256 {sha}, recorded {added.sha256}); "
                                   "run `countersign models add` on it again if the change is intended")
    check_allowed(sha, allowed, name)
    return value, name, sha


def check_allowed(sha256: str, allowed: list[str] | tuple[str, ...], name: str) -> None:
    if allowed and sha256 not in allowed:
        raise ModelUnavailable(
            f"{name} (SHA-256 {sha256}) is not on this firm's model allow-list (setting allowed_model_sha256); "
            "ask IT to add its hash, or choose an allowed model with `countersign models use`")


def load(choice: ModelChoice, n_ctx: int, n_threads: int, *, n_gpu_layers: int = 0, n_batch: int = 512,
         allowed_sha256: list[str] | tuple[str, ...] = ()):
    """Validate, enforce the allow-list and the memory limit, then open with llama.cpp. Every
    refusal is a ModelUnavailable with a reason, raised before llama.cpp reads the file."""
    from agents.llm.llama_backend import LlamaModel

    info = read_gguf(choice.path)
    check_allowed(choice.sha256, allowed_sha256, choice.path.name)
    memory = check_memory(info, n_ctx)
    if memory.warning:
        log.warning("%s", memory.warning)
    return LlamaModel(choice.path, choice.id, choice.sha256, n_ctx, n_threads, n_gpu_layers=n_gpu_layers,
                      n_batch=n_batch, info=info)


def load_with(choice: ModelChoice, settings, n_ctx: int | None = None):
    """`load` with every option from the user's settings (agents.runtime.settings.Settings)."""
    return load(choice, n_ctx or settings.n_ctx, settings.n_threads, n_gpu_layers=settings.n_gpu_layers,
                n_batch=settings.n_batch, allowed_sha256=settings.allowed_model_sha256)


def bundled_header(entry: BundledModel, models_dir: Path) -> GGUFInfo | None:
    """The header of a bundled model, from its assembled file or else from its first part (the
    header sits at the start of part 1), so listing never assembles anything."""
    target = models_dir / entry.filename
    if target.exists() and target.stat().st_size == entry.size:
        return read_gguf(target)
    if not parts_installed(entry):
        return None
    first = Path(importlib.import_module(entry.part_modules[0]).get_part_path())
    return read_gguf(first, file_size=entry.size)


def is_active(model_path: str, ref: str) -> bool:
    if bundled(model_path) is not None:
        return bundled(model_path).id == ref
    return bool(model_path) and str(Path(model_path).expanduser().resolve()) == ref


def catalogue(models_dir: Path, user: UserModels, model_path: str) -> list[ModelEntry]:
    entries = []
    for entry in BUNDLED:
        kind = "bundled" if entry is DEFAULT_MODEL else "optional"
        try:
            info = bundled_header(entry, models_dir)
        except GGUFError as exc:
            entries.append(ModelEntry(entry.id, kind, "invalid", is_active(model_path, entry.id), note=str(exc)))
            continue
        if info is None:
            entries.append(ModelEntry(entry.id, kind, "not installed", is_active(model_path, entry.id),
                                      size_bytes=entry.size, note=entry.install_hint))
            continue
        assembled = info.path == models_dir / entry.filename
        entries.append(ModelEntry(entry.id, kind, "installed" if assembled else "available", is_active(model_path, entry.id),
                                  str(models_dir / entry.filename), entry.size, info.architecture, info.context_length,
                                  info.quantization, "" if assembled else "assembled from its packages on first use"))
    added = user.all()
    for m in added:
        present = Path(m.path).is_file()
        entries.append(ModelEntry(m.name, "added", "installed" if present else "missing", is_active(model_path, m.path),
                                  m.path, m.size_bytes, m.architecture, m.context_length, m.quantization,
                                  "" if present else "the file is no longer there"))
    if bundled(model_path) is None and not any(is_active(model_path, m.path) for m in added):
        path = Path(model_path).expanduser()
        entries.append(ModelEntry(path.stem, "settings", "installed" if path.is_file() else "missing", True, str(path),
                                  note="set in settings; `countersign models add` records it"))
    return entries
