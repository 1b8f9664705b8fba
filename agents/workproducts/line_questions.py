"""The small questions the model is asked about statement lines, and the checks on its answers.

A 0.5B model cannot read a statement page, but it can choose among four to eight short lines
shown as "label: figure | figure". Each answer is schema-constrained JSON; every figure it gives
must be printed on the page, on the line it chose, in the column asked for, or it is dropped."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, create_model

from agents.llm.protocol import ChatMessage, ChatModel, GenerationParams
from agents.llm.structured import StructuredOutputError, extract
from agents.runtime.cancel import CancelToken
from agents.workproducts.line_labels import ItemSpec
from agents.workproducts.statement_rows import Row, StatementPage, printed_figures

MAX_LINES = 8
ANSWER_TOKENS = 48
_KIND = {"income": "income statement", "balance": "balance sheet", "cash_flow": "cash flow statement"}
_SYSTEM = "You read lines of a company's financial statements. Reply with JSON only."


@dataclass(frozen=True)
class Candidate:
    page: StatementPage
    row: Row
    label: str  # the part of the row label that matched
    quote: str
    rank: tuple[int, bool]  # (index of the matching label pattern, a run-in heading was cut off)


def options(shown: list[Candidate]) -> list[str]:
    """How each line is named to the model: a letter and its label. Numbers would be confused with
    the figures (a 0.5B model answered line 2017 of 4), so the choice is an enum of these names."""
    return [f"{chr(ord('A') + i)}) {c.label}" for i, c in enumerate(shown)]


def _schema(shown: list[Candidate], read: bool) -> type[BaseModel]:
    choice = Literal[tuple(options(shown))]  # type: ignore[valid-type]
    if read:
        return create_model("LineReading", line=(choice, ...), current=(str, ...), prior=(str, ...))
    return create_model("LineChoice", line=(choice, ...))


def _listing(shown: list[Candidate]) -> str:
    page = shown[0].page
    unit = f" (in {page.unit})" if page.unit else ""
    lines = [f"{name}: {' | '.join(f.printed.replace(' ', '') for f in c.row.figures)}"
             for name, c in zip(options(shown), shown)]
    return (f"Lines from the {_KIND.get(page.kind, page.kind)}{unit}.\nColumns: {' | '.join(page.periods)}\n"
            + "\n".join(lines))


def _ask(model: ChatModel, text: str, schema, params: GenerationParams, cancel: CancelToken):
    messages = [ChatMessage("system", _SYSTEM), ChatMessage("user", text)]
    return extract(model, messages, schema, replace(params, max_tokens=ANSWER_TOKENS), cancel)


def pick_line(spec: ItemSpec, found: list[Candidate], model: ChatModel, params: GenerationParams,
              cancel: CancelToken) -> tuple[Candidate, list[str]]:
    """The model's choice among rows whose labels match equally well; code's first match if it
    gives no valid line number (that is still a row code matched, not a guess)."""
    shown = sorted(found, key=lambda c: c.page.rows.index(c.row))[:MAX_LINES]
    first = min(found, key=lambda c: c.rank)
    question = f"{_listing(shown)}\n\nWhich line is the company's {spec.name.lower()}? Reply {{\"line\": \"<line>\"}}."
    try:
        chosen = _ask(model, question, _schema(shown, read=False), params, cancel).line
    except StructuredOutputError as exc:
        return first, [f"{spec.name}: the model gave no valid answer ({exc}); used the line '{first.label}'"]
    return shown[options(shown).index(chosen)], []


def _amount(text: str) -> Decimal | None:
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".").strip(".")
    try:
        return abs(Decimal(digits)) if digits else None
    except InvalidOperation:
        return None


def check_figure(said: str, c: Candidate, column: int) -> str:
    """Empty when `said` is the figure printed in `column` of the chosen line; otherwise why not."""
    page, name = c.page, c.label
    amount = _amount(said)
    if amount is None:
        return f"'{said}' is not a figure"
    if not any(abs(f.value) == amount for f in printed_figures(page.text)):
        return f"{said} does not appear on p. {page.page}"
    if abs(c.row.figures[column].value) == amount:
        return ""
    other = next((page.periods[i] for i, f in enumerate(c.row.figures) if abs(f.value) == amount), None)
    if other:
        return f"{said} is the {other} figure of '{name}', not the {page.periods[column]} one"
    return f"{said} is on p. {page.page} but not on the line '{name}'"


def read_values(spec: ItemSpec, shown: list[Candidate], columns: list[int], model: ChatModel,
                params: GenerationParams, cancel: CancelToken,
                build: Callable[[Candidate, list[int]], list]) -> tuple[list, list[str]]:
    """The model picks the line and reads the current and prior figures; code keeps only the
    figures that check out. `build` makes the line items for the accepted columns."""
    shown = shown[:MAX_LINES]
    periods = [shown[0].page.periods[i] for i in columns]
    prior = periods[1] if len(periods) > 1 else periods[0]
    question = (f"{_listing(shown)}\n\nWhich line is the company's {spec.name.lower()}? Give its {periods[0]} and "
                f"{prior} amounts exactly as printed. Reply {{\"line\": \"<line>\", \"current\": \"<{periods[0]} "
                f"amount>\", \"prior\": \"<{prior} amount>\"}}.")
    try:
        answer = _ask(model, question, _schema(shown, read=True), params, cancel)
    except StructuredOutputError as exc:
        return [], [f"{spec.name}: not found; the model gave no valid answer ({exc})"]
    chosen = shown[options(shown).index(answer.line)]
    # A line whose label only resembles the item (shown because its label mentions "assets") is
    # not taken when a line labelled as the item is on the page: a 0.5B model has picked "Total
    # current assets" for total assets, and its figures were printed, so the figure check alone
    # would have passed it.
    unmatched = len(spec.labels)
    labelled = next((c for c in shown if c.rank[0] < unmatched), None)
    if chosen.rank[0] == unmatched and labelled is not None:
        return [], [f"{spec.name}: not found; the model chose the line '{chosen.label}', but '{labelled.label}' "
                    f"is the line labelled {spec.name.lower()}"]
    kept, warnings = [], []
    for column, said in zip(columns, (answer.current, answer.prior)):
        why = check_figure(said, chosen, column)
        if why:
            warnings.append(f"{spec.name} {chosen.page.periods[column]}: not found; the model's figure was dropped "
                            f"because {why}")
        else:
            kept.append(column)
    return (build(chosen, kept) if kept else []), warnings
