"""Every step a template may name: the legal extractors, the accounting and finance
computations, and the statement extraction. Importing this module registers them all."""
from __future__ import annotations

# Importing these registers contract.clause(_table), evidence.quotes and financials.statements.
from agents.engine import clauses, evidence, financial_steps  # noqa: F401
from agents.engine.steps import COMPUTATIONS, EXTRACTORS, Computation, Extractor, computation as register
from agents.workproducts import budget, flux

register("flux.tie_out", flux.tie_out)
register("flux.variances", flux.variances)
register("budget.variances", budget.variances)


def extractor(name: str) -> Extractor:
    try:
        return EXTRACTORS[name]
    except KeyError:
        raise LookupError(f"unknown extraction step '{name}'; known: {', '.join(sorted(EXTRACTORS))}") from None


def computation(name: str) -> Computation:
    try:
        return COMPUTATIONS[name]
    except KeyError:
        raise LookupError(f"unknown computation '{name}'; known: {', '.join(sorted(COMPUTATIONS))}") from None


def step_names() -> tuple[set[str], set[str]]:
    return set(EXTRACTORS), set(COMPUTATIONS)
