"""What a template's `extract` and `compute` names refer to, and the context they run in.

An extraction step is a generator: it may stream events (progress, tokens) and it returns a
StepOutput. A computation is a pure function of ComputeInputs. Both are looked up by name, so
a template can only call code that ships with the product."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Generator

from agents.domain.library import Document, Passage
from agents.knowledge.library_store import LibraryStore
from agents.knowledge.retriever import Retriever
from agents.llm.protocol import ChatModel, GenerationParams
from agents.runtime.cancel import NEVER, CancelToken
from agents.workproducts.computed import Computed, ComputeInputs
from agents.workproducts.playbooks import Playbook
from agents.workproducts.templates import SectionSpec, Template


@dataclass
class ResolvedInputs:
    documents: dict[str, list[Document]] = field(default_factory=dict)  # document / documents inputs
    tables: dict[str, Document] = field(default_factory=dict)  # table inputs (indexed XLSX/CSV)
    playbook: Playbook | None = None
    values: dict[str, str] = field(default_factory=dict)  # thresholds and free text, as given

    def table_paths(self) -> dict[str, Path]:
        return {name: Path(doc.path) for name, doc in self.tables.items()}

    def summary(self) -> dict[str, object]:
        """What the draft records about its inputs (names and hashes, not contents)."""
        out: dict[str, object] = {n: [f"{d.filename} ({d.content_hash})" for d in docs]
                                  for n, docs in self.documents.items()}
        out.update({n: f"{d.filename} ({d.content_hash})" for n, d in self.tables.items()})
        if self.playbook:
            out["playbook"] = f"{self.playbook.id} v{self.playbook.version}"
        out.update(self.values)
        return out


@dataclass
class StepContext:
    template: Template
    section: SectionSpec
    item: dict[str, str]
    matter_id: str
    inputs: ResolvedInputs
    store: LibraryStore
    retriever: Retriever
    model: ChatModel
    params: GenerationParams
    passages: list[Passage]
    earlier: dict[str, Computed]
    cancel: CancelToken = NEVER

    def compute_inputs(self) -> ComputeInputs:
        return ComputeInputs(self.inputs.table_paths(), dict(self.inputs.values), dict(self.earlier))


@dataclass(frozen=True)
class StepOutput:
    computed: Computed = field(default_factory=Computed)
    # Evidence the step rests on, cited in its text as [1], [2], ... in this order; a step that
    # returns none leaves the retrieved passages as the section's evidence.
    passages: tuple[Passage, ...] = ()
    quotes: dict[int, str] = field(default_factory=dict)  # citation number -> verbatim quote
    body: str = ""  # text the step wrote, with [n] markers
    vars: dict[str, str] = field(default_factory=dict)  # extra placeholders for the prompt
    no_prose: bool = False  # the step said all there is to say (e.g. the clause is missing)
    flags: tuple[tuple[str, str, str], ...] = ()  # (kind, severity, message) for the reviewer


class _Vars(dict):
    def __missing__(self, key: str) -> str:  # a placeholder with no value stays visible, not fatal
        return "{" + key + "}"


def fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(_Vars(values)) if text else ""


Extractor = Callable[[StepContext], Generator[object, None, StepOutput]]
Computation = Callable[[ComputeInputs], Computed]

EXTRACTORS: dict[str, Extractor] = {}
COMPUTATIONS: dict[str, Computation] = {}


def extractor(name: str):
    def register(fn: Extractor) -> Extractor:
        EXTRACTORS[name] = fn
        return fn
    return register


def computation(name: str, fn: Computation) -> None:
    COMPUTATIONS[name] = fn
