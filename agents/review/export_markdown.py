"""Markdown export: the draft as the reviewer reads it, a banner while it is unsigned, the
sign-off certificate once it is signed, and the appendix of cited sources. Every piece of
document, model or user text is made inert (markdown_text.inert): no live HTML, link or image."""
from __future__ import annotations

from agents.domain.drafts import Draft, Section, SectionTable
from agents.review.certificate import (CERTIFICATE_NOTE, DRAFT_MARK, SourceQuote, certificate, certificate_lines, is_signed,
                                       source_heading, source_quotes)
from agents.review.markdown_text import inert


def table_markdown(t: SectionTable) -> str:
    def row(cells) -> str:
        return "| " + " | ".join(inert(str(c).replace("|", "/")) for c in cells) + " |"
    lines = [f"**{inert(t.title)}**", "", row(t.columns), "|" + "|".join("---" for _ in t.columns) + "|"]
    lines += [row(r) for r in t.rows]
    lines += [""] + [inert(x) for x in (f"Source: {t.source}" if t.source else "", t.note) if x]
    return "\n".join(lines).rstrip()


def section_markdown(s: Section) -> list[str]:
    """A section's body, then its computed tables, then a line per chart."""
    out = [inert(s.body), ""] if s.body else []
    for t in s.tables:
        out += [table_markdown(t), ""]
    out += [f"[Chart: {inert(c.title)}]" for c in s.charts] + ([""] if s.charts else [])
    return out


def to_markdown(draft: Draft, audit_head: str, sources: tuple[SourceQuote, ...] | None = None) -> str:
    signed = is_signed(draft)
    out = [] if signed else [f"> **{DRAFT_MARK}** — status: {draft.status.value.replace('_', ' ')}; "
                             "not signed off, not for reliance.", ""]
    out += [f"# {inert(draft.title)}", ""]
    for s in draft.sections:
        out += [f"## {inert(s.heading)}", ""] + section_markdown(s)
        out += [f"> Verifier flag: {inert(str(f))}" for f in s.flags] + ([""] if s.flags else [])
    quotes = source_quotes(draft) if sources is None else sources
    if quotes:
        out += ["## Appendix: cited sources", ""]
        for n, q in enumerate(quotes, 1):
            out += [f"{n}. {inert(source_heading(q))}", "", f"   > {inert(q.passage)}", ""]
    if signed:
        out += ["## Sign-off", "", CERTIFICATE_NOTE, ""]
        out += [f"- {inert(line)}" for line in certificate_lines(certificate(draft, audit_head))]
    else:
        out += ["## Status", "", f"- {DRAFT_MARK} (status: {draft.status.value})", f"- Audit log head: {audit_head}"]
    return "\n".join(out) + "\n"
