"""Agent logic with a scripted model: which clause is chosen, what is quoted, what is flagged.
(The same agent runs against the real model in tests/integration/test_loop.py.)"""
from agents.domain.events import Finished, Flag, TokenDelta
from agents.domain.library import Chunk, Document, DocumentStatus, Passage
from agents.engine.contract_review import best_clause, review_contract
from agents.llm.protocol import GenerationParams
from agents.runtime.cancel import CancelToken
from agents.workproducts.playbooks import bundled_playbook

PAGE = ("9. ASSIGNMENT\n9.1 Customer may not assign or transfer this Agreement without the prior\n"
        "written consent of Supplier.\n10. GOVERNING LAW\n10.1 This Agreement is governed by the laws of\n"
        "England and Wales.\n10.2 The courts of England have exclusive jurisdiction.")
DOC = Document("doc", "mat", "supply.pdf", "/x/supply.pdf", "pdf", "a" * 64, DocumentStatus.INDEXED, "", 1, 10, "now")


def passage(text=PAGE):
    return Passage(Chunk("doc:0", "doc", "mat", 4, 0, len(text), text, 60), "supply.pdf", "a" * 64, 0.5)


class ScriptedModel:
    model_id, sha256, n_ctx = "scripted", "b" * 64, 4096

    def __init__(self, reply):
        self.reply, self.prompts = reply, []

    def stream_chat(self, messages, params, cancel):
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

    def search(self, query, matter_id, k=5, document_id=None):
        return self.passages


def topic(key):
    return next(t for t in bundled_playbook().topics if t.key == key)


def test_quote_is_the_clause_sentence_not_its_heading_and_rejoins_wrapped_lines():
    _, quote, excerpt = best_clause(topic("governing_law"), [passage()])
    assert quote == "10.1 This Agreement is governed by the laws of England and Wales."
    assert excerpt.endswith("exclusive jurisdiction.") and "ASSIGNMENT" not in excerpt


def test_no_matching_clause_gives_a_not_found_finding_without_calling_the_model():
    model = ScriptedModel("unused")
    text = "1. PRICE\n1.1 The price is set out in Schedule 2 and is payable monthly."
    events = list(review_contract(DOC, bundled_playbook(), OnePageStore(), FixedRetriever([passage(text)]), model,
                                  GenerationParams(), CancelToken()))
    sections = {s.key: s for s in next(e for e in events if isinstance(e, Finished)).result}
    assert sections["indemnification"].body.startswith("No clause addressing indemnification")
    assert sections["indemnification"].citations == ()
    assert any(isinstance(e, Flag) and e.kind == "not_found" for e in events)


def test_invented_figure_is_flagged_and_the_citation_is_attached_by_code():
    model = ScriptedModel("The Agreement is governed by English law with a cap of 5,000,000.")
    events = list(review_contract(DOC, bundled_playbook(), OnePageStore(), FixedRetriever([passage()]), model,
                                  GenerationParams(), CancelToken()))
    law = next(s for s in next(e for e in events if isinstance(e, Finished)).result if s.key == "governing_law")
    assert law.citations[0].page == 4 and law.citations[0].quote.startswith("10.1")
    assert "[1]" in law.body
    assert law.flags == ("the figure 5000000 appears in no cited source",)
    assert "".join(e.text for e in events if isinstance(e, TokenDelta))
    assert "Firm standard" in model.prompts[0] and "10.1 This Agreement" in model.prompts[0]


def test_cancel_stops_between_topics():
    token = CancelToken()
    model = ScriptedModel("Fine.")
    events = []
    for e in review_contract(DOC, bundled_playbook(), OnePageStore(), FixedRetriever([passage()]), model,
                             GenerationParams(), token):
        events.append(e)
        if isinstance(e, TokenDelta):
            token.cancel()
    assert events[-1].cancelled is True
    assert len(model.prompts) == 1
