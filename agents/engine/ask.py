"""Ask: retrieve within a matter, stream an answer, and keep only citations that resolve."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from agents.domain.drafts import Citation
from agents.domain.events import Finished, StepStarted, TokenDelta
from agents.domain.library import Passage
from agents.engine.ask_numbers import Computed, answer_numbers
from agents.engine.attribution import SentenceCiter
from agents.engine.prompting import EVIDENCE_RULE, numbered, pack
from agents.knowledge.injection import describe, excerpt
from agents.knowledge.retriever import Retriever
from agents.llm.protocol import ChatMessage, ChatModel, GenerationParams
from agents.runtime.cancel import NEVER, Cancelled, CancelToken
from agents.runtime.resources import prompt
from agents.workproducts.arithmetic import plan
from agents.workproducts.verifier import check, cited_numbers, verify_section


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    flags: tuple[str, ...] = ()
    # Citation number -> why its passage reads as instructions to a model, shown beside it.
    warnings: tuple[tuple[int, str], ...] = ()

    def warning(self, number: int) -> str:
        return dict(self.warnings).get(number, "")


def injection_warning(p: Passage) -> str:
    """What a reader should know about a passage that reads as instructions to a model."""
    if not p.chunk.injection:
        return ""
    quoted = excerpt(p.chunk.text)
    return (f"{p.location} reads as instructions to an AI model ({describe(p.chunk.injection)})"
            + (f": “{quoted}”" if quoted else "") + "; it was used as evidence only, never obeyed")


def _warned(answer: Answer) -> Answer:
    """The answer with a warning beside each citation whose passage reads as instructions, and a
    flag for every such passage the model was shown (cited or not: it may have been steered)."""
    cited = {c.chunk_id for c in answer.citations}
    warnings = tuple((c.number, w) for c in answer.citations
                     if (w := injection_warning(answer.passages[c.number - 1])))
    flags = [f"passage {n}: {injection_warning(p)}" for n, p in enumerate(answer.passages, 1)
             if p.chunk.injection and p.chunk.id not in cited]
    return replace(answer, warnings=warnings, flags=answer.flags + tuple(w for _, w in warnings) + tuple(flags))


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
    # The rule goes before the passages, where the template's own instructions are.
    template = prompt("ask_system").replace("{passages}", EVIDENCE_RULE + "\n\n{passages}", 1)
    passages = pack(found, model, template + question, params.max_tokens)
    arithmetic = plan(question)
    if arithmetic is not None:  # the model reads the operands, code does the arithmetic
        yield StepStarted("extract", f"reading the operands for a {arithmetic.operation.replace('_', ' ')} "
                                     f"from {len(passages)} passages")
        try:
            computed = answer_numbers(question, arithmetic, passages, model, params, cancel)
        except Cancelled:
            yield Finished(Answer(question, "", (), tuple(passages)), cancelled=True)
            return
        yield TokenDelta(computed.text)
        yield Finished(_warned(numbers_answer(question, computed, passages)), cancelled=cancel.cancelled)
        return
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
    yield Finished(_warned(Answer(question, text, citations, tuple(passages), flags)), cancelled=cancel.cancelled)


def numbers_answer(question: str, computed: Computed, passages: list[Passage]) -> Answer:
    """The formula answer with one citation per passage an operand came from, quoting its lines."""
    citations = tuple(citation_for(n, passages[n - 1], quote) for n, quote in computed.quotes(passages).items())
    if computed.value is None:
        return Answer(question, computed.text, (), tuple(passages), ("not computed: " + computed.text,))
    evidence = "\n".join(passages[c.number - 1].chunk.text for c in citations)
    flags = [f.message for f in check(computed.text, citations, {p.chunk.id for p in passages}, {}, evidence,
                                      [computed.value])]
    flags += [f"operand check: {p}" for p in computed.problems]  # refused picks and moved citations
    return Answer(question, computed.text, citations, tuple(passages), tuple(flags))
