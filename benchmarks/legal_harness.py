"""Product plumbing shared by the legal benchmarks: one matter per document, an extractor run
in the same StepContext the template runner builds, and a plain ask."""
from __future__ import annotations

from pathlib import Path

from agents.domain.events import Finished
from agents.domain.library import Document, DocumentStatus
from agents.engine.ask import Answer
from agents.engine.steps import ResolvedInputs, StepContext, StepOutput
from agents.services import Countersign
from agents.workproducts.playbooks import Playbook


def run_step(gen) -> StepOutput:
    """Drive an extractor generator to its return value (its events are progress only)."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def ingest_one(app: Countersign, matter: str, path: Path) -> Document | None:
    """The document as the only one of its own matter, so ask searches nothing else."""
    if matter not in {m.name for m in app.matters()}:
        app.create_matter(matter)
    for _ in app.ingest(matter, [path]):  # an unchanged file is skipped on a reused --data
        pass
    docs = [d for d in app.documents(matter) if d.status is DocumentStatus.INDEXED]
    return docs[0] if docs else None


def context(app: Countersign, matter: str, doc: Document, playbook: Playbook, template_id: str,
            item: dict[str, str]) -> StepContext:
    """What run_template hands the template's extraction section for this document."""
    template = app.templates()[template_id]
    spec = next(s for s in template.sections if s.extract)
    name = next(i.name for i in template.inputs if i.type in ("document", "documents"))
    inputs = ResolvedInputs(documents={name: [doc]}, playbook=playbook)
    return StepContext(template, spec, item, app.library.matter(matter).id, inputs, app.library, app.retriever,
                       app.model(), app.params(), [], {})


def ask(app: Countersign, matter: str, question: str) -> Answer | None:
    for event in app.ask(matter, question):
        if isinstance(event, Finished):
            return event.result
    return None


def cited_passages(answer: Answer | None) -> list:
    if answer is None:
        return []
    numbers = {c.number for c in answer.citations}
    return [p for n, p in enumerate(answer.passages, 1) if n in numbers]
