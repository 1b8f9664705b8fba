"""The contract-review agent: code finds and quotes each clause, the model writes the finding."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterator

from agents.domain.drafts import Section
from agents.domain.events import Finished, Flag, Progress, StepStarted, TokenDelta
from agents.domain.library import Document, Passage
from agents.engine.ask import citation_for
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.retriever import Retriever
from agents.llm.protocol import ChatMessage, ChatModel, GenerationParams
from agents.runtime.cancel import NEVER, CancelToken
from agents.runtime.resources import prompt
from agents.workproducts.playbooks import Playbook, Topic
from agents.workproducts.verifier import verify_section

_CLAUSE_START = re.compile(r"^\s*(\d+(\.\d+)*\.?\s|\(?[a-z]\)\s)")
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(“\"])")
EXCERPT_WORDS = 90
FINDING_TOKENS = 160


def _sentences(text: str) -> list[str]:
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


def _is_heading(sentence: str) -> bool:
    letters = [c for c in sentence if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def best_clause(topic: Topic, passages: list[Passage]) -> tuple[Passage, str, str] | None:
    """The highest-ranked passage with a real sentence (not a heading) that uses a playbook
    keyword: returns the passage, that sentence (the quote) and the clause excerpt the model
    sees: the quote and what follows it up to the next heading, at most EXCERPT_WORDS words."""
    keys = [k.lower() for k in topic.keywords]
    for p in passages:
        sentences = _sentences(p.chunk.text)
        for i, sentence in enumerate(sentences):
            if len(sentence.split()) < 6 or _is_heading(sentence) or not any(k in sentence.lower() for k in keys):
                continue
            excerpt = [sentence]
            for nxt in sentences[i + 1:]:
                if _is_heading(nxt) or len(" ".join(excerpt + [nxt]).split()) > EXCERPT_WORDS:
                    break
                excerpt.append(nxt)
            return p, sentence, " ".join(excerpt)
    return None


def review_contract(document: Document, playbook: Playbook, store: LibraryStore, retriever: Retriever,
                    model: ChatModel, params: GenerationParams, cancel: CancelToken = NEVER) -> Iterator[object]:
    """Yields events; the final `Finished` carries the memo's sections."""
    scope = Section("scope", "Scope", (
        f"Document reviewed: {document.filename} ({document.pages} page(s), SHA-256 {document.content_hash[:16]}…). "
        f"Playbook: {playbook.title} v{playbook.version}. Each finding below quotes the clause it rests on; "
        "a topic with no matching clause says so and must be confirmed by the reviewer."))
    sections = [scope]
    # Two sentences need about 80 tokens; a cap keeps a rambling model from stalling the draft.
    finding_params = replace(params, max_tokens=min(params.max_tokens, FINDING_TOKENS))
    system = prompt("contract_finding_system")
    template = prompt("contract_finding_user")
    for i, topic in enumerate(playbook.topics):
        if cancel.cancelled:
            yield Finished(tuple(sections), cancelled=True)
            return
        yield StepStarted(topic.heading, f"topic {i + 1} of {len(playbook.topics)}")
        passages = retriever.search(topic.query, document.matter_id, k=6, document_id=document.id)
        found = best_clause(topic, passages)
        if found is None:
            body = f"No clause addressing {topic.heading.lower()} was found in {document.filename}."
            flag = f"no {topic.heading.lower()} clause found; confirm against the document"
            yield Flag(topic.key, "not_found", flag, "info")
            sections.append(Section(topic.key, topic.heading, body, (), (flag,)))
            yield Progress(i + 1, len(playbook.topics), topic.heading)
            continue
        passage, quote, excerpt = found
        messages = [ChatMessage("system", system), ChatMessage("user", template.format(
            heading=topic.heading, standard=topic.standard, clause=excerpt))]
        pieces = []
        for piece in model.stream_chat(messages, finding_params, cancel):
            pieces.append(piece)
            yield TokenDelta(piece)
        prose = " ".join("".join(pieces).split())
        if "[1]" not in prose:
            prose += " [1]"  # the evidence was chosen by code, so the citation is attached by code
        body = f"{prose}\n\nClause ({passage.location}): “{quote}” [1]"
        citation = citation_for(1, passage, quote)
        page = {(passage.chunk.document_id, passage.chunk.page): store.page_text(passage.chunk.document_id, passage.chunk.page)}
        flags = verify_section(prose, (citation,), page, excerpt + "\n" + topic.standard)
        for f in flags:
            yield Flag(topic.key, "verifier", f)
        sections.append(Section(topic.key, topic.heading, body, (citation,), tuple(flags)))
        yield Progress(i + 1, len(playbook.topics), topic.heading)
    yield Finished(tuple(sections), cancelled=cancel.cancelled)
