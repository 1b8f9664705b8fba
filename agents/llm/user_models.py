"""GGUF files the user added with `countersign models add`, recorded in <data dir>/models.json.

The record keeps the hash and header summary taken when the file was added, so `models list`
is instant and `models check` can tell a file that changed since from one that did not."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from agents.llm.gguf import GGUFInfo
from agents.llm.protocol import ModelUnavailable
from agents.runtime.clock import utc_now

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class AddedModel:
    name: str
    path: str
    sha256: str
    size_bytes: int
    architecture: str
    model_name: str
    context_length: int | None
    quantization: str
    parameter_count: int
    added_at: str


class UserModels:
    def __init__(self, file: Path) -> None:
        self.file = file

    def all(self) -> list[AddedModel]:
        if not self.file.exists():
            return []
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
            if raw.get("schema_version", SCHEMA_VERSION) > SCHEMA_VERSION:
                raise ModelUnavailable(f"{self.file} was written by a newer Countersign")
            names = {f.name for f in fields(AddedModel)}
            return [AddedModel(**{k: v for k, v in m.items() if k in names}) for m in raw["models"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ModelUnavailable(f"{self.file} cannot be read ({exc}); fix or delete it and add the models again") from exc

    def find(self, ref: str) -> AddedModel | None:
        """By name, or by path (any spelling of the same file)."""
        wanted = str(Path(ref).expanduser().resolve()) if ref else ""
        return next((m for m in self.all() if m.name == ref or m.path == wanted), None)

    def add(self, info: GGUFInfo, sha256: str, name: str = "", reserved: tuple[str, ...] = ()) -> AddedModel:
        """Record `info`'s file; adding the same path again refreshes its record and keeps its name."""
        path = str(info.path.expanduser().resolve())
        current = self.all()
        previous = next((m for m in current if m.path == path), None)
        taken = {m.name for m in current if m.path != path} | set(reserved)
        if name and name in taken:
            raise ValueError(f"a model named '{name}' already exists; choose another --name")
        if not name:
            name = previous.name if previous else next(
                n for n in (info.path.stem, *(f"{info.path.stem}-{i}" for i in range(2, len(taken) + 3))) if n not in taken)
        record = AddedModel(name, path, sha256, info.file_size, info.architecture, info.name, info.context_length,
                            info.quantization, info.parameter_count, utc_now())
        self._save([*(m for m in current if m.path != path), record])
        return record

    def _save(self, models: list[AddedModel]) -> None:
        # Write-then-rename: a crash mid-write never leaves a half-written list.
        tmp = self.file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "models": [asdict(m) for m in models]}, indent=2),
                       encoding="utf-8")
        os.replace(tmp, self.file)
