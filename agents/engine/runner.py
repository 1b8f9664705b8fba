"""Runs a work-product template: plan -> retrieve -> extract -> compute -> draft -> verify ->
assemble, one section (or one item of a repeated section) at a time.

A generator: it yields StepStarted, Progress, TokenDelta and Flag events and finishes with the
sections and the evidence snapshot. Cancel is honoured between steps and between tokens; a
cancelled run returns what it finished, marked cancelled, and nothing half-written."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, replace
from typing import Iterator

from agents.domain.drafts import DraftFlag, Section, SectionChart, SectionTable
from agents.domain.events import Finished, Flag, Progress, StepStarted, TokenDelta
from agents.domain.library import Passage
from agents.engine import registry
from agents.engine.ask import citation_for, injection_warning
from agents.engine.attribution import SentenceCiter
from agents.engine.prompting import EVIDENCE_RULE, ContextOverflow, numbered, pack
from agents.engine.evidence import mentions
from agents.engine.steps import ResolvedInputs, StepContext, StepOutput, fill
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.retriever import Retriever
from agents.llm.protocol import ChatMessage, ChatModel, GenerationParams
from agents.runtime.cancel import NEVER, CancelToken
from agents.workproducts.computed import Computed
from agents.workproducts.templates import SectionSpec, Template
from agents.workproducts.verifier import check, cited_numbers

# A sentence end as _first_sentences counts it, once whitespace after it shows it is one.
_SENTENCE_END = re.compile(r"[.!?](?:\s*\[\d+\])*(?=\s)")
SYSTEM = ("You draft one section of a professional work product for an expert who will check every "
          "sentence against the evidence. Use only the numbered passages and the computed figures. Do not "
          "invent facts, figures, names or quotes. Be concise and plain.")


@dataclass(frozen=True)
class RunResult:
    sections: tuple[Section, ...]
    snapshot: tuple[dict, ...]  # per section: chunk ids, document hashes, the text the model saw


def run_template(template: Template, matter_id: str, inputs: ResolvedInputs, store: LibraryStore,
                 retriever: Retriever, model: ChatModel, params: GenerationParams,
                 cancel: CancelToken = NEVER) -> Iterator[object]:
    sections: list[Section] = []
    snapshot: list[dict] = []
    earlier: dict[str, Computed] = {}
    base = _input_vars(inputs)
    planned, total = _plan(template, inputs)
    yield StepStarted("plan", planned)
    for n, spec in enumerate(template.sections):
        for i, item in enumerate(_items(spec, inputs, earlier)):
            if cancel.cancelled:
                yield Finished(RunResult(tuple(sections), tuple(snapshot)), cancelled=True)
                return
            values = {**base, **item}
            heading = fill(spec.heading, values)
            yield StepStarted(heading, f"section {len(sections) + 1}" + (f" of {total}" if total else ""))
            ctx = StepContext(template, spec, item, matter_id, inputs, store, retriever, model, params,
                              _retrieve(spec, values, matter_id, inputs, retriever), earlier, cancel)
            section, record, computed = yield from _section(ctx, heading, values, i)
            if cancel.cancelled:  # the section was cut off mid-stream: keep only whole ones
                yield Finished(RunResult(tuple(sections), tuple(snapshot)), cancelled=True)
                return
            if (spec.compute or spec.extract) and not spec.for_each:
                earlier[spec.key] = computed  # what later sections repeat over or compute from
            for f in section.flags:
                yield Flag(section.key, f.kind or "verifier", f.message, f.severity)
            sections.append(section)
            snapshot.append(record)
            if total:  # every section counts, so the bar moves through a playbook's clauses too
                yield Progress(len(sections), total, heading, unit="sections")
        if not total:
            yield Progress(n + 1, len(template.sections), spec.heading, unit="sections")
    yield Finished(RunResult(tuple(sections), tuple(snapshot)), cancelled=cancel.cancelled)


def _plan(template: Template, inputs: ResolvedInputs) -> tuple[str, int | None]:
    """The sections to write, as the user should read them (a playbook's clauses named, never a
    heading's placeholder), and how many: unknown while some repeat over what a section computes."""
    names: list[str] = []
    for spec in template.sections:
        if spec.for_each == "playbook":
            names += [t.heading for t in inputs.playbook.topics]
        else:
            names.append(f"one per {spec.for_each.replace('_', ' ')} item found" if spec.for_each else spec.heading)
    total = None if any(s.for_each and s.for_each != "playbook" for s in template.sections) else len(names)
    return (f"{total} sections: " if total else "sections: ") + ", ".join(names), total


def _items(spec: SectionSpec, inputs: ResolvedInputs, earlier: dict[str, Computed]) -> list[dict[str, str]]:
    if not spec.for_each:
        return [{}]
    if spec.for_each == "playbook":
        return [{"topic_key": t.key, "topic": t.heading, "standard": t.standard, "fallback": t.fallback}
                for t in inputs.playbook.topics]
    return list(earlier.get(spec.for_each, Computed()).items)


def _input_vars(inputs: ResolvedInputs) -> dict[str, str]:
    values = dict(inputs.values)
    for name, docs in inputs.documents.items():
        values[name] = ", ".join(d.filename for d in docs)
    for name, doc in inputs.tables.items():
        values[name] = doc.filename
    if inputs.playbook:
        values["playbook"] = f"{inputs.playbook.title} v{inputs.playbook.version}"
    return values


def _retrieve(spec: SectionSpec, values: dict[str, str], matter_id: str, inputs: ResolvedInputs,
              retriever: Retriever) -> list[Passage]:
    if not spec.queries:
        return []
    table_docs = {d.id for d in inputs.tables.values()}
    scoped = [d.id for d in inputs.documents.get(spec.scope, [])] if spec.scope != "matter" else [None]
    found: dict[str, Passage] = {}
    for query in spec.queries:
        for doc_id in scoped:
            # A table input is what the section explains, never the explanation of itself.
            for p in retriever.search(fill(query, values), matter_id, spec.top_k + len(table_docs) * 4, doc_id):
                if p.chunk.document_id not in table_docs:
                    found.setdefault(p.chunk.id, p)
    ranked = sorted(found.values(), key=lambda p: -p.score)
    if spec.must_mention:
        ranked = [p for p in ranked if mentions(p.chunk.text, fill(spec.must_mention, values))]
    return ranked[: spec.top_k]


def _section(ctx: StepContext, heading: str, values: dict[str, str], index: int):
    spec = ctx.section
    out = StepOutput()
    if spec.extract:
        out = yield from registry.extractor(spec.extract)(ctx)
    computed = out.computed
    if spec.compute:
        extra = registry.computation(spec.compute)(replace(ctx.compute_inputs(), earlier={**ctx.earlier, spec.key: computed}))
        computed = _merge(computed, extra)
    # An extraction step decides the section's evidence; finding none means there is none.
    passages = list(out.passages) if spec.extract else ctx.passages
    values = {**values, **out.vars, "computed": _computed_text(computed),
              **{f"computed_{k}": _computed_text(c, columns=3) for k, c in ctx.earlier.items()}}
    flags = [DraftFlag(m, sev, kind) for kind, sev, m in out.flags] + [DraftFlag(w, "warning", "computation") for w in computed.warnings]
    parts = [p for p in (fill(spec.text, values), out.body, computed.text) if p]
    record = {"section": spec.key, "item": dict(ctx.item), "chunks": [p.chunk.id for p in passages],
              "documents": sorted({f"{p.filename} ({p.content_hash})" for p in passages})}
    prose = ""
    if spec.prompt and not out.no_prose:
        if passages or computed.text or computed.tables:
            try:
                prose, messages = yield from _draft(ctx, spec, values, passages, out.quotes)
                record["prompt"] = [m.content for m in messages]
            except ContextOverflow as exc:  # this section cannot be written; the rest still can
                flags.append(DraftFlag(f"not drafted: {exc}; shorten the template's prompt", "error", "context"))
        elif spec.if_no_evidence:
            parts.append(fill(spec.if_no_evidence, values))
            flags.append(DraftFlag(parts[-1], "warning", "no_evidence"))
    elif spec.if_no_evidence and not passages and not parts:
        parts.append(fill(spec.if_no_evidence, values))
        flags.append(DraftFlag(parts[-1], "warning", "no_evidence"))
    written = "\n\n".join(parts)
    body = "\n\n".join(parts + ([prose] if prose else []))
    citations = _citations(body, passages, out.quotes, computed)
    flags += _verify(ctx, written, prose, citations, passages, computed)
    flags += _injection_flags(passages)
    # Repeated sections are keyed by their playbook topic where there is one, else by position.
    key = spec.key if not spec.for_each else f"{spec.key}_{ctx.item.get('topic_key') or index + 1}"
    section = Section(key, heading, body, citations, tuple(flags), _tables(computed), _charts(computed))
    return section, record, computed


def _verify(ctx: StepContext, written: str, prose: str, citations, passages: list[Passage],
            computed: Computed) -> list[DraftFlag]:
    """The model's prose gets every check. What code wrote (quotes it located, figures it
    computed, the playbook's wording) is checked only for its citations and quotes: its figures
    come from the inputs, and a proposed revision is not a quote from the document."""
    # Figures code put in the prompt (the item's balances, the period names) are computed too.
    evidence = "\n".join([*(p.chunk.text for p in passages), _computed_text(computed), *ctx.item.values(),
                          *(_computed_text(c) for c in ctx.earlier.values())])
    pages = {(c.document_id, c.page): ctx.store.page_text(c.document_id, c.page) for c in citations}
    context = {p.chunk.id for p in passages}
    figures = computed.figures + tuple(f for c in ctx.earlier.values() for f in c.figures)
    flags = [DraftFlag(f.message, f.severity, f.kind, f.start, f.end)
             for f in check(written, citations, context, pages, written + evidence, computed.figures)
             if f.kind != "unsupported_number"]
    for t in computed.tables:
        flags += _cell_flags(t, citations, context, pages, passages, computed)
    if prose:
        offset = len(written) + 2 if written else 0
        flags += [DraftFlag(f.message, f.severity, f.kind, f.start + offset, f.end + offset)
                  for f in check(prose, citations, context, pages, evidence, figures,
                                 ctx.section.citations == "every_sentence")]
    return flags


def _injection_flags(passages: list[Passage]) -> list[DraftFlag]:
    """One flag per evidence passage that reads as instructions to a model: the reviewer resolves
    it before sign-off (every flag must be), having checked the section was not steered by it."""
    seen: set[str] = set()
    flags = []
    for n, p in enumerate(passages, 1):
        if p.chunk.injection and p.chunk.id not in seen:
            seen.add(p.chunk.id)
            flags.append(DraftFlag(f"evidence [{n}]: {injection_warning(p)}; check this section was not steered by it",
                                   "warning", "prompt_injection"))
    return flags


def _cell_flags(t, citations, context, pages, passages: list[Passage], computed: Computed) -> list[DraftFlag]:
    """A cell that cites a passage was written by the model from that passage (a clause table's
    short answer): its figures must be in that passage. Other cells are code's and only their
    citations are checked."""
    flags = []
    for row in t.rows:
        for column, cell in zip(t.columns, row):
            cited = [n for n in cited_numbers(cell) if 1 <= n <= len(passages)]
            evidence = "\n".join(passages[n - 1].chunk.text for n in cited) if cited else cell
            # Only the cell's own sources: another contract's page must not vouch for this one's figure.
            own = {(passages[n - 1].chunk.document_id, passages[n - 1].chunk.page) for n in cited}
            cell_pages = {k: v for k, v in pages.items() if k in own} if cited else pages
            for f in check(cell, citations, context, cell_pages, evidence, computed.figures if not cited else ()):
                if f.kind in ("dangling_citation", "citation_not_in_context") or (cited and f.kind == "unsupported_number"):
                    flags.append(DraftFlag(f"{t.title}, {row[0]} / {column}: {f.message}", f.severity, f.kind))
    return flags


def _draft(ctx: StepContext, spec: SectionSpec, values: dict[str, str], passages: list[Passage],
           quotes: dict[int, str]):
    params = replace(ctx.params, max_tokens=min(ctx.params.max_tokens * 2, spec.max_tokens))
    instruction = fill(spec.prompt, {**values, "evidence": ""})
    system = (ctx.template.system or SYSTEM) + " " + EVIDENCE_RULE
    kept = pack(passages, ctx.model, system + instruction, params.max_tokens)
    user = fill(spec.prompt, {**values, "evidence": numbered(kept) or "(no passages)"})
    messages = [ChatMessage("system", system), ChatMessage("user", user)]
    # Small models rarely cite reliably: code attaches each sentence to the passage it rests on.
    # Where code quoted several sentences of one passage, each under its own number, a prose
    # sentence is matched to the quote it repeats; a passage cited once is matched whole.
    repeated = {p.chunk.id for p in kept if sum(q.chunk.id == p.chunk.id for q in kept) > 1}
    targets = [replace(p, chunk=replace(p.chunk, text=quotes[i])) if i in quotes and p.chunk.id in repeated else p
               for i, p in enumerate(kept, 1)]
    citer = SentenceCiter(targets) if spec.citations != "none" else None
    pieces = []
    for piece in ctx.model.stream_chat(messages, params, ctx.cancel):
        marker = citer.feed(piece) if citer else ""
        if marker:
            yield TokenDelta(marker)
        pieces.append(piece)
        yield TokenDelta(piece)
        # Sentences past the template's limit would be cut below anyway: stop generating them.
        if spec.max_sentences and len(_SENTENCE_END.findall("".join(pieces))) >= spec.max_sentences:
            break
    if citer is not None:
        citer.finish()
    text = " ".join((citer.text if citer is not None else "".join(pieces)).split())
    return _first_sentences(text, spec.max_sentences), messages


def _first_sentences(text: str, limit: int) -> str:
    """A small model asked for three sentences may write ten; the template's limit holds.
    Cut after a sentence's citation marker so the kept sentences keep their sources."""
    if not limit:
        return text
    ends = [m.end() for m in re.finditer(r"[.!?](?:\s*\[\d+\])*(?=\s|$)", text)]
    return text[:ends[limit - 1]] if len(ends) >= limit else text


def _citations(body: str, passages: list[Passage], quotes: dict[int, str], computed: Computed):
    cells = "\n".join(" ".join(r) for t in computed.tables for r in t.rows)
    return tuple(citation_for(n, passages[n - 1], quotes.get(n, "")) for n in sorted(cited_numbers(body + "\n" + cells))
                 if 1 <= n <= len(passages))


def _merge(a: Computed, b: Computed) -> Computed:
    return Computed("\n\n".join(t for t in (a.text, b.text) if t), a.tables + b.tables, a.charts + b.charts,
                    b.items or a.items, a.figures + b.figures, a.warnings + b.warnings)


def _computed_text(c: Computed, columns: int | None = None) -> str:
    """Computed text and tables as plain lines; `columns` keeps only the first few of each table
    (label, period, value), which is what a prompt needs and what fits a small context."""
    lines = [c.text] if c.text else []
    for t in c.tables:
        lines.append(t.title + ":")
        lines += [" | ".join(t.columns[:columns])] + [" | ".join(r[:columns]) for r in t.rows]
    return "\n".join(lines)


def _tables(c: Computed) -> tuple[SectionTable, ...]:
    return tuple(SectionTable(t.title, tuple(t.columns), tuple(tuple(r) for r in t.rows), t.source, t.note)
                 for t in c.tables)


def _charts(c: Computed) -> tuple[SectionChart, ...]:
    return tuple(SectionChart(ch.title, base64.b64encode(ch.png).decode("ascii")) for ch in c.charts)
