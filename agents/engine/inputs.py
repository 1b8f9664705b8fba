"""Turning what a user typed (`--input name=value`, the form in the window) into a template's
typed inputs, with an error that names the input and says what would be accepted."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Callable

from agents.domain.library import Document, DocumentStatus
from agents.engine.steps import ResolvedInputs
from agents.knowledge.parsers import TABLE_KINDS
from agents.workproducts.playbooks import PlaybookError, find_playbook
from agents.workproducts.templates import Template


class InputError(ValueError):
    pass


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    """["materiality=50000", "contract=a.pdf"] -> dict; a pair without '=' is a usage error."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"'{pair}' is not name=value (e.g. --input materiality=50000)")
        out[name.strip()] = value.strip()
    return out


def resolve(template: Template, given: dict[str, str], documents: list[Document],
            find: Callable[[str], Document]) -> ResolvedInputs:
    known = {i.name for i in template.inputs}
    for name in given:
        if name not in known:
            raise InputError(f"{template.id} has no input '{name}'; its inputs are: {', '.join(sorted(known)) or 'none'}")
    out = ResolvedInputs()
    for spec in template.inputs:
        raw = given.get(spec.name)
        value = raw if raw not in (None, "") else (None if spec.default is None else str(spec.default))
        if spec.type == "documents":
            refs = [r.strip() for r in value.split(",") if r.strip()] if value else []
            docs = [find(r) for r in refs] or [d for d in documents if d.status is DocumentStatus.INDEXED
                                               and d.kind not in TABLE_KINDS]
            if not docs and spec.required:
                raise InputError(f"{spec.label}: the matter has no indexed documents; ingest some first")
            out.documents[spec.name] = docs
            continue
        if value is None:
            if spec.required:
                raise InputError(f"missing input '{spec.name}' ({spec.label}); give it with --input {spec.name}=...")
            continue
        if spec.type == "document":
            out.documents[spec.name] = [find(value)]
        elif spec.type == "table":
            doc = find(value)
            if doc.kind not in TABLE_KINDS:
                raise InputError(f"{spec.label}: {doc.filename} is a {doc.kind} file; give an XLSX or CSV table")
            out.tables[spec.name] = doc
        elif spec.type == "playbook":
            try:
                out.playbook = find_playbook(value)
            except PlaybookError as exc:
                raise InputError(f"{spec.label}: {exc}") from None
        elif spec.type == "threshold":
            try:
                amount = Decimal(value.replace(",", "").replace("_", ""))
            except InvalidOperation:
                raise InputError(f"{spec.label}: '{value}' is not a number (e.g. 50000 or 2.5)") from None
            if amount < 0:
                raise InputError(f"{spec.label}: must not be negative")
            out.values[spec.name] = str(amount)
        else:
            out.values[spec.name] = value
    return out
