"""`evidence.quotes`: the sentences of the retrieved passages that explain an item, chosen by
code and quoted verbatim with their citations, so the reviewer reads the source's own words
and the model only summarises them.

A sentence qualifies when it names the item (`mentions`); among those, sentences
sharing more words with the section's queries and stating figures rank first."""
from __future__ import annotations

import re

from agents.domain.library import Passage
from agents.engine.attribution import content_words
from agents.engine.clauses import sentences
from agents.engine.steps import StepContext, StepOutput, extractor, fill

QUOTES = 3
_FIGURE = re.compile(r"\d")
# Words that say why, which is what an explanation of a movement needs.
_CAUSE = re.compile(r"\b(drove|driven|drive|due to|because|result(ed)? (of|from)|follow(s|ed|ing)|reflect(s|ed|ing)?|"
                    r"owing to|offset|caused|led to|as a result|approved|signed|began|rose|fell)\b", re.I)
_WHOLE = re.compile(r"[.!?)”\"]$")


def mentions(text: str, name: str) -> bool:
    """Whether text names an account or line: at least half the name's content words, by their
    first five letters ("Plant and machinery" is named by "CNC machining line")."""
    stems = {w[:5] for w in content_words(name)}
    lowered = text.lower()
    return not stems or sum(1 for s in stems if s in lowered) * 2 >= len(stems)


def best_sentences(passages: list[Passage], name: str, query: str, limit: int = QUOTES) -> list[tuple[Passage, str]]:
    """At most `limit` whole sentences, best first; a passage may give more than one (each gets
    its own citation number, since a citation carries one quote)."""
    wanted = content_words(query) | content_words(name)
    scored = []
    for rank, p in enumerate(passages):
        for sentence in sentences(p.chunk.text):
            # A chunk may end mid-sentence; a fragment misquotes its source.
            if len(sentence.split()) < 6 or not _WHOLE.search(sentence.rstrip()):
                continue
            if not mentions(sentence, name) and not _CAUSE.search(sentence):
                continue
            score = (len(wanted & content_words(sentence)) + (1 if _FIGURE.search(sentence) else 0)
                     + (2 if _CAUSE.search(sentence) else 0) + (2 if mentions(sentence, name) else 0) - rank * 0.1)
            scored.append((score, rank, p, sentence))
    best = sorted(scored, key=lambda s: (-s[0], s[1]))[:limit]
    if not any(mentions(s, name) for *_, s in best):
        return []  # sentences about causes in general, none about this item: no explanation
    # Keep the source's order, so quotes read as the document reads.
    return [(p, s) for _, _, p, s in sorted(best, key=lambda s: (s[1], s[2].chunk.text.find(s[3])))]


@extractor("evidence.quotes")
def evidence_quotes(ctx: StepContext):
    name = fill(ctx.section.must_mention, ctx.item) or " ".join(ctx.item.values())
    query = " ".join(fill(q, ctx.item) for q in ctx.section.queries)
    chosen = best_sentences(ctx.passages, name, query, ctx.section.max_sentences or QUOTES)
    if not chosen:
        return StepOutput()
    yield from ()
    quoted = " ".join(f"“{s}” [{i}]" for i, (_, s) in enumerate(chosen, 1))
    return StepOutput(passages=tuple(p for p, _ in chosen), quotes={i: s for i, (_, s) in enumerate(chosen, 1)},
                      body=f"Per the documents: {quoted}",
                      vars={"quotes": "\n".join(f"- {s}" for _, s in chosen)})
