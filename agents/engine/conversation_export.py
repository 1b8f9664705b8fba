"""An Ask conversation as text: one answer with its citations (for the clipboard), and the whole
conversation as Markdown or DOCX, each answer followed by the passages it cites.

Answers are a model's words and nobody has reviewed them, so every export says so first."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from agents.engine.ask import Answer
from agents.review.export_docx import xml_safe
from agents.review.markdown_text import inert

NOT_REVIEWED = ("NOT REVIEWED — answers written by a model from the matter's documents; check each against "
                "its cited source before relying on it.")
FORMATS = ("md", "docx")


def citation_lines(answer: Answer) -> list[str]:
    # A passage that reads as instructions to a model says so beside its citation.
    return [f"[{c.number}] {c.location}" + (f" — warning: {w}" if (w := answer.warning(c.number)) else "")
            for c in answer.citations]


def plain_answer(answer: Answer) -> str:
    """The answer and its numbered sources, so a pasted answer still says where it came from."""
    lines = citation_lines(answer)
    return answer.text.strip() + ("\n\nSources:\n" + "\n".join(lines) if lines else "\n\n(No cited sources.)")


def cited_passages(answer: Answer) -> list[tuple[str, str]]:
    """(citation line, passage text) for each citation, the passage found by its chunk id."""
    by_chunk = {p.chunk.id: p.chunk.text for p in answer.passages}
    return [(line, by_chunk.get(c.chunk_id, c.quote)) for line, c in zip(citation_lines(answer), answer.citations)]


def to_markdown(matter: str, answers: Sequence[Answer], exported_at: str) -> str:
    out = [f"# Questions and answers — {inert(matter)}", "", f"> **{NOT_REVIEWED}**", "", f"Exported {exported_at} (UTC).", ""]
    for n, a in enumerate(answers, 1):
        # Question, answer, flags and passages are user, model and document text: all made inert.
        out += [f"## {n}. {inert(a.question.strip())}", "", inert(a.text.strip()), ""]
        out += [f"> Check: {inert(f)}" for f in a.flags] + ([""] if a.flags else [])
        sources = cited_passages(a)
        out += ["**Sources**", ""] if sources else ["*No cited sources: treat this answer as unsupported.*", ""]
        for line, text in sources:
            out += [f"- {inert(line)}", ""] + [f"  > {inert(row)}" for row in text.strip().splitlines() if row.strip()] + [""]
    return "\n".join(out) + "\n"


def to_docx(matter: str, answers: Sequence[Answer], exported_at: str, path: Path) -> None:
    import docx

    doc = docx.Document()
    for section in doc.sections:  # on every page, as the drafts' DRAFT mark is
        section.header.paragraphs[0].text = NOT_REVIEWED
    doc.add_heading(xml_safe(f"Questions and answers — {matter}"), level=0)
    doc.add_paragraph().add_run(NOT_REVIEWED).bold = True
    doc.add_paragraph(f"Exported {exported_at} (UTC).")
    for n, a in enumerate(answers, 1):
        doc.add_heading(xml_safe(f"{n}. {a.question.strip()}"), level=1)
        for para in a.text.strip().split("\n\n"):
            doc.add_paragraph(xml_safe(para))
        for f in a.flags:
            doc.add_paragraph().add_run(xml_safe(f"Check: {f}")).italic = True
        sources = cited_passages(a)
        if not sources:
            doc.add_paragraph().add_run("No cited sources: treat this answer as unsupported.").italic = True
        for line, text in sources:
            doc.add_paragraph(xml_safe(line), style="List Bullet")
            doc.add_paragraph(xml_safe(f"“{text.strip()}”"), style="Quote")
    doc.save(str(path))


def write(matter: str, answers: Sequence[Answer], fmt: str, exported_at: str, path: Path) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"a conversation exports as one of: {', '.join(FORMATS)}")
    if not answers:
        raise ValueError("there is no answer to export yet; ask a question first")
    if fmt == "md":
        path.write_text(to_markdown(matter, answers, exported_at), encoding="utf-8")
    else:
        to_docx(matter, answers, exported_at, path)
