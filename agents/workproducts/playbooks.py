"""Loading and validating playbooks (TOML data files in resources/playbooks)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from agents.runtime.resources import resource, resources_root


class PlaybookError(ValueError):
    pass


class Topic(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    heading: str
    query: str
    keywords: list[str] = Field(min_length=1)
    standard: str
    fallback: str = ""  # the wording proposed when the clause deviates or is missing
    question: str = ""  # what the due-diligence table answers about this clause in each contract
    maps_to: str = ""  # an external label (e.g. a ContractNLI hypothesis) for benchmarks
    # The firm's standard is the opposite of the labelled statement (e.g. "must be marked"
    # vs "need not be marked"), so the label's entailment means the standard is not met.
    negated: bool = False


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


def bundled_playbook(name: str = "commercial") -> Playbook:
    firm = resources_root() / "firm" / "playbooks" / f"{name}.toml"  # the firm profile's own wins
    return load_playbook(firm if firm.is_file() else resource("playbooks", f"{name}.toml"))


def find_playbook(ref: str) -> Playbook:
    """A bundled playbook by id (commercial, nda) or a firm's own TOML file by path."""
    path = Path(ref).expanduser()
    if path.suffix == ".toml" and path.is_file():
        return load_playbook(path)
    try:
        return bundled_playbook(ref)
    except FileNotFoundError:
        raise PlaybookError(f"no playbook '{ref}'; give a bundled one (commercial, nda) or a .toml file") from None
