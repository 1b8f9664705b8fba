"""Lookup of data files shipped in resources/ (work products, playbooks, prompts, samples)."""
from __future__ import annotations

import sys
from pathlib import Path


def resources_root() -> Path:
    # A frozen bundle unpacks resources next to the executable; a checkout has them at the top.
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    path = resources_root().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"resource missing: {path}")
    return path


def prompt(name: str) -> str:
    return resource("prompts", f"{name}.txt").read_text(encoding="utf-8")


def sample_files() -> list[Path]:
    return sorted(p for p in resource("samples", "matter").iterdir() if p.is_file())
