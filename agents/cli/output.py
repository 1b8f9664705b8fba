"""Printing results: one JSON object on stdout with --json, plain text otherwise."""
from __future__ import annotations

import dataclasses
import enum
import json
import sys
from pathlib import Path
from typing import Any


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return value


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(plain(obj), ensure_ascii=False, indent=2) + "\n")


def emit_json_line(obj: Any) -> None:
    """One compact JSON object per line, flushed, for a stream a script reads as it comes."""
    sys.stdout.write(json.dumps(plain(obj), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def err(message: str) -> None:
    sys.stderr.write(f"countersign: {message}\n")
