"""chromadb in a process of its own, for the window.

chromadb's Rust bindings hold the GIL for the whole of each call: writing 32 chunks' vectors
holds it for 40-60 ms on a loaded two-core laptop, and a window sharing that interpreter cannot
paint meanwhile. Here the client lives in a child process; the app's threads only wait on a pipe,
which releases the GIL, so ingestion no longer stalls the window.

`ProcessClient` offers the part of chromadb's client API that VectorStore uses, so the store
works the same over an embedded client, this one, or chromadb's HTTP client. Every call is
idempotent (upsert, delete by id, reads), so when the child has died the call is retried once in
a fresh child; a second failure is reported, never hidden."""
from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NamedTuple

from agents.runtime.priority import lower_this_process

_COLLECTION_OPS = ("upsert", "delete", "get", "query", "count")
START_TIMEOUT_S = 120.0  # importing chromadb on a cold, busy laptop


class VectorProcessError(RuntimeError):
    """The vector store's process failed or an operation in it raised (message kept, so a full
    disk is still recognised by its text)."""


class Named(NamedTuple):
    name: str


def _plain(result):
    # Results cross the pipe: collections become their names, chromadb's result dicts plain dicts.
    if isinstance(result, list) and result and hasattr(result[0], "name") and not isinstance(result[0], str):
        return [Named(c.name) for c in result]
    if isinstance(result, dict):
        return dict(result)
    return None if hasattr(result, "upsert") else result


def _serve(conn: Connection, path: str) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the app closes this process; Ctrl+C is for the app
    # Below the window, as the parse worker is: the writes serve background ingestion, and on two
    # cores a child at the window's priority took turns with it (stalls of 70 ms).
    lower_this_process()
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False, allow_reset=False))
    collections: dict[str, object] = {}
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the app is gone (closed or killed): nothing is half-sent
            return
        if request is None:
            return
        name, op, kwargs = request
        try:
            if name is None:
                result = getattr(client, op)(**kwargs)
                if op == "get_or_create_collection":
                    collections[kwargs["name"]] = result
                elif op == "delete_collection":
                    collections.pop(kwargs["name"], None)
            else:
                if name not in collections:
                    collections[name] = client.get_collection(name)
                result = getattr(collections[name], op)(**kwargs)
            conn.send(("ok", _plain(result)))
        except Exception as exc:  # noqa: BLE001 - reported to the caller, who decides
            conn.send(("err", f"{type(exc).__name__}: {exc}"))


class ProcessClient:
    """A chromadb PersistentClient at `path`, running in a child process started on first use."""

    def __init__(self, path: Path) -> None:
        self._path = str(path)
        self._lock = threading.Lock()  # one request in flight on the pipe at a time
        self._proc = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> None:
        # spawn, not fork: the parent holds Qt, torch and llama.cpp threads.
        ctx = multiprocessing.get_context("spawn")
        here, there = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(there, self._path), daemon=True, name="countersign-vectors")
        proc.start()
        there.close()
        if not here.poll(START_TIMEOUT_S):
            proc.kill()
            raise VectorProcessError(f"the vector store did not start within {START_TIMEOUT_S:.0f} s")
        try:
            here.recv()
        except EOFError as exc:
            proc.join(5)
            raise VectorProcessError(f"the vector store could not open {self._path} (exit code {proc.exitcode})") from exc
        self._proc, self._conn = proc, here

    def _stop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(None)
            except OSError:
                pass
            self._conn.close()
        if self._proc is not None:
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.kill()
        self._proc = self._conn = None

    def call(self, collection: str | None, op: str, kwargs: dict | None = None):
        with self._lock:
            for attempt in (1, 2):
                if self._conn is None:
                    self._start()
                try:
                    self._conn.send((collection, op, kwargs or {}))
                    reply = self._conn.recv()
                    break
                except (EOFError, OSError) as exc:
                    code = self._proc.exitcode if self._proc is not None else None
                    self._stop()
                    if attempt == 2:
                        raise VectorProcessError(f"the vector store process stopped (exit code {code})") from exc
        if reply[0] == "err":
            raise VectorProcessError(reply[1])
        return reply[1]

    def close(self) -> None:
        with self._lock:
            self._stop()

    # -- the client API VectorStore uses ---------------------------------------------------
    def list_collections(self) -> list[Named]:
        return self.call(None, "list_collections")

    def get_or_create_collection(self, name: str, metadata: dict | None = None, embedding_function=None):
        # embedding_function is always None here (no default model may download); not sent.
        self.call(None, "get_or_create_collection", {"name": name, "metadata": metadata, "embedding_function": None})
        return ProcessCollection(self, name)

    def delete_collection(self, name: str) -> None:
        self.call(None, "delete_collection", {"name": name})


class ProcessCollection:
    def __init__(self, client: ProcessClient, name: str) -> None:
        self._client, self.name = client, name

    def __getattr__(self, op: str):
        if op not in _COLLECTION_OPS:
            raise AttributeError(op)
        return lambda **kwargs: self._client.call(self.name, op, kwargs)
