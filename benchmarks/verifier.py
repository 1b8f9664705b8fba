"""Does the verifier catch planted errors in real drafts, and leave clean ones alone?

Clean drafts are built from real material: (a) FinanceBench analyst answers, sentence by sentence,
citing their evidence pages, plus a quoted line of the evidence text; (b) CUAD clauses that
lawyers labelled, quoted from their contract. Page text comes from the PDFs through pypdf, the way
the product reads them; the FinanceBench quotes come from the dataset's own extraction, so a
quote must survive a second extractor's spacing, dashes and quote marks.

Into each clean draft one error at a time is planted: a digit changed, a figure scaled by ten, a
quote swapped for a plausible sentence from another document, a marker to a citation that does not
exist, a citation to a passage the model was never given. A plant counts as detected when a
finding covers the edited span (or, for the context plant, names that citation). Prints one JSON
object: detection rate per plant, false flags on the clean drafts with examples.

Usage:
  .venv/bin/python benchmarks/verifier.py [--financebench DIR] [--cuad DIR] [--limit N] [--examples K]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.domain.drafts import Citation
from agents.workproducts.numbers import CITE
from agents.workproducts.verifier import Finding, check, sentences

DATA = REPO.parent / "shared" / "data"
PLANTS = ("digit_changed", "scaled_by_ten", "quote_replaced", "dangling_marker", "chunk_not_in_context")
_NUMBER = re.compile(r"(?<![\w.,\[])\d+(?:,\d{3})*(?:\.\d+)?(?![\w\]])")


@dataclass
class Draft:
    source: str  # "financebench:<id>" or "cuad:<file>#<category>"
    text: str
    citations: tuple[Citation, ...]
    pages: dict[tuple[str, int], str]
    evidence: str
    quote: str  # the quote as it appears in the text and in citation [1]
    computed: tuple[Decimal, ...] = ()
    prose_end: int = 0  # numbers are planted in the prose before this offset
    context: set[str] = field(default_factory=set)


class Pdfs:
    """pypdf page text, one reader per file, the same extraction the product's parser uses."""

    def __init__(self) -> None:
        self._readers: dict[Path, object] = {}

    def page(self, path: Path, index: int) -> str:
        import pypdf

        if path not in self._readers:
            reader = pypdf.PdfReader(str(path))
            if reader.is_encrypted:
                reader.decrypt("")
            self._readers[path] = reader
        reader = self._readers[path]
        if not 0 <= index < len(reader.pages):
            return ""
        return (reader.pages[index].extract_text() or "").replace("\x00", "").replace("\r\n", "\n")


def _citation(n: int, doc: str, page: int, quote: str = "") -> Citation:
    return Citation(n, f"{doc}:{page}", doc, Path(doc).name, "0" * 64, page, 0, 0, quote)


def _quote_line(evidence: str) -> str:
    """The longest prose-like run of the evidence (most words, fewest digits), 8 to 30 words."""
    runs = [" ".join(r.split()) for r in re.split(r"\n\s*\n|(?<=[.;:])\s+", evidence)]
    runs = [" ".join(r.split()[:30]) for r in runs if len(r.split()) >= 8]
    return max(runs, key=lambda r: len(re.findall(r"[A-Za-z]{3,}", r)) - 3 * len(re.findall(r"\d", r)), default="")


