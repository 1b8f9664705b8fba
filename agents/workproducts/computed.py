"""What a deterministic computation hands the engine: tables, items to explain, and the figures
it produced, so the verifier accepts a number the code computed and nothing the model made up.

Computations are plain functions registered by name (agents/workproducts/computations.py); a
template names them in a section's `compute` key. They never call the model."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # cells already formatted the way the workpaper prints them
    source: str = ""  # where the figures came from, e.g. "trial_balance.xlsx!A1:E24"
    note: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes  # rendered by code (Pillow); embedded in exports


@dataclass(frozen=True)
class Computed:
    text: str = ""  # prose written by code (e.g. "Debits equal credits: 11,943,550.")
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    # One dict per thing a later section explains (a flagged account, a line item); its values
    # fill that section's query and prompt placeholders, e.g. {"account": "Revenue", ...}.
    items: tuple[dict[str, str], ...] = ()
    # Every number the code computed or read, so prose that repeats one is not flagged.
    figures: tuple[Decimal, ...] = ()
    warnings: tuple[str, ...] = ()  # go to the reviewer as flags (e.g. "debits do not equal credits")


@dataclass(frozen=True)
class ComputeInputs:
    """What a computation may read: table files by input name, scalar inputs (thresholds, free
    text) by input name, and the outputs of sections computed before it (by section key)."""

    tables: dict[str, Path] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    earlier: dict[str, Computed] = field(default_factory=dict)


class ComputeError(ValueError):
    """The input cannot be computed on (a missing column, an unreadable table); the message
    names the file and what to fix."""
