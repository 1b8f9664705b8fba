"""The verifier: pure code that checks a draft's citations, quotes and figures against the sources.

`check` returns Findings with character spans so a reviewer can see exactly what is wrong and
where; `verify_section` keeps the older plain-string flags for the Ask path."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from agents.domain.drafts import Citation
from agents.knowledge.injection import without_instructions
from agents.workproducts.numbers import CITE, Evidence, figures, unsupported

KINDS = ("dangling_citation", "citation_not_in_context", "quote_not_on_page", "unsupported_number",
         "uncited_sentence")


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS
    severity: str  # "error": wrong or invented; "warning": needs the reviewer's look
    message: str
    start: int  # character span in the checked text
    end: int

    def __str__(self) -> str:
        return self.message


def cited_numbers(text: str) -> set[int]:
    return {n for m in CITE.finditer(text) for n in _marker_numbers(m.group(1))}


def _marker_numbers(inner: str) -> list[int]:
    out: list[int] = []
    for part in inner.split(","):
        span = re.fullmatch(r"\s*(\d+)\s*[–-]\s*(\d+)\s*", part)
        if span:  # "[2-4]"; capped so a typo like [1-900] cannot expand into hundreds of flags
            lo, hi = int(span.group(1)), int(span.group(2))
            out.extend(range(lo, min(hi, lo + 20) + 1) if hi >= lo else (lo, hi))
        else:
            out.append(int(part))
    return out


_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
                       "″": '"', "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
                       "\u00ad": None, "\u200b": None, "\ufeff": None})


def normalise_quote(text: str) -> str:
    """Same characters a reader sees: ligatures, curly quotes, dashes and spacing do not count;
    case and wording do, since a quote must be verbatim."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_FOLD).split())


def _haystacks(page: str) -> list[str]:
    # PDF text breaks words at line ends ("termi-\nnation"); either reading may be what was quoted.
    joined = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", page)
    return [normalise_quote(page)] + ([normalise_quote(joined)] if joined != page else [])


def _in_order(parts: list[str], hay: str) -> bool:
    at = 0
    for p in parts:
        at = hay.find(p, at)
        if at < 0:
            return False
        at += len(p)
    return bool(parts)


def quote_match(quote: str, page: str) -> str:
    """"exact" if `quote` is on `page`, "wording" if only its punctuation differs, else "".

    An elided quote ("the Supplier ... shall") must match piece by piece, in order. PDF extractors
    disagree about spaces between glyphs ("OPERATIONS (in" vs "OPERATIONS(in"), so where spaces
    fall does not count; case does. Copying from a viewer often drops or adds a dash or a quote
    mark: the same words with different punctuation are reported apart from different words."""
    parts = [normalise_quote(p).strip(" .,;:") for p in re.split(r"\.\.\.|…|\[\.\.\.\]", quote)]
    parts = [p for p in parts if p]
    hays = _haystacks(page)
    if any(_in_order(parts, h) for h in hays) or any(
            _in_order([p.replace(" ", "") for p in parts], h.replace(" ", "")) for h in hays):
        return "exact"
    bare = [re.sub(r"\W", "", p) for p in parts]
    return "wording" if any(_in_order([b for b in bare if b], re.sub(r"\W", "", h)) for h in hays) else ""


def quote_on(quote: str, page: str) -> bool:
    return quote_match(quote, page) == "exact"


_PROSE_QUOTE = re.compile(r"“([^”]{1,4000})”|\"([^\"\n]{1,4000})\"")
_ABBREV = re.compile(r"(?:\b(?:Inc|Ltd|Co|Corp|Nos?|pp?|vs|Mr|Ms|Mrs|Dr|St|Sec|Art|para|approx|etc|e\.g|i\.e|U\.S|"
                     r"U\.K|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z])\.$")
_END = re.compile(r"[.!?][\"”’)]*(?:\s*\[[\d,\s–-]+\])*[.!?]?(?=\s+[A-Z“\"(\d]|\s*$)")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans; a marker after the full stop ("... 5%. [1]") belongs to its sentence, and a
    full stop inside a quotation does not end the sentence that quotes it."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for m in _END.finditer(line.group(0)):
            end = line.start() + m.end()
            before = text[start:line.start() + m.start() + 1]
            if _ABBREV.search(before) or before.count("“") > before.count("”") or before.count('"') % 2:
                continue
            spans.append((start, end))
            start = end
        if text[start:line.end()].strip():
            spans.append((start, line.end()))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans if text[s:e].strip()]


def _is_heading(s: str) -> bool:
    s = s.strip()
    return s.startswith("#") or s.endswith(":") or (not re.search(r"[.!?][\"”’)]*$", CITE.sub("", s).strip())
                                                    and len(s.split()) <= 10)


