"""A model served by the firm over an OpenAI-compatible HTTP API (llama.cpp server, vLLM, ...).

Uses the standard library's http.client so that the response can be read line by line and the
connection closed the moment the user cancels: closing it is what makes the server stop
generating, and with server-sent events that happens within one token."""
from __future__ import annotations

import http.client
import json
import logging
from typing import Iterator
from urllib.parse import urlsplit

from agents.llm.protocol import ChatMessage, GenerationParams, ModelUnavailable, Usage
from agents.runtime.cancel import CancelToken

log = logging.getLogger("countersign.llm.http")

# Tokenizer endpoints, in the order tried: llama-cpp-python's server, then llama.cpp's own.
TOKENIZE = (("/extras/tokenize", "input"), ("/tokenize", "content"))


class HttpModel:
    """One model on one server. `sha256` is the server address and model name: a server's weights
    cannot be hashed from here, so drafts record where they came from instead."""

    def __init__(self, base_url: str, model: str = "", api_key: str = "", n_ctx: int = 4096,
                 timeout_s: float = 120.0) -> None:
        url = urlsplit(base_url.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ModelUnavailable(f"model server address '{base_url}' is not an http(s) URL")
        self._url, self._timeout = url, timeout_s
        self.url = base_url
        self._headers = {"Content-Type": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._prefix = url.path if url.path.endswith("/v1") else url.path + "/v1"
        self.n_ctx = n_ctx
        self.model_id = model or self._first_model()
        self.sha256 = f"server:{url.scheme}://{url.netloc}#{self.model_id}"
        self.last_usage = Usage(0, 0)
        self._tokenize: tuple[str, str] | None | bool = False  # False: not probed yet

    # -- transport ---------------------------------------------------------------------------
    def _connect(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._url.scheme == "https" else http.client.HTTPConnection
        return cls(self._url.hostname, self._url.port, timeout=self._timeout)

    def _send(self, method: str, path: str, body: dict | None = None):
        conn = self._connect()
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, self._headers)
            resp = conn.getresponse()
        except OSError as exc:
            conn.close()
            raise ModelUnavailable(f"model server {self._url.netloc} is not reachable: {exc}") from exc
        return conn, resp

    def _json(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        conn, resp = self._send(method, path, body)
        try:
            raw = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return resp.status, {"error": raw[:200].decode("utf-8", "replace")}

    def _first_model(self) -> str:
        status, data = self._json("GET", self._prefix + "/models")
        models = [m.get("id", "") for m in data.get("data", [])] if status == 200 else []
        if not models:
            raise ModelUnavailable(f"model server {self._url.netloc} lists no models (HTTP {status})")
        return models[0]

    # -- protocol ----------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        if self._tokenize is False:
            self._tokenize = None
            for path, field in TOKENIZE:
                status, data = self._json("POST", path, {field: "probe"})
                if status == 200 and "tokens" in data:
                    self._tokenize = (path, field)
                    break
            else:
                log.warning("model server has no tokenize endpoint; token counts are estimated")
        if self._tokenize is None:
            return len(text.encode("utf-8")) // 3 + 1  # conservative: never overfills the context
        path, field = self._tokenize
        status, data = self._json("POST", path, {field: text})
        if status != 200:
            raise ModelUnavailable(f"model server could not count tokens (HTTP {status})")
        return len(data["tokens"])

    def stream_chat(self, messages: list[ChatMessage], params: GenerationParams, cancel: CancelToken) -> Iterator[str]:
        body = {"model": self.model_id, "stream": True, "max_tokens": params.max_tokens,
                "temperature": params.temperature, "seed": params.seed,
                "messages": [{"role": m.role, "content": m.content} for m in messages]}
        if params.stop:
            body["stop"] = list(params.stop)
        if params.json_schema is not None:
            # The llama.cpp servers' form; they compile the schema into a grammar.
            body["response_format"] = {"type": "json_object", "schema": params.json_schema}
        body["stream_options"] = {"include_usage": True}
        conn, resp = self._send("POST", self._prefix + "/chat/completions", body)
        pieces, prompt_tokens, finished = 0, 0, False
        try:
            if resp.status != 200:
                detail = resp.read(500).decode("utf-8", "replace")
                raise ModelUnavailable(f"model server refused the request (HTTP {resp.status}): {detail}")
            while not cancel.cancelled:
                line = resp.readline()
                if not line:
                    break
                line = line.strip()
                if not line.startswith(b"data:"):
                    continue
                data = line[5:].strip()
                if data == b"[DONE]":
                    break
                chunk = json.loads(data)
                prompt_tokens = (chunk.get("usage") or {}).get("prompt_tokens", prompt_tokens)
                for choice in chunk.get("choices", []):
                    finished = finished or bool(choice.get("finish_reason"))
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        pieces += 1
                        yield piece
        finally:
            conn.close()  # on cancel this is what stops the server generating
            # Servers stream one token per event; prompt_tokens stays 0 where a server sends no usage.
            self.last_usage = Usage(prompt_tokens, pieces)
        if not finished and not cancel.cancelled:
            # A stream that ends with no finish reason was cut off; its text must not pass for
            # a whole answer. llama-cpp-python's server does this to a request when another
            # arrives, unless started with --interrupt_requests False.
            raise ModelUnavailable(f"model server {self._url.netloc} stopped this answer before it finished "
                                   "(if it is llama-cpp-python's server, start it with --interrupt_requests False "
                                   "so one user's request does not cut off another's)")
