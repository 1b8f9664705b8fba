"""User settings: a versioned JSON file in the data directory, validated with pydantic."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field, ValidationError, field_validator

# 2: adds `embedder`; 3: adds `n_gpu_layers`, `n_batch`, `allowed_model_sha256`. A file is
# always saved at the current version, so an older Countersign says "written by a newer
# Countersign" instead of rejecting the unknown key. 4: adds `model_server_url`, `model_server_model`.
# 5: adds `workspace_url` and `vector_server_url` (firm mode).
SCHEMA_VERSION = 5

# The embedders shipped with the app; agents/knowledge/embedder.py holds their files and sizes
# (this layer cannot import it; a test keeps the two lists equal).
EmbedderName = Literal["all-MiniLM-L6-v2", "all-mpnet-base-v2"]
EMBEDDERS: tuple[str, ...] = get_args(EmbedderName)


class SettingsError(ValueError):
    """The settings file exists but cannot be used; the message says which key and why."""


class Settings(BaseModel):
    schema_version: int = SCHEMA_VERSION
    # A firm-supplied GGUF; empty means the bundled default model (hash-checked).
    model_path: str = ""
    # A firm's OpenAI-compatible inference server (llama.cpp server, vLLM); when set it is used
    # instead of a local GGUF. Its API key, if any, comes from $COUNTERSIGN_MODEL_SERVER_KEY so
    # that no secret sits in this file.
    model_server_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    model_server_model: str = ""  # empty: the first model the server lists
    # Firm mode: matters, documents, drafts, reviews, the audit log and profiles in the firm's
    # PostgreSQL instead of this data directory's SQLite (agents/runtime/pg_database.py). The
    # password comes from $COUNTERSIGN_WORKSPACE_PASSWORD or libpq's ~/.pgpass, not this file.
    workspace_url: str = Field(default="", pattern=r"^(postgres(ql)?://\S+)?$")
    # Firm mode: the vectors in the firm's chromadb server (`chroma run`, behind a proxy that checks
    # the bearer token in $COUNTERSIGN_VECTOR_SERVER_TOKEN) instead of this data directory.
    vector_server_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    n_threads: int = Field(default=2, ge=1, le=256)
    n_ctx: int = Field(default=4096, ge=512, le=131072)
    # Layers llama.cpp offloads to a GPU (-1: all); only a GPU build of llama-cpp-python uses it.
    n_gpu_layers: int = Field(default=0, ge=-1, le=1000)
    n_batch: int = Field(default=512, ge=8, le=8192)  # prompt tokens evaluated per step
    # The firm's allow-list of model SHA-256 hashes; empty allows every model.
    allowed_model_sha256: list[str] = []
    max_tokens: int = Field(default=320, ge=16, le=8192)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    seed: int = 42
    retrieval_k: int = Field(default=4, ge=1, le=50)
    max_file_mb: int = Field(default=200, ge=1)
    # Per-file limits for the parser process: a hostile file is skipped, never hangs the batch.
    parse_timeout_s: float = Field(default=120.0, gt=0)
    parse_memory_mb: int = Field(default=2048, ge=256)
    ocr: bool = True  # read scanned PDF pages with Tesseract
    # Changing it re-embeds each matter in the background; searches use the old vectors until
    # the new ones are complete (agents/knowledge/reembed.py).
    embedder: EmbedderName = "all-MiniLM-L6-v2"
    log_level: str = "INFO"
    reviewer_name: str = ""
    preparer_name: str = ""

    model_config = {"extra": "forbid"}

    @field_validator("workspace_url", "vector_server_url")
    @classmethod
    def _no_secret(cls, value: str) -> str:
        from urllib.parse import urlsplit

        if value and urlsplit(value).password:
            raise ValueError("holds a password, which would be stored in plain text here: give the URL without it "
                             "and the password in $COUNTERSIGN_WORKSPACE_PASSWORD (or ~/.pgpass)")
        return value

    @field_validator("allowed_model_sha256", mode="before")
    @classmethod
    def _hashes(cls, value):
        # `settings set` passes one string: hashes separated by commas or spaces.
        items = value.replace(",", " ").split() if isinstance(value, str) else value
        if not isinstance(items, list):
            raise ValueError("must be a list of SHA-256 hashes")
        hashes = [str(h).strip().lower() for h in items]
        bad = next((h for h in hashes if len(h) != 64 or any(c not in "0123456789abcdef" for c in h)), None)
        if bad is not None:
            raise ValueError(f"'{bad}' is not a SHA-256 hash (64 hexadecimal characters)")
        return hashes


def load(path: Path) -> Settings:
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SettingsError(f"{path}: not readable JSON ({exc}); fix or delete the file") from exc
    if raw.get("schema_version", SCHEMA_VERSION) > SCHEMA_VERSION:
        raise SettingsError(f"{path}: written by a newer Countersign (schema {raw['schema_version']})")
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise SettingsError(f"{path}: setting '{key}': {first['msg']}") from exc


def save(settings: Settings, path: Path) -> None:
    # Write-then-rename so a crash mid-write never leaves a half-written settings file.
    tmp = path.with_suffix(".json.tmp")
    data = {**settings.model_dump(), "schema_version": SCHEMA_VERSION}
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def update(path: Path, key: str, value: str) -> Settings:
    current = load(path).model_dump()
    if key not in current or key == "schema_version":
        raise SettingsError(f"unknown setting '{key}'; known: {', '.join(k for k in current if k != 'schema_version')}")
    current[key] = value
    try:
        settings = Settings.model_validate(current)
    except ValidationError as exc:
        raise SettingsError(f"setting '{key}': {exc.errors()[0]['msg']}") from exc
    save(settings, path)
    return settings
