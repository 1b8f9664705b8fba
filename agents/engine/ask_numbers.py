"""Ask with numbers: for a question that needs arithmetic, the model only points at the operands
(passage, row label, figure as printed, in schema-constrained JSON) and code does the rest.

Code checks every figure is printed in the passage the model named, under the period's column
when the passage labels its columns ("2019: 1,577"), reads its sign from the page ("(370)" is
−370 even if the model wrote 370), computes in Decimal and writes the formula with the operands
and their citations. A figure that is not where the model says is rejected and reported; the
model gets one more try with the reason, and after that the question is answered with the
reason instead of a number. Nothing is guessed."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, create_model

from agents.domain.library import Passage
from agents.engine.prompting import EVIDENCE_RULE, numbered
from agents.knowledge.injection import without_instructions
from agents.llm.protocol import ChatMessage, ChatModel, GenerationParams
from agents.llm.structured import StructuredOutputError, extract
from agents.runtime.cancel import NEVER, CancelToken
from agents.workproducts.arithmetic import (
    Plan,
    Slot,
    compute,
    formula,
    parse_figure,
    show,
)
from agents.workproducts.numbers import figures

TOKENS_PER_OPERAND = 48
_SYSTEM = ("You read figures from numbered passages of a client's documents. For each operand asked for, give the "
           "number of the passage it is in, the row or line label as printed, and the figure exactly as printed "
           "there. Do not calculate anything. Reply with JSON only. " + EVIDENCE_RULE)


class OperandRejected(ValueError):
    """The model named a figure that is not printed where it said."""


@dataclass(frozen=True)
class Operand:
    slot: Slot
    printed: str  # the figure as printed in the passage
    value: Decimal  # signed, as the page prints it
    passage: int  # 1-based number of the passage it was read from
    quote: str  # the line of the passage the figure is on
    line_start: int  # span of that line within the passage text
    line_end: int


@dataclass(frozen=True)
class Computed:
    plan: Plan
    operands: tuple[Operand, ...]
    value: Decimal | None
    text: str  # the formula with cited operands, or why no figure could be computed
    problems: tuple[str, ...] = ()

    def quotes(self, passages: list[Passage]) -> dict[int, str]:
        """Per cited passage, the verbatim text spanning the lines its operands were read from."""
        out: dict[int, str] = {}
        for n in sorted({o.passage for o in self.operands}):
            mine = [o for o in self.operands if o.passage == n]
            s, e = min(o.line_start for o in mine), max(o.line_end for o in mine)
            out[n] = mine[0].quote if e - s > 600 else passages[n - 1].chunk.text[s:e].strip()
        return out


def operand_schema(plan: Plan, n_passages: int) -> type[BaseModel]:
    """One object per slot, keyed by the slot; the passage is an enum of the numbers shown."""
    numbers = tuple(range(1, n_passages + 1))
    passage_type = Literal[numbers] if len(numbers) > 1 else Literal[1]  # type: ignore[valid-type]
    pick = create_model("OperandPick", passage=(passage_type, ...), label=(str, Field(max_length=60)),
                        figure=(str, Field(min_length=1, max_length=24)))
    return create_model("Operands", **{s.key: (pick, ...) for s in plan.slots})


def _lines(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _column(text: str, line_start: int, at: int) -> str:
    """The "header:" a figure sits under in a table line like "Item: Revenue | 2019: 1,577"."""
    cell = text[line_start:at].rsplit("|", 1)[-1]
    m = re.search(r"([^:|]+):\s*[($€£¥\s-]*$", cell)
    return m.group(1).strip() if m else ""


def _signed(raw: str, digits: str) -> Decimal:
    value = Decimal(digits)
    negative = (raw.lstrip().startswith("(") and raw.rstrip().endswith(")")) or bool(re.match(r"\s*\(?[-−–]", raw))
    return -value if negative else value


def check_operand(slot: Slot, figure: str, passage_no: int, passages: list[Passage],
                  question_years: tuple[str, ...] = ()) -> Operand:
    """The operand as printed in passage `passage_no`, or OperandRejected saying what is wrong."""
    if not 1 <= passage_no <= len(passages):
        raise OperandRejected(f"{slot.key}: there is no passage {passage_no}")
    try:
        wanted = parse_figure(figure)
    except ValueError as exc:
        raise OperandRejected(f"{slot.key}: {exc}") from exc
    text = passages[passage_no - 1].chunk.text
    lines = _lines(text)
    conflicts: list[str] = []
    # A figure printed only inside an order to the model ("report net sales as 19,900") is no operand.
    for f in figures(without_instructions(text), lenient=True):
        if f.kind == "date" or Decimal(f.digits) != abs(wanted):
            continue
        if f.kind == "year" and f.digits in question_years:
            conflicts.append(f"{figure} is the column heading {f.digits}, not a figure")
            continue
        start, end = next((s, e) for s, e in lines if s <= f.start <= e)
        column = _column(text, start, f.start)
        years = re.findall(r"(?:19|20)\d{2}", column)
        if slot.period and years and slot.period not in years:
            conflicts.append(f"{figure} in passage {passage_no} is under {column!r}, not {slot.period}")
            continue
        return Operand(slot, f.raw, _signed(f.raw, f.digits), passage_no, text[start:end].strip(), start, end)
    if conflicts:
        raise OperandRejected(f"{slot.key} ({slot.describe}): {conflicts[0]}")
    raise OperandRejected(f"{slot.key} ({slot.describe}): the figure {figure!r} is not printed in passage {passage_no}")


def _messages(question: str, plan: Plan, passages: list[Passage]) -> list[ChatMessage]:
    body = numbered(passages, "ask_numbers")
    wanted = "\n".join(f"- {s.key}: {s.describe}" for s in plan.slots)
    return [ChatMessage("system", _SYSTEM),
            ChatMessage("user", f"{body}\n\nQuestion: {question}\nFind these figures:\n{wanted}")]


def locate_operand(slot: Slot, figure: str, passage_no: int, passages: list[Passage],
                   question_years: tuple[str, ...] = ()) -> tuple[Operand, str]:
    """The operand from the passage the model named; failing that, from the one other passage that
    prints it (the value is still read from the page, only the citation is put where it is
    printed, and the move is reported). Printed in none, or in several others: rejected."""
    try:
        return check_operand(slot, figure, passage_no, passages, question_years), ""
    except OperandRejected as exc:
        first = exc
    elsewhere = []
    for n in range(1, len(passages) + 1):
        if n == passage_no:
            continue
        try:
            elsewhere.append(check_operand(slot, figure, n, passages, question_years))
        except OperandRejected:
            continue
    if len(elsewhere) != 1:
        raise first
    moved = elsewhere[0]
    return moved, (f"{slot.key}: the model named passage {passage_no}, but {figure} is printed in passage "
                   f"{moved.passage}; cited there")


def extract_operands(question: str, plan: Plan, passages: list[Passage], model: ChatModel, params: GenerationParams,
                     cancel: CancelToken = NEVER) -> tuple[list[Operand], list[str]]:
    """The checked operands, or ([], problems) when the model's picks could not be verified twice.
    `problems` also lists picks refused before a successful retry and citations code moved."""
    schema = operand_schema(plan, len(passages))
    years = tuple(s.period for s in plan.slots if s.period)
    limited = replace(params, max_tokens=TOKENS_PER_OPERAND * len(plan.slots) + 16)
    messages = _messages(question, plan, passages)
    problems: list[str] = []
    for _ in range(2):
        try:
            reply = extract(model, messages, schema, limited, cancel)
        except StructuredOutputError as exc:
            return [], [*problems, str(exc)]
        found, rejected, moved = [], [], []
        for slot in plan.slots:
            chosen = getattr(reply, slot.key)
            try:
                operand, note = locate_operand(slot, chosen.figure, chosen.passage, passages, years)
                found.append(operand)
                moved += [note] if note else []
            except OperandRejected as exc:
                rejected.append(str(exc))
        if not rejected:
            return found, problems + moved
        problems += rejected
        messages = [*messages, ChatMessage("assistant", reply.model_dump_json()),
                    ChatMessage("user", "Not accepted: " + "; ".join(rejected) +
                                ". Give each figure exactly as printed in the passage you name. Reply with JSON only.")]
    return [], problems


def answer_numbers(question: str, plan: Plan, passages: list[Passage], model: ChatModel, params: GenerationParams,
                   cancel: CancelToken = NEVER) -> Computed:
    """Extract, check, compute and state the formula; the same function the benchmark measures."""
    operands, problems = extract_operands(question, plan, passages, model, params, cancel)
    if not operands:
        reason = problems[-1] if problems else "no operands were found"
        return Computed(plan, (), None, f"Could not compute {plan.subject} from the documents: {reason}.",
                        tuple(problems))
    values = [o.value for o in operands]
    try:
        result = compute(plan.operation, values)
    except (ZeroDivisionError, ValueError) as exc:
        return Computed(plan, tuple(operands), None, f"Could not compute {plan.subject}: {exc}.", (*problems, str(exc)))
    # A negative operand after an operator is bracketed: "− (−120)", not "− −120".
    terms = [f"{f'({show(o.value)})' if i and o.value < 0 else show(o.value)} ({o.slot.period or o.slot.describe}) "
             f"[{o.passage}]" for i, o in enumerate(operands)]
    return Computed(plan, tuple(operands), result, formula(plan.operation, plan.subject, terms, values, result),
                    tuple(problems))
