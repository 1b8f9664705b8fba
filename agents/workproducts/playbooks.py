"""Loading and validating playbooks (TOML data files in resources/playbooks)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from agents.runtime.resources import resource


class PlaybookError(ValueError):
    pass


class Topic(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    heading: str
    query: str
    keywords: list[str] = Field(min_length=1)
    standard: str


class Playbook(BaseModel):
    id: str
    title: str
    version: str
    topics: list[Topic] = Field(min_length=1)


def load_playbook(path: Path) -> Playbook:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PlaybookError(f"{path}: {exc}") from exc
    try:
        return Playbook.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PlaybookError(f"{path}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from exc


def bundled_playbook(name: str = "contract_review") -> Playbook:
    return load_playbook(resource("playbooks", f"{name}.toml"))
