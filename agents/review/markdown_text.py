"""Text from documents and models made inert for Markdown: a renderer shows it, never runs it.

A Markdown export is opened in viewers that render raw HTML, links, images and bare URLs (GFM
autolinks). A draft or answer quotes documents that may carry `<script>`, `<img onerror=…>`,
`[Click](https://…)` or `![pixel](https://…)`, and a model may repeat them; exported as they
are, they would run, link or fetch. So every piece of such text goes through `inert`: HTML's
`<`, `>` and `&` become entities, a bracket that would close a link or image is escaped, and URLs are
set as code spans, which no renderer links. Emphasis (`**`) is left alone: it renders, but it
cannot run or fetch anything, and the code's own bold positions use it."""
from __future__ import annotations

import re

_URL = re.compile(r"\b(?:https?|ftp|file|data|javascript|mailto|vbscript):[^\s<>`)]*|\bwww\.[^\s<>`)]+", re.I)
_SPECIAL = {"\\": "\\\\", "<": "&lt;", ">": "&gt;", "&": "&amp;", "`": "\\`"}
# A closing bracket that would make a link: "[t](url)", "[t][ref]", or a "[ref]: url" definition.
# Escaped, the brackets are text; a citation marker "[1]" alone is never a link and stays as is.
_LINK_CLOSE = re.compile(r"\](?=\s?[(\[:])")


def _escape(text: str) -> str:
    return _LINK_CLOSE.sub(r"\\]", "".join(_SPECIAL.get(c, c) for c in text))


def inert(text: str) -> str:
    """`text` as Markdown that renders as the same characters and holds no live HTML or link."""
    out, at = [], 0
    for m in _URL.finditer(text):
        out.append(_escape(text[at:m.start()]))
        out.append(f"`{m.group(0)}`")  # a code span: shown as typed, never a link
        at = m.end()
    out.append(_escape(text[at:]))
    return "".join(out)


_LIVE = [re.compile(p, re.I) for p in (
    r"<\s*/?\s*[a-z][a-z0-9]*(?:\s[^<>]*)?>",  # a raw HTML tag
    r"(?<!\\)!?(?<!\\)\[[^\]\n]*(?<!\\)\]\([^)\n]*\)",  # an inline link or image
    r"(?<!\\)\[[^\]\n]*(?<!\\)\]\s*\[[^\]\n]*\]",  # a reference link
    r"<(?:https?|mailto|ftp):[^>\s]*>",  # an autolink
)]
_BARE = re.compile(r"(?<![`\w])(?:https?://|www\.)[^\s`]+")


def live_markup(markdown: str) -> list[str]:
    """Raw HTML tags, links, images and bare URLs a Markdown renderer would make live, outside
    code spans: what the injection tests and benchmark count (target: none)."""
    spans = re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group(0)), markdown)  # code spans are inert
    found = [m.group(0) for p in _LIVE for m in p.finditer(spans)]
    return found + [m.group(0) for m in _BARE.finditer(spans)]