def financebench(folder: Path, pdfs: Pdfs, limit: int) -> list[Draft]:
    drafts = []
    for line in (folder / "questions.jsonl").read_text().splitlines()[:limit]:
        q = json.loads(line)
        answer = " ".join((q.get("answer") or "").split())
        if not answer or not q["evidence"]:
            continue
        pages, cites, evidence = {}, [], []
        for i, ev in enumerate(q["evidence"], 1):
            page = ev["evidence_page_num"] + 1
            pages[(ev["doc_name"], page)] = pdfs.page(folder / "pdfs" / f"{ev['doc_name']}.pdf", page - 1)
            cites.append(_citation(i, ev["doc_name"], page))
            evidence.append(ev["evidence_text"])
        marker = "[" + ", ".join(str(c.number) for c in cites) + "]"
        spans = sentences(answer)
        if len(answer.split()) < 4:  # bare answers ("$1577.00", "24.26") stated as a sentence
            prose = f"The answer is {answer} {marker}."
        else:
            prose = " ".join(re.sub(r"\s*([.!?]?)$", rf" {marker}\1", answer[s:e].strip(), count=1) for s, e in spans)
        quote = _quote_line(evidence[0])
        text = prose + (f"\n\nThe filing states: “{quote}” [1]." if quote else "")
        cites[0] = replace(cites[0], quote=quote)
        # the metrics questions are computed by the analyst: in the product code computes them
        computed = tuple(Decimal(n.replace(",", "")) for n in _NUMBER.findall(answer)) \
            if q["question_type"] == "metrics-generated" else ()
        drafts.append(Draft(f"financebench:{q['financebench_id']}", text, tuple(cites), pages, "\n".join(evidence),
                            quote, computed, len(prose), {c.chunk_id for c in cites}))
    return drafts


def cuad(folder: Path, pdfs: Pdfs, limit: int) -> list[Draft]:
    drafts = []
    contracts = {json.loads(r)["filename"]: json.loads(r)["pdf"] for r in (folder / "contracts.jsonl").read_text().splitlines()}
    for line in (folder / "labels.jsonl").read_text().splitlines():
        label = json.loads(line)
        for span in label["spans"]:
            words = len(span["text"].split())
            if not 6 <= words <= 80 or not span.get("pdf_page"):
                continue
            doc = label["filename"]
            page_text = pdfs.page(folder / contracts[doc], span["pdf_page"] - 1)
            quote = " ".join(span["text"].split())
            prose = f"On {label['category'].lower()}, the contract provides: “{quote}” [1]."
            cite = _citation(1, doc, span["pdf_page"], quote)
            drafts.append(Draft(f"cuad:{doc}#{label['category']}", prose, (cite,), {(doc, span["pdf_page"]): page_text},
                                page_text, quote, (), len(prose), {cite.chunk_id}))
            break
        if len(drafts) >= limit:
            break
    return drafts


def run(d: Draft) -> list[Finding]:
    return check(d.text, d.citations, d.context, d.pages, d.evidence, d.computed, cite_every_sentence=True)


def _digits(s: str) -> str:
    return s.replace(",", "")


def _absent(number: str, d: Draft) -> bool:
    """The planted figure must really be wrong: its value appears nowhere in the evidence or computed."""
    hay = d.evidence + " " + " ".join(d.pages.values())
    known = {Decimal(_digits(n)) for n in _NUMBER.findall(hay)} | set(d.computed)
    return Decimal(_digits(number)) not in known


def _numbers(d: Draft) -> list[re.Match]:
    markers = [m.span() for m in CITE.finditer(d.text)]
    return [m for m in _NUMBER.finditer(d.text[:d.prose_end])
            if any(ch not in "0.," for ch in m.group(0)) and not any(a <= m.start() < b for a, b in markers)]


def plant(kind: str, d: Draft, rng: random.Random, others: list[tuple[str, str]]) -> tuple[Draft, tuple[int, int]] | None:
    if kind in ("digit_changed", "scaled_by_ten"):
        for m in rng.sample(_numbers(d), len(_numbers(d))):
            old = m.group(0)
            if kind == "digit_changed":
                spots = [i for i, ch in enumerate(old) if ch.isdigit()]
                i = rng.choice(spots)
                new = old[:i] + rng.choice([c for c in "0123456789" if c != old[i] and (i or c != "0")]) + old[i + 1:]
            else:
                decimals = len(old.split(".")[1]) if "." in old else 0
                value = Decimal(_digits(old)) * 10
                new = f"{value:,.{decimals}f}" if "," in old else f"{value:.{decimals}f}"
            if _absent(new, d):
                text = d.text[:m.start()] + new + d.text[m.end():]
                return replace(d, text=text), (m.start(), m.start() + len(new))
        return None
    if kind == "quote_replaced":
        if not d.quote:
            return None
        pages = " ".join(" ".join(p.split()) for p in d.pages.values())
        doc = d.citations[0].document_id  # another contract's clause: plausible, and not on this page
        candidates = [q for other, q in others if other != doc and q not in pages and q not in " ".join(d.evidence.split())]
        if not candidates:
            return None
        new = rng.choice(candidates)
        at = d.text.index(d.quote)
        text = d.text[:at] + new + d.text[at + len(d.quote):]
        cites = (replace(d.citations[0], quote=new),) + d.citations[1:]
        return replace(d, text=text, citations=cites), (at, at + len(new))
    if kind == "dangling_marker":
        marker = f"[{len(d.citations) + 1}]"
        _, e = sentences(d.text)[0]
        at = e - 1 if d.text[e - 1] in ".!?" else e
        return replace(d, text=d.text[:at] + " " + marker + d.text[at:]), (at + 1, at + 1 + len(marker))
    ghost = replace(d.citations[0], chunk_id=d.citations[0].chunk_id + "-not-retrieved")
    return replace(d, citations=(ghost,) + d.citations[1:]), (-1, -1)


