"""Ask: retrieve within a matter, stream an answer, and keep only citations that resolve."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from agents.domain.drafts import Citation
from agents.domain.events import Finished, StepStarted, TokenDelta
from agents.domain.library import Passage
from agents.engine.prompting import numbered, pack
from agents.knowledge.retriever import Retriever
from agents.llm.protocol import ChatMessage, ChatModel, GenerationParams
from agents.runtime.cancel import NEVER, CancelToken
from agents.runtime.resources import prompt
from agents.engine.attribution import SentenceCiter
from agents.workproducts.verifier import cited_numbers, verify_section


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    flags: tuple[str, ...] = ()


def citation_for(number: int, p: Passage, quote: str = "") -> Citation:
    c = p.chunk
    return Citation(number, c.id, c.document_id, p.filename, p.content_hash, c.page, c.char_start, c.char_end, quote,
                    c.locator)


def ask(question: str, matter_id: str, retriever: Retriever, model: ChatModel, params: GenerationParams,
        k: int = 5, cancel: CancelToken = NEVER) -> Iterator[object]:
    yield StepStarted("retrieve", "searching the matter's documents")
    found = retriever.search(question, matter_id, k)
    if not found:
        yield Finished(Answer(question, "No indexed document in this matter matches the question.", (), (), ()))
        return
    template = prompt("ask_system")
    passages = pack(found, model, template + question, params.max_tokens)
    messages = [ChatMessage("system", template.format(passages=numbered(passages))), ChatMessage("user", question)]
    yield StepStarted("generate", f"answering from {len(passages)} passages")
    citer = SentenceCiter(passages)
    for piece in model.stream_chat(messages, params, cancel):
        marker = citer.feed(piece)
        if marker:
            yield TokenDelta(marker)
        yield TokenDelta(piece)
    marker = citer.finish()
    if marker:
        yield TokenDelta(marker)
    text = citer.text.strip()
    cited = sorted(n for n in cited_numbers(text) if 1 <= n <= len(passages))
    citations = tuple(citation_for(n, passages[n - 1]) for n in cited)
    evidence = "\n".join(passages[n - 1].chunk.text for n in cited)
    flags = tuple(verify_section(text, citations, {}, evidence, needs_citation=True))
    yield Finished(Answer(question, text, citations, tuple(passages), flags), cancelled=cancel.cancelled)
