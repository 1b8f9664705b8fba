"""The template engine with a scripted model: which clause is chosen and quoted, what the model
is asked, what the verifier flags, cancel. (Real-model runs: tests/integration/.)"""
import json

from agents.domain.events import Finished, Flag, Progress, StepStarted, TokenDelta
from agents.domain.library import Chunk, Document, DocumentStatus, Passage
from agents.engine.clauses import best_clause
from agents.engine.runner import run_template
from agents.engine.steps import ResolvedInputs
from agents.llm.protocol import GenerationParams
from agents.runtime.cancel import CancelToken
from agents.runtime.resources import resource
from agents.workproducts.playbooks import bundled_playbook
from agents.workproducts.templates import load_template

PAGE = ("9. ASSIGNMENT\n9.1 Customer may not assign or transfer this Agreement without the prior\n"
        "written consent of Supplier.\n10. GOVERNING LAW\n10.1 This Agreement is governed by the laws of\n"
        "England and Wales.\n10.2 The courts of England have exclusive jurisdiction.")
DOC = Document("doc", "mat", "supply.pdf", "/x/supply.pdf", "pdf", "a" * 64, DocumentStatus.INDEXED, "", 1, 10, "now")


def passage(text=PAGE):
    return Passage(Chunk("doc:0", "doc", "mat", 4, 0, len(text), text, 60), "supply.pdf", "a" * 64, 0.5)


class ScriptedModel:
    """Prose replies with `reply`; constrained calls get valid JSON for their schema."""
    model_id, sha256, n_ctx = "scripted", "b" * 64, 4096

    def __init__(self, reply, position="deviates"):
        self.reply, self.position, self.prompts, self.constrained = reply, position, [], 0

    def stream_chat(self, messages, params, cancel):
        if params.json_schema:
            self.constrained += 1
            field = next(iter(params.json_schema["properties"]))
            value = {"answer": "England and Wales"}
            if params.json_schema["properties"][field].get("enum") == ["yes", "no"]:
                value = {"answer": "yes" if self.position == "meets" else "no"}
            yield json.dumps(value)
            return
        self.prompts.append(messages[-1].content)
        words = self.reply.split(" ")
        yield from [words[0]] + [" " + w for w in words[1:]]

    def count_tokens(self, text):
        return len(text.split())


class OnePageStore:
    def page_text(self, document_id, page):
        return PAGE


class FixedRetriever:
    def __init__(self, passages):
        self.passages = passages

    def search(self, query, matter_id, k=5, document_id=None, pages=None):
        return self.passages


def review(model, passages, cancel=None):
    template = load_template(resource("workproducts", "contract_review.toml"))
    inputs = ResolvedInputs(documents={"contract": [DOC]}, playbook=bundled_playbook())
    return run_template(template, "mat", inputs, OnePageStore(), FixedRetriever(passages), model, GenerationParams(),
                        cancel or CancelToken())


def sections_of(events):
    return {s.key: s for s in next(e for e in events if isinstance(e, Finished)).result.sections}


def topic(key):
    return next(t for t in bundled_playbook().topics if t.key == key)


def test_quote_is_the_clause_sentence_not_its_heading_and_rejoins_wrapped_lines():
    _, quote, excerpt = best_clause(topic("governing_law"), [passage()])
    assert quote == "10.1 This Agreement is governed by the laws of England and Wales."
    assert excerpt.endswith("exclusive jurisdiction.") and "ASSIGNMENT" not in excerpt


def test_a_section_per_playbook_topic_with_the_scope_first():
    events = list(review(ScriptedModel("Fine."), [passage()]))
    keys = list(sections_of(events))
    assert keys[0] == "scope" and len(keys) == 1 + len(bundled_playbook().topics)
    assert any(isinstance(e, StepStarted) and e.name == "plan" for e in events)