def detected(kind: str, found: list[Finding], span: tuple[int, int]) -> list[Finding]:
    if kind == "chunk_not_in_context":
        return [f for f in found if f.kind == "citation_not_in_context"]
    return [f for f in found if f.start < span[1] and span[0] < f.end]


def evaluate(drafts: list[Draft], examples: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    clean_flags, flagged = [], 0
    for d in drafts:
        found = run(d)
        flagged += bool(found)
        clean_flags += [(d, f) for f in found]
    quotes = [(d.citations[0].document_id, d.quote) for d in drafts if d.quote]
    plants = {}
    for kind in PLANTS:
        cases, hits, by_kind, missed, skipped = 0, 0, Counter(), [], 0
        for d in drafts:
            planted = plant(kind, d, rng, quotes)
            if planted is None:
                skipped += 1
                continue
            bad, span = planted
            cases += 1
            caught = detected(kind, run(bad), span)
            hits += bool(caught)
            by_kind.update({f.kind for f in caught})
            if not caught and len(missed) < examples:
                missed.append({"source": d.source, "text": bad.text[max(0, span[0] - 80):span[1] + 80]})
        plants[kind] = {"cases": cases, "detected": hits, "rate": round(hits / cases, 4) if cases else None,
                        "not_applicable": skipped, "caught_by": dict(by_kind), "missed": missed}
    return {
        "drafts": len(drafts),
        "clean": {"flagged_drafts": flagged, "flagged_rate": round(flagged / len(drafts), 4) if drafts else None,
                  "findings": len(clean_flags), "by_kind": dict(Counter(f"{f.kind}/{f.severity}" for _, f in clean_flags)),
                  "examples": [{"source": d.source, "kind": f.kind, "severity": f.severity, "message": f.message,
                                "span": d.text[f.start:f.end][:160]} for d, f in clean_flags[:examples]]},
        "planted": plants,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--financebench", type=Path, default=DATA / "financebench-dev")
    ap.add_argument("--cuad", type=Path, default=DATA / "cuad-dev")
    ap.add_argument("--limit", type=int, default=1000, help="drafts per data set")
    ap.add_argument("--examples", type=int, default=5, help="examples of false flags and misses to list")
    args = ap.parse_args()
    for folder in (args.financebench, args.cuad):
        if not folder.is_dir():
            sys.exit(f"data folder {folder} not found; pass --financebench / --cuad")
    started = time.perf_counter()
    pdfs = Pdfs()
    sets = {"financebench": financebench(args.financebench, pdfs, args.limit), "cuad": cuad(args.cuad, pdfs, args.limit)}
    report = {name: evaluate(drafts, args.examples) for name, drafts in sets.items()}
    totals = {k: sum(r["planted"][k]["detected"] for r in report.values()) / max(1, sum(
        r["planted"][k]["cases"] for r in report.values())) for k in PLANTS}
    clean = sum(r["clean"]["flagged_drafts"] for r in report.values()) / max(1, sum(r["drafts"] for r in report.values()))
    report["overall"] = {"detection_rate": {k: round(v, 4) for k, v in totals.items()},
                         "clean_flagged_rate": round(clean, 4), "seconds": round(time.perf_counter() - started, 1)}
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
