"""`financials.statements`: a filing's key line items read from its statement pages (code reads
the rows; the model only chooses between equally matching lines) and the credit ratios computed
from them, each figure cited to the chunk of the page it was read from."""
from __future__ import annotations

from agents.domain.events import StepStarted
from agents.domain.library import Passage
from agents.engine.steps import StepContext, StepOutput, extractor
from agents.workproducts.computed import Computed, Table
from agents.workproducts.financial_lines import LineItem, extract_line_items
from agents.workproducts.ratios import ratios


def _passage(ctx: StepContext, item: LineItem) -> Passage | None:
    """The chunk of the cited page holding the printed row, so the citation opens on it."""
    chunks = ctx.store.chunks(ctx.store.chunk_ids_on_pages(item.document_id, [item.page]))
    figure = item.printed.replace(" ", "")
    best = next((c for c in chunks.values() if figure in c.text.replace(" ", "")), None) \
        or next(iter(chunks.values()), None)
    if best is None:
        return None
    doc = ctx.store.document(item.document_id)
    return Passage(best, doc.filename, doc.content_hash, 1.0)


def _row_key(item: LineItem) -> tuple[str, int, str]:
    # The current and prior figures of one printed row share its citation.
    return item.document_id, item.page, item.quote


@extractor("financials.statements")
def statements(ctx: StepContext):
    filing = next(d for docs in ctx.inputs.documents.values() for d in docs)
    yield StepStarted("Key line items", f"reading the statements of {filing.filename}")
    items = extract_line_items(ctx.store, filing, ctx.model, ctx.params, ctx.cancel)
    found = items.to_computed()
    passages: list[Passage] = []
    quotes: dict[int, str] = {}
    numbered: dict[tuple[str, int, str], int] = {}
    for item in items.items:
        place = _row_key(item)
        if place not in numbered:
            passage = _passage(ctx, item)
            if passage is None:
                continue
            passages.append(passage)
            numbered[place] = len(passages)
            quotes[len(passages)] = item.quote
    # The line-item table's Source column gains the citation marker of the row it was read from.
    lines = found.tables[0]
    cited_rows = []
    for row, item in zip(lines.rows, items.items):
        n = numbered.get(_row_key(item))
        cited_rows.append(row[:4] + (f"{row[4]} [{n}]" if n else row[4],) + row[5:])
    table = Table(lines.title, lines.columns, tuple(cited_rows) + lines.rows[len(items.items):], lines.source, lines.note)
    computed = ratios(items)
    merged = Computed(f"Statements read from {filing.filename}; periods: {', '.join(items.periods)}.",
                      (table,) + computed.tables, (), found.items, found.figures + computed.figures,
                      found.warnings + computed.warnings)
    return StepOutput(merged, tuple(passages), quotes, no_prose=True)
