"""Legal extraction steps: code finds and quotes each clause; the model only classifies it
against the playbook (constrained to the allowed answers) or answers a short question about it.

Registered as `contract.clause` (one memo section per playbook topic) and
`contract.clause_table` (the due-diligence table: one row per contract, one column per topic)."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal

from pydantic import BaseModel

from agents.domain.events import Progress, StepStarted
from agents.domain.library import Document, Passage
from agents.engine.prompting import CLAUSE_RULE, shown
from agents.engine.steps import StepContext, StepOutput, extractor
from agents.knowledge.injection import neutralise
from agents.llm.protocol import ChatMessage
from agents.llm.structured import StructuredOutputError, extract
from agents.workproducts.computed import Computed, Table
from agents.workproducts.playbooks import Topic

_CLAUSE_START = re.compile(r"^\s*(\d+(\.\d+)*\.?\s|\(?[a-z]\)\s)")
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(“\"])")
EXCERPT_WORDS = 90


def _is_heading(sentence: str) -> bool:
    letters = [c for c in sentence if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def sentences(text: str) -> list[str]:
    """Sentences of a passage, rejoining lines a PDF wrapped mid-sentence. A line starts a new
    block when it is blank-separated, numbered like a clause (4.2, 10., (a)) or a heading."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            blocks.append([])
        elif not blocks or not blocks[-1] or _CLAUSE_START.match(line) or _is_heading(line) or _is_heading(blocks[-1][-1]):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    out = []
    for block in blocks:
        if block:
            out.extend(s.strip() for s in _SENTENCE_END.split(" ".join(block)) if s.strip())
    return out


def best_clause(topic: Topic, passages: list[Passage]) -> tuple[Passage, str, str] | None:
    """The highest-ranked passage with a real sentence (not a heading) that uses a playbook
    keyword: returns the passage, that sentence (the quote) and the clause excerpt the model
    sees: the quote and what follows it up to the next heading, at most EXCERPT_WORDS words."""
    keys = [k.lower() for k in topic.keywords]
    for p in passages:
        found = sentences(p.chunk.text)
        for i, sentence in enumerate(found):
            # Collapse non-breaking and repeated spaces for matching only: PDFs often print
            # "laws\xa0of\xa0the\xa0State", which no keyword would match. The quote stays verbatim.
            plain = " ".join(sentence.lower().split())
            if len(sentence.split()) < 6 or _is_heading(sentence) or not any(k in plain for k in keys):
                continue
            excerpt = [sentence]
            for nxt in found[i + 1:]:
                if _is_heading(nxt) or len(" ".join(excerpt + [nxt]).split()) > EXCERPT_WORDS:
                    break
                excerpt.append(nxt)
            return p, sentence, " ".join(excerpt)
    return None


class Assessment(BaseModel):
    answer: Literal["yes", "no"]


def _topic(ctx: StepContext) -> Topic:
    return next(t for t in ctx.inputs.playbook.topics if t.key == ctx.item["topic_key"])


def _contract(ctx: StepContext) -> Document:
    docs = [d for docs in ctx.inputs.documents.values() for d in docs]
    return docs[0]


def assess(ctx: StepContext, topic: Topic, clause: str) -> str:
    """meets / deviates, decided by the model under a grammar that allows nothing else. Asked
    as yes/no ("does the clause say this?"): measured on ContractNLI with the 0.5B model, that
    framing was right 9 of 31 times against 5 of 31 for "meets or deviates?", which it answered
    "deviates" almost always (benchmarks/contract_review.py)."""
    messages = [ChatMessage("system", "You check whether a contract clause says what a statement says. "
                            "Answer in JSON. " + CLAUSE_RULE),
                ChatMessage("user", f"Clause: {neutralise(clause)}\n\nStatement: {topic.standard}\n\n"
                            "Does the clause say this?")]
    try:
        answer = extract(ctx.model, messages, Assessment, replace(ctx.params, max_tokens=16), ctx.cancel).answer
    except StructuredOutputError:
        return "unclassified"
    return "meets" if answer == "yes" else "deviates"


