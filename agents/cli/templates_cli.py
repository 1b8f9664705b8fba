"""`countersign templates list|check`: what work products exist, and whether a firm's own
template file is valid (every problem with its line, before anyone runs it)."""
from __future__ import annotations

from pathlib import Path

from agents.cli.output import emit_json, err
from agents.engine.registry import step_names
from agents.runtime.paths import resolve_data_dir
from agents.workproducts import templates
from agents.workproducts.playbooks import PlaybookError, find_playbook


def check_file(path: Path) -> list[tuple[int | None, str]]:
    """Every problem in a template file as (line, message); empty when it is valid."""
    try:
        template = templates.load_template(path)
    except templates.TemplateError as exc:
        return exc.problems
    text = path.read_text(encoding="utf-8")
    extractors, computations = step_names()
    problems = []
    for n, s in enumerate(template.sections):
        if s.extract and s.extract not in extractors:
            problems.append((templates.line_of(text, ("sections", n, "extract")),
                             f"sections[{n}].extract: unknown step '{s.extract}'; known: {', '.join(sorted(extractors))}"))
        if s.compute and s.compute not in computations:
            problems.append((templates.line_of(text, ("sections", n, "compute")),
                             f"sections[{n}].compute: unknown computation '{s.compute}'; known: {', '.join(sorted(computations))}"))
    for n, i in enumerate(template.inputs):
        if i.type == "playbook" and i.default is not None:
            try:
                find_playbook(str(i.default))
            except PlaybookError as exc:
                problems.append((templates.line_of(text, ("inputs", n, "default")), f"inputs[{n}].default: {exc}"))
    return problems


def dispatch(args) -> int:
    if args.action == "check":
        problems = check_file(args.file)
        if args.json:
            emit_json({"file": str(args.file), "valid": not problems,
                       "problems": [{"line": line, "message": m} for line, m in problems]})
        else:
            for line, message in problems:
                err(f"{args.file}:{line or '-'}: {message}")
            if not problems:
                print(f"{args.file}: valid")
        return 1 if problems else 0
    firm = resolve_data_dir(args.data_dir).root / "templates"
    found = {tid: templates.load_template(p) for tid, p in templates.available(firm).items()}
    if args.json:
        emit_json({"templates": [{"id": t.id, "title": t.title, "version": t.version, "domain": t.domain,
                                  "description": t.description,
                                  "inputs": [{"name": i.name, "type": i.type, "label": i.label, "required": i.required,
                                              "default": i.default} for i in t.inputs]} for t in found.values()]})
        return 0
    for t in sorted(found.values(), key=lambda t: (t.domain, t.id)):
        inputs = ", ".join(f"{i.name}:{i.type}" + ("" if i.required and i.default is None else "?") for i in t.inputs)
        print(f"{t.id:22} {t.domain:10} {t.title} (v{t.version})\n{'':33} inputs: {inputs or 'none'}")
    print(f"\nFirm templates are read from {firm}")
    return 0
