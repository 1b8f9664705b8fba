"""A contract review memo made the way the product makes one, without a model: a generated
contract stored in the real library (pages, chunks, keyword index), the contract-review
template run by the real engine over keyword search, a scripted model deciding each clause's
position, and the draft saved through the real review service."""
from __future__ import annotations

import hashlib
import json

from agents.domain.drafts import Draft
from agents.domain.events import Finished
from agents.domain.library import Chunk, Document, DocumentStatus, Page, Passage
from agents.domain.review_rules import DraftStatus
from agents.engine.runner import run_template
from agents.engine.steps import ResolvedInputs
from agents.knowledge.chunking import chunk_pages
from agents.llm.protocol import GenerationParams
from agents.runtime.cancel import CancelToken
from agents.runtime.clock import new_id, utc_now
from agents.runtime.resources import resource
from agents.workproducts.playbooks import bundled_playbook
from agents.workproducts.templates import load_template
from tests.engine.test_runner import ScriptedModel

# Lines wrapped mid-sentence as a PDF's text layer gives them, numbered clauses, headings.
CONTRACT_PAGES = [
    "MASTER SUPPLY AGREEMENT\n\nThis Master Supply Agreement is made between Northwind Components Ltd (the\n"
    "“Supplier”) and Zoë Ångström Trading AB (the “Customer”).\n\n1. TERM AND TERMINATION\n"
    "1.1 Either party may terminate this Agreement on ten (10) days’ written notice if the other\n"
    "party materially breaches it.\n2. PAYMENT\n2.1 Customer shall pay each invoice within ninety (90) days\n"
    "after receipt, in pounds sterling (£) or euro (€).",
    "3. LIMITATION OF LIABILITY\n3.1 In no event shall the Supplier’s aggregate liability under this Agreement\n"
    "exceed £5,000 — whatever the claim.\n4. ASSIGNMENT\n4.1 Neither party may assign this Agreement without the "
    "prior written consent of the other party.\n5. GOVERNING LAW\n5.1 This Agreement is governed by the laws of\n"
    "Scotland, without regard to its conflict of laws principles.",
]


def contract_text(pages=CONTRACT_PAGES) -> str:
    return "\n\n".join(pages)


def store_contract(app, matter: str, pages=CONTRACT_PAGES, filename: str = "supply_agreement.pdf",
                   doc_id: str = "") -> Document:
    m = app.library.matter(matter)
    digest = hashlib.sha256(contract_text(pages).encode("utf-8")).hexdigest()
    doc = Document(doc_id or new_id("doc"), m.id, filename, f"/clients/{filename}", "pdf", digest, DocumentStatus.INDEXED, "",
                   len(pages), 4096, utc_now())
    stored = [Page(n, text) for n, text in enumerate(pages, 1)]
    spans = chunk_pages(stored, lambda text: len(text.split()) + 2, max_tokens=60)
    chunks = [Chunk(f"{doc.id}:{i}", doc.id, m.id, s.page, s.start, s.end, s.text, s.tokens)
              for i, s in enumerate(spans)]
    app.library.record_document(doc, stored, chunks)
    return doc


class KeywordRetriever:
    """The library's own BM25 keyword search, standing in for the hybrid retriever (no embedder)."""

    def __init__(self, library, doc: Document) -> None:
        self.library, self.doc = library, doc

    def search(self, query, matter_id, k=5, document_id=None, pages=None):
        ids = self.library.keyword_search(query, matter_id, k, document_id, pages)
        chunks = self.library.chunks(ids)
        return [Passage(chunks[i], self.doc.filename, self.doc.content_hash, 1 / (n + 1)) for n, i in enumerate(ids)]


class PositionModel(ScriptedModel):
    """Says a clause meets the standard only when it contains one of `meets`."""

    def __init__(self, meets=("assign",)) -> None:
        super().__init__("The clause departs from the firm's standard.")
        self.meets = meets

    def stream_chat(self, messages, params, cancel):
        schema = params.json_schema or {}
        if schema and next(iter(schema["properties"].values())).get("enum") == ["yes", "no"]:
            clause = messages[-1].content.split("Statement:")[0].lower()
            yield json.dumps({"answer": "yes" if any(w in clause for w in self.meets) else "no"})
            return
        yield from super().stream_chat(messages, params, cancel)


def contract_memo(app, matter: str, doc: Document, meets=("assign",), preparer: str = "A. Associé") -> Draft:
    template = load_template(resource("workproducts", "contract_review.toml"))
    inputs = ResolvedInputs(documents={"contract": [doc]}, playbook=bundled_playbook())
    model = PositionModel(meets)
    events = run_template(template, doc.matter_id, inputs, app.library, KeywordRetriever(app.library, doc), model,
                          GenerationParams(), CancelToken())
    result = next(e for e in events if isinstance(e, Finished)).result
    provenance = {"template": {"id": template.id, "version": template.version},
                  "model": {"id": model.model_id, "sha256": model.sha256}, "inputs": inputs.summary()}
    draft = Draft(new_id("draft"), doc.matter_id, template.id, f"{template.title} — {doc.filename}", DraftStatus.DRAFT,
                  1, utc_now(), preparer, model.model_id, model.sha256, 0, result.sections, provenance=provenance)
    return app.review.create(draft)


MATTER = "Harbor Instruments"


def open_app(data_dir):
    """A real data directory with one matter, opened through the facade (a fixture's body)."""
    from agents.services import Countersign

    core = Countersign.open(str(data_dir))
    core.create_matter(MATTER)
    yield core
    core.close()
