"""The model protocol every backend implements, and the values that cross it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol

from agents.runtime.cancel import CancelToken


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class GenerationParams:
    max_tokens: int = 320
    temperature: float = 0.0
    seed: int = 42
    stop: tuple[str, ...] = ()
    # A JSON schema the output must match, enforced while decoding (llama.cpp grammars).
    json_schema: dict | None = None


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int


class ModelUnavailable(RuntimeError):
    """The model cannot be loaded; the message says what to do about it."""


class ChatModel(Protocol):
    model_id: str
    sha256: str
    n_ctx: int
    last_usage: Usage  # of the most recent stream_chat, complete or cancelled

    def stream_chat(self, messages: list[ChatMessage], params: GenerationParams, cancel: CancelToken) -> Iterator[str]:
        """Yield text pieces as they are generated; stop promptly once `cancel` is set."""
        ...

    def count_tokens(self, text: str) -> int:
        ...