def test_the_plan_names_each_playbook_clause_and_sections_count_through_them():
    events = list(review(ScriptedModel("Fine."), [passage()]))
    topics = [t.heading for t in bundled_playbook().topics]
    total = 1 + len(topics)
    plan = next(e for e in events if isinstance(e, StepStarted) and e.name == "plan")
    assert plan.detail == f"{total} sections: " + ", ".join(["Scope", *topics])  # no "{topic}" placeholder
    numbered = [e.detail for e in events if isinstance(e, StepStarted) and e.detail.startswith("section ")]
    assert numbered == [f"section {n} of {total}" for n in range(1, total + 1)]
    bar = [(e.done, e.total) for e in events if isinstance(e, Progress)]
    assert bar == [(n, total) for n in range(1, total + 1)]  # the bar moves with every clause


def test_missing_clause_is_marked_missing_with_the_fallback_and_no_model_call():
    model = ScriptedModel("unused")
    text = "1. PRICE\n1.1 The price is set out in Schedule 2 and is payable monthly."
    events = list(review(model, [passage(text)]))
    finding = next(s for s in sections_of(events).values() if s.heading == "Indemnification")
    assert "Position: **missing**" in finding.body and "Suggested revision" in finding.body
    assert finding.citations == ()
    assert any(isinstance(e, Flag) and e.kind == "not_found" for e in events)
    assert model.prompts == [] and model.constrained == 0


def test_clause_is_quoted_classified_by_constrained_output_and_invented_figures_flagged():
    model = ScriptedModel("The Agreement is governed by English law with a cap of 5,000,000.")
    events = list(review(model, [passage()]))
    law = next(s for s in sections_of(events).values() if s.heading == "Governing law")
    assert law.citations[0].page == 4 and law.citations[0].quote.startswith("10.1")
    assert "Position: **deviates**" in law.body and "Suggested revision (playbook fallback)" in law.body
    figure = [f for f in law.flags if f.kind == "unsupported_number"]
    assert len(figure) == 1 and figure[0].severity == "error"
    assert law.body[figure[0].start:figure[0].end].replace(",", "") == "5000000"
    assert not [f for f in law.flags if f.kind in ("quote_not_on_page", "uncited_sentence")]
    assert "".join(e.text for e in events if isinstance(e, TokenDelta))
    assert "Firm standard" in model.prompts[0] and "10.1 This Agreement" in model.prompts[0]


def test_a_clause_that_meets_the_standard_gets_no_revision():
    events = list(review(ScriptedModel("It meets the standard.", position="meets"), [passage()]))
    law = next(s for s in sections_of(events).values() if s.heading == "Governing law")
    assert "Position: **meets**" in law.body and "Suggested revision" not in law.body


def test_cancel_stops_between_sections_and_nothing_half_written_is_returned():
    token = CancelToken()
    model = ScriptedModel("Fine.")
    events = []
    for e in review(model, [passage()], token):
        events.append(e)
        if isinstance(e, TokenDelta):
            token.cancel()
    assert events[-1].cancelled is True
    assert len(model.prompts) == 1
    assert [s.key for s in events[-1].result.sections] == ["scope"]


def test_the_evidence_snapshot_records_chunks_documents_and_the_prompt():
    events = list(review(ScriptedModel("Fine."), [passage()]))
    snapshot = next(e for e in events if isinstance(e, Finished)).result.snapshot
    law = next(r for r in snapshot if r["item"].get("topic_key") == "governing_law")
    assert law["chunks"] == ["doc:0"] and law["documents"] == [f"supply.pdf ({'a' * 64})"]
    assert "10.1 This Agreement" in law["prompt"][1]


