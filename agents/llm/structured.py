"""Structured extraction: decoding constrained to a JSON schema, validated into a pydantic model.

The grammar makes the output parse as JSON of the schema's shape; pydantic then checks what a
grammar cannot (value constraints, an output cut off at max_tokens). One bounded retry shows the
model its validation error; a second failure is reported, never papered over with a guess."""
from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from agents.llm.protocol import ChatMessage, ChatModel, GenerationParams
from agents.runtime.cancel import NEVER, CancelToken, Cancelled

T = TypeVar("T", bound=BaseModel)
RETRIES = 1


class StructuredOutputError(ValueError):
    """The model did not produce valid output for the schema; `attempts` holds what it wrote."""

    def __init__(self, schema: str, errors: list[str], attempts: list[str]) -> None:
        super().__init__(f"the model's output did not match {schema} after {len(attempts)} attempts: {errors[-1]}")
        self.errors, self.attempts = errors, attempts


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "the output"
    return f"{where}: {err['msg']}"


def extract(model: ChatModel, messages: list[ChatMessage], schema: type[T], params: GenerationParams,
            cancel: CancelToken = NEVER) -> T:
    constrained = replace(params, json_schema=schema.model_json_schema(), temperature=0.0)
    errors: list[str] = []
    attempts: list[str] = []
    conversation = list(messages)
    for _ in range(RETRIES + 1):
        text = "".join(model.stream_chat(conversation, constrained, cancel))
        if cancel.cancelled:
            raise Cancelled()
        attempts.append(text)
        try:
            return schema.model_validate_json(text)
        except ValidationError as exc:
            errors.append(_first_error(exc))
        conversation = [*messages, ChatMessage("assistant", text),
                        ChatMessage("user", f"That JSON is not valid ({errors[-1]}). Reply with corrected JSON only.")]
    raise StructuredOutputError(schema.__name__, errors, attempts)
