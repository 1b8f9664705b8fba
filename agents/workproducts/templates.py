"""Work-product templates: TOML data files (resources/workproducts/*.toml, or a firm's own)
that say what a draft needs as input and, section by section, what to retrieve, extract,
compute and ask the model to write. The format is documented in docs/templates.md.

Errors name the file and line, because a firm's IT team edits these by hand."""
from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agents.runtime.resources import resources_root

_NAME = r"^[a-z][a-z0-9_]*$"
INPUT_TYPES = ("document", "documents", "table", "playbook", "threshold", "text")


class TemplateError(ValueError):
    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.detail = str(path), line, message
        self.problems: list[tuple[int | None, str]] = [(line, message)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputSpec(_Strict):
    name: str = Field(pattern=_NAME)
    type: Literal["document", "documents", "table", "playbook", "threshold", "text"]
    label: str
    required: bool = True
    default: str | float | int | None = None
    help: str = ""


class SectionSpec(_Strict):
    key: str = Field(pattern=_NAME)
    heading: str
    text: str = ""  # written by code, with {placeholders}
    for_each: str = ""  # repeat per item of an earlier section (its key) or of "playbook" topics
    queries: list[str] = []
    scope: str = "matter"  # "matter", or the name of a document(s) input to search only within
    top_k: int = Field(6, ge=1, le=40)
    # Keep only passages naming every word of this (e.g. "{account}"): a passage that does not
    # name the account cannot explain its movement, and then `if_no_evidence` is said instead.
    must_mention: str = ""
    extract: str = ""  # an extraction step (code that may use constrained model output)
    compute: str = ""  # a computation (pure code)
    prompt: str = ""  # what the model writes, from {evidence} and {computed}; empty: no prose
    citations: Literal["every_sentence", "optional", "none"] = "optional"
    if_no_evidence: str = ""  # said instead of prose when the queries find nothing
    max_tokens: int = Field(220, ge=16, le=2048)
    max_sentences: int = Field(0, ge=0, le=50)  # prose is cut after this many sentences (0: no limit)


class Template(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    version: str
    domain: Literal["legal", "accounting", "finance", "tax", "other"]
    description: str
    system: str = ""  # the model's standing instruction for every section (a default applies)
    inputs: list[InputSpec] = []
    sections: list[SectionSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> "Template":
        names = [i.name for i in self.inputs]
        _unique(names, "input")
        _unique([s.key for s in self.sections], "section")
        earlier: list[str] = []
        for n, s in enumerate(self.sections):
            if s.for_each and s.for_each != "playbook" and s.for_each not in earlier:
                raise _At(("sections", n, "for_each"), f"'{s.for_each}' is not an earlier section's key or 'playbook'")
            if s.for_each == "playbook" and "playbook" not in {i.type for i in self.inputs}:
                raise _At(("sections", n, "for_each"), "for_each = 'playbook' needs an input of type 'playbook'")
            if s.scope != "matter" and s.scope not in {i.name for i in self.inputs if i.type in ("document", "documents")}:
                raise _At(("sections", n, "scope"), f"'{s.scope}' is not 'matter' or a document input's name")
            for field in ("text", "prompt", "heading", "if_no_evidence", "must_mention"):
                _check_placeholders(getattr(s, field), ("sections", n, field))
            for q in s.queries:
                _check_placeholders(q, ("sections", n, "queries"))
            earlier.append(s.key)
        return self

    def input(self, name: str) -> InputSpec:
        return next(i for i in self.inputs if i.name == name)


class _At(ValueError):
    """A cross-field error with the location it belongs to (pydantic would blame the root)."""

    def __init__(self, loc: tuple, message: str) -> None:
        super().__init__(message)
        self.loc = loc


def _unique(names: list[str], what: str) -> None:
    seen = set()
    for n in names:
        if n in seen:
            raise ValueError(f"{what} '{n}' is defined twice")
        seen.add(n)


def _check_placeholders(text: str, loc: tuple) -> None:
    try:
        list(string.Formatter().parse(text))
    except ValueError as exc:  # an unmatched brace would fail only when the section runs
        raise _At(loc, f"bad placeholder: {exc} (write {{{{ and }}}} for literal braces)") from None


def line_of(text: str, loc: tuple) -> int | None:
    """The line a pydantic error location points at: `[[sections]]` number loc[1], then the key
    loc[2] inside it; a top-level key before any table header; else the closest header."""
    lines = text.splitlines()
    if not loc:
        return None
    if len(loc) >= 2 and isinstance(loc[1], int):
        headers = [i for i, ln in enumerate(lines) if re.match(rf"^\s*\[\[\s*{re.escape(str(loc[0]))}\s*\]\]", ln)]
        if loc[1] >= len(headers):
            return None
        start = headers[loc[1]]
        end = next((i for i in range(start + 1, len(lines)) if re.match(r"^\s*\[", lines[i])), len(lines))
        if len(loc) >= 3:
            for i in range(start + 1, end):
                if re.match(rf"^\s*{re.escape(str(loc[2]))}\s*=", lines[i]):
                    return i + 1
        return start + 1
    for i, ln in enumerate(lines):
        if re.match(r"^\s*\[", ln):
            break
        if re.match(rf"^\s*{re.escape(str(loc[0]))}\s*=", ln):
            return i + 1
    return None


def parse_template(text: str, path: Path | str = "<template>") -> Template:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise TemplateError(path, int(match.group(1)) if match else None, f"not valid TOML: {exc}") from None
    try:
        return Template.model_validate(raw)
    except ValidationError as exc:
        problems = [_problem(text, err) for err in exc.errors()]
        first = problems[0]
        error = TemplateError(path, first[0], first[1])
        error.problems = problems  # every (line, message), for `countersign templates check`
        raise error from None


def _problem(text: str, err: dict) -> tuple[int | None, str]:
    cause = (err.get("ctx") or {}).get("error")
    loc = cause.loc if isinstance(cause, _At) else tuple(err["loc"])
    message = str(cause) if isinstance(cause, _At) else err["msg"]
    if err["type"] == "extra_forbidden":
        message = f"unknown key (see docs/templates.md for the keys a {'section' if 'sections' in loc else 'template'} takes)"
    dotted = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[") or "template"
    return line_of(text, loc), f"{dotted}: {message}"


def load_template(path: Path) -> Template:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(path, None, f"cannot read: {exc}") from None
    return parse_template(text, path)


def template_dirs(extra: Path | None = None) -> list[Path]:
    """Bundled templates, then those of the firm profile baked into the build, then the data
    directory's own; a later template with an earlier one's id replaces it."""
    dirs = [resources_root() / "workproducts", resources_root() / "firm" / "workproducts"]
    return [d for d in dirs if d.is_dir()] + ([extra] if extra is not None and extra.is_dir() else [])


def available(extra: Path | None = None) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in template_dirs(extra):
        for path in sorted(folder.glob("*.toml")):
            found[load_template(path).id] = path
    return found
