import json
from decimal import Decimal

import openpyxl
import pytest

from agents.domain.events import Finished, StepStarted
from agents.domain.library import Chunk, Passage
from agents.engine.ask import ask, numbers_answer
from agents.engine.ask_numbers import (
    OperandRejected,
    answer_numbers,
    check_operand,
    operand_schema,
)
from agents.llm.protocol import GenerationParams, Usage
from agents.runtime import settings as settings_mod
from agents.services import Countersign
from agents.workproducts.arithmetic import plan

TABLE = ("Income statement (in millions)\n"
         "Revenue | 2019: 5,400 | 2018: 4,900\n"
         "Operating income | 2019: 1,577 | 2018: 1,000\n"
         "Restructuring | 2019: (370) | 2018: (120)")
NOTE = "Operating income rose on higher volumes; the board approved a dividend of 0.43 per share."
QUESTION = "What is the change in operating income from 2018 to 2019?"


def passage(n: int, text: str) -> Passage:
    return Passage(Chunk(f"c{n}", "doc1", "m1", 3, 0, len(text), text, len(text) // 4, ""), "annual.pdf", "h" * 64, 1.0)


PASSAGES = [passage(1, TABLE), passage(2, NOTE)]


class ScriptedModel:
    """Replies with canned operand JSON, one reply per call, and records what it was told."""

    model_id, sha256, n_ctx = "scripted", "0" * 64, 4096
    last_usage = Usage(0, 0)

    def __init__(self, *replies: dict) -> None:
        self.replies, self.calls = list(replies), []

    def stream_chat(self, messages, params, cancel):
        self.calls.append((messages, params))
        yield json.dumps(self.replies.pop(0))

    def count_tokens(self, text: str) -> int:
        return len(text) // 4


class OneRetriever:
    def search(self, query, matter_id, k, *args):
        return PASSAGES


def pick(passage_no: int, label: str, figure: str) -> dict:
    return {"passage": passage_no, "label": label, "figure": figure}


def test_operands_are_checked_computed_and_cited_with_their_lines():
    model = ScriptedModel({"y2019": pick(1, "Operating income", "1,577"), "y2018": pick(1, "Operating income", "1,000")})
    events = list(ask(QUESTION, "m1", OneRetriever(), model, GenerationParams()))
    assert any(isinstance(e, StepStarted) and e.name == "extract" for e in events)
    answer = events[-1].result
    assert answer.text == "Change in operating income = 1,577 (2019) [1] − 1,000 (2018) [1] = 577"
    assert [c.number for c in answer.citations] == [1]
    assert answer.citations[0].quote == "Operating income | 2019: 1,577 | 2018: 1,000"
    assert answer.flags == ()
    # the passage is an enum of the numbers shown, so the model cannot name passage 7
    schema = model.calls[0][1].json_schema
    assert schema["$defs"]["OperandPick"]["properties"]["passage"]["enum"] == [1, 2]


def test_the_sign_comes_from_the_page_not_from_the_model():
    p = plan("What is the change in restructuring from 2018 to 2019?")
    model = ScriptedModel({"y2019": pick(1, "Restructuring", "370"), "y2018": pick(1, "Restructuring", "120")})
    computed = answer_numbers("q", p, PASSAGES, model, GenerationParams())
    assert [o.value for o in computed.operands] == [Decimal(-370), Decimal(-120)]
    assert computed.value == Decimal(-250)
    assert "−370 (2019) [1] − (−120) (2018) [1] = −250" in computed.text


def test_a_figure_not_printed_in_its_passage_is_rejected_and_reported_never_guessed():
    wrong = {"y2019": pick(2, "Operating income", "1,757"), "y2018": pick(1, "Operating income", "1,000")}
    model = ScriptedModel(wrong, wrong)
    events = list(ask(QUESTION, "m1", OneRetriever(), model, GenerationParams()))
    answer = events[-1].result
    assert "'1,757' is not printed in passage 2" in answer.text
    assert "= " not in answer.text and answer.citations == () and answer.flags
    # the retry told the model why its first answer was refused
    assert "not printed in passage 2" in model.calls[1][0][-1].content


def test_a_figure_printed_in_one_other_passage_is_cited_where_it_is_printed_and_reported():
    model = ScriptedModel({"y2019": pick(2, "Operating income", "1,577"), "y2018": pick(1, "Operating income", "1,000")})
    computed = answer_numbers(QUESTION, plan(QUESTION), PASSAGES, model, GenerationParams())
    assert computed.value == Decimal(577) and [o.passage for o in computed.operands] == [1, 1]
    assert "named passage 2, but 1,577 is printed in passage 1" in computed.problems[0]


def test_a_rejected_pick_corrected_on_the_retry_is_accepted_and_flagged():
    first = {"y2019": pick(1, "Operating income", "1,000"), "y2018": pick(1, "Operating income", "1,000")}
    second = {"y2019": pick(1, "Operating income", "1,577"), "y2018": pick(1, "Operating income", "1,000")}
    model = ScriptedModel(first, second)
    computed = answer_numbers(QUESTION, plan(QUESTION), PASSAGES, model, GenerationParams())
    assert computed.value == Decimal(577)
    assert "under '2018', not 2019" in computed.problems[0]
    answer = numbers_answer(QUESTION, computed, PASSAGES)
    assert any("not 2019" in f for f in answer.flags)


def test_a_column_heading_is_not_an_operand():
    slot = plan(QUESTION).slots[0]
    with pytest.raises(OperandRejected, match="column heading 2019"):
        check_operand(slot, "2019", 1, PASSAGES, ("2019", "2018"))


def test_percentage_of_across_passages_cites_both():
    q = "What is operating income as a percentage of revenue in 2019?"
    p = plan(q)
    model = ScriptedModel({"numerator": pick(1, "Operating income", "1,577"), "denominator": pick(1, "Revenue", "5,400")})
    computed = answer_numbers(q, p, PASSAGES, model, GenerationParams())
    assert computed.value == Decimal("29.20")
    assert computed.text.endswith("= 29.20%")
    quote = computed.quotes(PASSAGES)[1]
    assert quote.startswith("Revenue |") and quote.endswith("2018: 1,000")


def test_questions_without_arithmetic_take_the_streamed_path():
    class Plain(ScriptedModel):
        def stream_chat(self, messages, params, cancel):
            self.calls.append((messages, params))
            yield "Revenue was 5,400 in 2019 [1]."

    model = Plain()
    events = list(ask("What was revenue in 2019?", "m1", OneRetriever(), model, GenerationParams()))
    assert not any(isinstance(e, StepStarted) and e.name == "extract" for e in events)
    assert model.calls[0][1].json_schema is None
    assert events[-1].result.text.startswith("Revenue was 5,400")


def test_schema_has_one_object_per_slot():
    schema = operand_schema(plan("What is the average revenue for 2017-2019?"), 3).model_json_schema()
    assert set(schema["properties"]) == {"y2019", "y2018", "y2017"}


@pytest.mark.integration
def test_real_model_answers_a_table_change_question_with_the_formula(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Income"
    ws.append(["Line item", "2019", "2018"])
    ws.append(["Revenue", 5400, 4900])
    ws.append(["Operating income", 1577, 1000])
    ws.append(["Net income", 1120, 800])
    wb.save(tmp_path / "results.xlsx")
    data = tmp_path / "data"
    data.mkdir()
    settings_mod.save(settings_mod.Settings(max_tokens=120, n_threads=2), data / "settings.json")
    app = Countersign.open(str(data))
    try:
        app.create_matter("Acme")
        list(app.ingest("Acme", [tmp_path / "results.xlsx"]))
        events = list(app.ask("Acme", QUESTION))
    finally:
        app.close()
    finished = events[-1]
    assert isinstance(finished, Finished)
    answer = finished.result
    assert answer.text.startswith("Change in operating income = 1,577 (2019) [1] − 1,000 (2018) [1] = 577"), answer.text
    assert answer.citations and answer.citations[0].filename == "results.xlsx"
    assert "1577" in answer.citations[0].quote
