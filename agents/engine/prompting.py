"""Packing evidence into the model's context by rank without cutting a passage in half."""
from __future__ import annotations

from agents.domain.library import Passage
from agents.llm.protocol import ChatModel


class ContextOverflow(ValueError):
    """Even the instructions alone do not fit the model's context window."""


def numbered(passages: list[Passage]) -> str:
    # No brackets or file names here: small models copy them instead of answering.
    return "\n\n".join(f"Passage {i}:\n{p.chunk.text}" for i, p in enumerate(passages, 1))


def pack(passages: list[Passage], model: ChatModel, fixed_text: str, reserve_output: int) -> list[Passage]:
    budget = model.n_ctx - reserve_output - model.count_tokens(fixed_text) - 64
    if budget <= 0:
        raise ContextOverflow(f"the instructions need more than the model's {model.n_ctx}-token context")
    kept: list[Passage] = []
    for p in passages:
        cost = model.count_tokens(p.chunk.text) + 16
        if cost > budget:
            break  # keep rank order: a lower-ranked passage never displaces a higher one
        kept.append(p)
        budget -= cost
    return kept
