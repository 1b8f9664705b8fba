"""Can this machine reach the firm's three servers, and are they versions it works with? For
`countersign server check` and the Settings window. It needs only the settings, so it runs when
a server is down, which is when IT needs it, and it writes nothing to any server."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


MIN_POSTGRES = 13  # ICU collations and the generated tsvector column the workspace schema uses


@dataclass
class ServerCheck:
    server: str  # workspace, vectors, inference
    address: str  # never with a password
    ok: bool
    version: str = ""
    detail: str = ""
    seconds: float = 0.0


def _timed(server: str, address: str, probe) -> ServerCheck:
    started = time.perf_counter()
    try:
        version, detail = probe()
        return ServerCheck(server, address, True, version, detail, round(time.perf_counter() - started, 3))
    except Exception as exc:  # noqa: BLE001 - every failure is the report's content, not a crash
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return ServerCheck(server, address, False, "", text[:300], round(time.perf_counter() - started, 3))


def _workspace(url: str):
    from agents.runtime.pg_database import PgDatabase
    from agents.runtime.pg_schema import SCHEMA_VERSION

    db = PgDatabase(url, connect_timeout=5)
    try:
        version = db.server_version()
        if int(version.split(".")[0]) < MIN_POSTGRES:
            raise RuntimeError(f"PostgreSQL {version} is older than {MIN_POSTGRES}, which the workspace needs")
        exists = db.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")[0][0]
        at = db.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")[0][0] if exists else 0
        if at > SCHEMA_VERSION:
            raise RuntimeError(f"the workspace is at schema {at}, newer than this Countersign's {SCHEMA_VERSION}")
        state = "new: the first Countersign to open it creates the tables" if at == 0 else f"schema {at} of {SCHEMA_VERSION}"
        return f"PostgreSQL {version}", state
    finally:
        db.close()


def _vectors(url: str):
    from agents.knowledge.vector_store import VECTOR_TOKEN_ENV, http_client

    client = http_client(url, os.environ.get(VECTOR_TOKEN_ENV, ""))
    client.heartbeat()
    return f"chromadb {client.get_version()}", f"{len(client.list_collections())} collections; token accepted"


def _inference(url: str, model: str):
    from agents.llm.http_backend import HttpModel
    from agents.services.model_facade import MODEL_KEY_ENV

    served = HttpModel(url, model, os.environ.get(MODEL_KEY_ENV, ""), timeout_s=10)
    return served.model_id, "lists the model" + ("" if model else " (the first it lists is used)")


def check(settings) -> list[ServerCheck]:
    """One check per server the settings name; an empty list is single-user mode."""
    out = []
    if settings.workspace_url:
        from agents.runtime.pg_database import where

        out.append(_timed("workspace", where(settings.workspace_url), lambda: _workspace(settings.workspace_url)))
    if settings.vector_server_url:
        out.append(_timed("vectors", urlsplit(settings.vector_server_url).netloc, lambda: _vectors(settings.vector_server_url)))
    if settings.model_server_url:
        out.append(_timed("inference", urlsplit(settings.model_server_url).netloc,
                          lambda: _inference(settings.model_server_url, settings.model_server_model)))
    return out