@extractor("contract.clause")
def clause_finding(ctx: StepContext):
    topic, contract = _topic(ctx), _contract(ctx)
    yield StepStarted(topic.heading, "locating the clause")
    found = best_clause(topic, ctx.retriever.search(topic.query, ctx.matter_id, 6, contract.id))
    # Not in quotation marks: it is the firm's wording, not something quoted from the contract.
    revision = f"Suggested revision (playbook fallback): {topic.fallback}" if topic.fallback else ""
    if found is None:
        body = "\n\n".join(x for x in (f"Position: **missing** — no clause addressing {topic.heading.lower()} "
                                       f"was found in {contract.filename}.", revision) if x)
        return StepOutput(body=body, no_prose=True, vars={"position": "missing"},
                          flags=(("not_found", "info", f"no {topic.heading.lower()} clause found; confirm against the document"),))
    passage, quote, excerpt = found
    yield StepStarted(topic.heading, "classifying against the playbook")
    shown([passage], "contract.clause")
    position = assess(ctx, topic, excerpt)
    lines = [f"Clause ({passage.location}): “{quote}” [1]", f"Position: **{position}** — firm standard: {topic.standard}"]
    if position != "meets" and revision:
        lines.append(revision)
    flags = (("unclassified", "warning", "the model gave no valid classification; classify by hand"),) \
        if position == "unclassified" else ()
    return StepOutput(passages=(passage,), quotes={1: quote}, body="\n\n".join(lines), flags=flags,
                      vars={"clause": excerpt, "position": position, "standard": topic.standard})


@extractor("contract.clause_table")
def clause_table(ctx: StepContext):
    topics = ctx.inputs.playbook.topics
    contracts = [d for docs in ctx.inputs.documents.values() for d in docs]
    passages: list[Passage] = []
    quotes: dict[int, str] = {}
    rows, figures = [], []
    for n, doc in enumerate(contracts):
        yield StepStarted(doc.filename, f"contract {n + 1} of {len(contracts)}")
        row = [doc.filename]
        for topic in topics:
            if ctx.cancel.cancelled:
                return StepOutput()
            found = best_clause(topic, ctx.retriever.search(topic.query, ctx.matter_id, 6, doc.id))
            if found is None:
                row.append("not found")
                continue
            passage, quote, excerpt = found
            passages.append(passage)
            quotes[len(passages)] = quote
            shown([passage], "contract.clause_table")
            row.append(f"{short_answer(ctx, topic, excerpt)} [{len(passages)}]")
        rows.append(tuple(row))
        yield Progress(n + 1, len(contracts), doc.filename, unit="contracts")
    table = Table("Clause table", ("Contract",) + tuple(t.heading for t in topics), tuple(rows),
                  note="Each cell answers the playbook question from the quoted clause cited; 'not found' means "
                       "no clause matched and must be confirmed by reading the contract.")
    return StepOutput(Computed(tables=(table,), figures=tuple(figures)), tuple(passages), quotes, no_prose=True)


def short_answer(ctx: StepContext, topic: Topic, clause: str) -> str:
    """At most a dozen words, from the clause alone. Plain generation stopped at the first line
    break: the answer is free text either way, and a JSON grammar made each of a table's many
    calls several times slower."""
    question = topic.question or f"What does the {topic.heading.lower()} clause provide?"
    messages = [ChatMessage("system", "You answer a question about one contract clause in at most twelve words, "
                            "using only the clause. Reply with the answer only. "
                            + CLAUSE_RULE),
                ChatMessage("user", f"Clause: {neutralise(clause)}\n\nQuestion: {question}")]
    params = replace(ctx.params, max_tokens=32, stop=("\n",), json_schema=None)
    answer = " ".join("".join(ctx.model.stream_chat(messages, params, ctx.cancel)).split())
    words = answer.replace("|", "/").split()
    return " ".join(words[:16]) + ("…" if len(words) > 16 else "") if words else "see clause"