def test_clause_table_has_a_row_per_contract_and_cites_each_answer():
    other = Document("doc2", "mat", "other.pdf", "/x/other.pdf", "pdf", "d" * 64, DocumentStatus.INDEXED, "", 1, 1, "now")
    template = load_template(resource("workproducts", "dd_clause_table.toml"))
    inputs = ResolvedInputs(documents={"contracts": [DOC, other]}, playbook=bundled_playbook())
    events = list(run_template(template, "mat", inputs, OnePageStore(), FixedRetriever([passage()]),
                               ScriptedModel("England and Wales"), GenerationParams(), CancelToken()))
    table = sections_of(events)["table"]
    [grid] = table.tables
    assert [r[0] for r in grid.rows] == ["supply.pdf", "other.pdf"]
    law = grid.columns.index("Governing law")
    assert grid.rows[0][law] == "England and Wales [1]"
    assert grid.rows[0][grid.columns.index("Renewal")] == "not found"
    assert {c.number for c in table.citations} == set(range(1, len(table.citations) + 1))
    assert table.citations[0].quote.startswith("10.1 This Agreement is governed")
    assert not [f for f in table.flags if f.severity == "error"]


def test_an_invented_figure_in_a_clause_table_cell_is_flagged_with_its_row_and_column():
    template = load_template(resource("workproducts", "dd_clause_table.toml"))
    inputs = ResolvedInputs(documents={"contracts": [DOC]}, playbook=bundled_playbook())
    events = list(run_template(template, "mat", inputs, OnePageStore(), FixedRetriever([passage()]),
                               ScriptedModel("Capped at $100,000."), GenerationParams(), CancelToken()))
    flags = [f for f in sections_of(events)["table"].flags if f.kind == "unsupported_number"]
    assert flags and flags[0].severity == "error" and flags[0].message.startswith("Clause table, supply.pdf / ")


def test_generation_stops_once_the_sections_sentence_limit_is_written():
    class CountingModel(ScriptedModel):
        streamed: list[int] = []  # pieces taken from each prose call

        def stream_chat(self, messages, params, cancel):
            if not params.json_schema:
                self.streamed.append(0)
            for piece in super().stream_chat(messages, params, cancel):
                if not params.json_schema:
                    self.streamed[-1] += 1
                yield piece

    rambling = " ".join(f"Sentence {i} says the clause is governed by English law." for i in range(1, 30))
    model = CountingModel(rambling)
    law = next(s for s in sections_of(review(model, [passage()])).values() if s.heading == "Governing law")
    assert "Sentence 3" in law.body and "Sentence 4" not in law.body  # the template allows three
    words_per_sentence = len("Sentence 1 says the clause is governed by English law.".split())
    assert model.streamed and max(model.streamed) <= 3 * words_per_sentence + 1, "generated what was thrown away"


def test_a_figure_in_one_contracts_cell_is_not_vouched_for_by_another_contracts_page():
    capped = PAGE + "\n8.2 Liability is capped at $100,000."
    other = Document("doc2", "mat", "other.pdf", "/x/other.pdf", "pdf", "d" * 64, DocumentStatus.INDEXED, "", 1, 1, "now")
    texts = {"doc": capped, "doc2": PAGE}

    class TwoContracts:
        def search(self, query, matter_id, k=5, document_id=None, pages=None):
            text = texts[document_id]
            return [Passage(Chunk(f"{document_id}:0", document_id, "mat", 4, 0, len(text), text, 60),
                            f"{document_id}.pdf", "a" * 64, 0.5)]

    class Pages:
        def page_text(self, document_id, page):
            return texts[document_id]

    template = load_template(resource("workproducts", "dd_clause_table.toml"))
    inputs = ResolvedInputs(documents={"contracts": [DOC, other]}, playbook=bundled_playbook())
    events = list(run_template(template, "mat", inputs, Pages(), TwoContracts(), ScriptedModel("Capped at $100,000."),
                               GenerationParams(), CancelToken()))
    flagged = {f.message.split(" / ")[0] for f in sections_of(events)["table"].flags if f.kind == "unsupported_number"}
    assert "Clause table, other.pdf" in flagged and "Clause table, supply.pdf" not in flagged