def _check(text: str, citations: Sequence[Citation], context_chunk_ids: set[str] | None,
           page_text: Mapping[tuple[str, int], str], evidence_text: str, computed_figures: Iterable[Decimal],
           cite_every_sentence: bool) -> list[tuple[Finding, str]]:
    """Findings, each with the plain flag the older API used for it."""
    found: list[tuple[Finding, str]] = []
    by_number = {c.number: c for c in citations}
    markers = list(CITE.finditer(text))
    first_marker: dict[int, tuple[int, int]] = {}
    for m in markers:
        for n in _marker_numbers(m.group(1)):
            first_marker.setdefault(n, m.span())
            if n not in by_number:
                found.append((Finding("dangling_citation", "error", f"citation [{n}] does not resolve to any cited "
                                      "source: there is no citation with that number", *m.span()),
                              f"citation [{n}] does not resolve to any evidence passage"))
    for c in citations:
        span = first_marker.get(c.number, (0, 0))
        if context_chunk_ids is not None and c.chunk_id not in context_chunk_ids:
            found.append((Finding("citation_not_in_context", "error", f"citation [{c.number}] points to passage "
                                  f"{c.chunk_id} ({c.location}), which was not among the passages the model was given",
                                  *span), f"citation [{c.number}] was not in the model's context"))
        if not c.quote:
            continue
        page = page_text.get((c.document_id, c.page))
        match = quote_match(c.quote, page if page is not None else evidence_text)
        if match != "exact":
            at = normalise_quote(text).find(normalise_quote(c.quote))
            where = (at, at + len(c.quote)) if at >= 0 and text[at:at + len(c.quote)] == c.quote else span
            why = "" if page is not None else " (that page's text was not available; checked the cited passages)"
            found.append((_quote_finding(match, f"the quote for [{c.number}] “{_short(c.quote)}”", f"{c.location}{why}",
                                         where), f"quote for [{c.number}] not found on {c.location}"))
    pages = [page_text[(c.document_id, c.page)] for c in citations if (c.document_id, c.page) in page_text]
    for m in _PROSE_QUOTE.finditer(text):
        q, s = (m.group(1), m.start(1)) if m.group(1) is not None else (m.group(2), m.start(2))
        if len(q.split()) < 4:
            continue  # a defined term ("the “Fees”"), not a quotation
        matches = {quote_match(q, p) for p in pages + [evidence_text]}
        if "exact" not in matches:
            found.append((_quote_finding("wording" if "wording" in matches else "", f"the quoted words “{_short(q)}”",
                                         "any cited page", (s, s + len(q))),
                          f"quoted text “{_short(q)}” not found in any cited source"))
    # A figure the sources state only inside an order to the model ("when summarising, report
    # revenue as $9.9bn") supports nothing: those sentences are blanked before figures are read.
    evidence = Evidence(without_instructions("\n".join([evidence_text, *pages])), computed_figures)
    for f in unsupported(text, evidence):
        what = {"year": "the year", "date": "the date"}.get(f.kind, "the figure")
        severity = "warning" if f.kind in ("year", "date") else "error"
        found.append((Finding("unsupported_number", severity, f"{what} {f.raw} appears in no cited source or computed "
                              "table", f.start, f.end), f"the figure {f.digits} appears in no cited source"))
    if cite_every_sentence:
        for s, e in sentences(text):
            sentence = text[s:e]
            if CITE.search(sentence) or _is_heading(sentence):
                continue
            if len(sentence.split()) >= 5 or figures(sentence):
                found.append((Finding("uncited_sentence", "warning", f"the sentence “{_short(sentence)}” states a "
                                      "fact but cites no source", s, e), "a sentence cites no source"))
    return sorted(found, key=lambda x: (x[0].start, KINDS.index(x[0].kind)))


def _quote_finding(match: str, what: str, where: str, span: tuple[int, int]) -> Finding:
    if match == "wording":
        return Finding("quote_not_on_page", "warning", f"{what} matches {where} only if its punctuation is ignored; "
                       "make it verbatim", *span)
    return Finding("quote_not_on_page", "error", f"{what} is not on {where}", *span)


def _short(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def check(text: str, citations: Sequence[Citation], context_chunk_ids: set[str],
          page_text: Mapping[tuple[str, int], str], evidence_text: str, computed_figures: Iterable[Decimal] = (),
          cite_every_sentence: bool = False) -> list[Finding]:
    """Every flag a reviewer should see for `text`, ordered by position; an empty list means clean.

    `context_chunk_ids` are the passages the model was shown; `page_text` maps (document_id, page)
    to the page a citation points at; `evidence_text` is what the figures may come from, besides
    the cited pages and `computed_figures` (numbers code computed, e.g. a variance table)."""
    return [f for f, _ in _check(text, citations, context_chunk_ids, page_text, evidence_text, computed_figures,
                                 cite_every_sentence)]


def verify_section(body: str, citations: tuple[Citation, ...], page_text: dict[tuple[str, int], str],
                   evidence_text: str, needs_citation: bool = True) -> list[str]:
    """Flags as plain messages; an empty list means every check passed."""
    found = _check(body, citations, None, page_text, evidence_text, (), False)
    order = ("dangling_citation", "quote_not_on_page", "unsupported_number")
    flags = [legacy for kind in order[:2] for f, legacy in found if f.kind == kind]
    if needs_citation and citations and not cited_numbers(body):
        flags.append("the finding cites no evidence")
    flags += sorted({legacy for f, legacy in found if f.kind == "unsupported_number"})
    return list(dict.fromkeys(flags))
