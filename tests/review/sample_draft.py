"""A draft with everything an export must carry: Unicode prose, a computed table, a chart, a
verifier flag, a quoted clause, a citation of a stored passage and one whose source is gone.
Saved through the real review service in a real data directory."""
from __future__ import annotations

import base64
import hashlib
import io

from agents.domain.drafts import Citation, Draft, DraftFlag, Section, SectionChart, SectionTable
from agents.domain.library import Chunk, Document, DocumentStatus, Page
from agents.domain.review_rules import DraftStatus
from agents.runtime.clock import new_id, utc_now

UNICODE = ("Fees of £1,200 and €900 were approved by Zoë Ångström-Nuñez — the “Customer” — and by François "
           "Müller’s office.")
PASSAGE = "The Supplier’s fees for 2025 were £1,200 per month, invoiced in arrears."
QUOTE = "This Agreement is governed by the laws of Scotland."


def chart_png() -> str:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 200), "white")
    draw = ImageDraw.Draw(img)
    for i, h in enumerate((60, 120, 90, 160)):
        draw.rectangle((40 + i * 100, 190 - h, 110 + i * 100, 190), fill=(40, 90, 160))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _stored_document(app, matter_id: str) -> tuple[Document, Chunk]:
    text = f"Schedule 2 — Fees\n{PASSAGE}\n{QUOTE}"
    doc = Document(new_id("doc"), matter_id, "supply_agreement.pdf", "/clients/credit/supply_agreement.pdf", "pdf",
                   hashlib.sha256(text.encode()).hexdigest(), DocumentStatus.INDEXED, "", 2, 2048, utc_now())
    start = text.index(PASSAGE)
    chunk = Chunk(f"{doc.id}:0", doc.id, matter_id, 2, start, start + len(PASSAGE), PASSAGE, 20)
    app.library.record_document(doc, [Page(1, "Cover"), Page(2, text)], [chunk])
    return doc, chunk


def sample_draft(app, matter: str, sections: int = 6) -> Draft:
    m = app.library.matter(matter)
    doc, chunk = _stored_document(app, m.id)
    fee = Citation(1, chunk.id, doc.id, doc.filename, doc.content_hash, 2, chunk.char_start, chunk.char_end)
    law = Citation(1, f"{doc.id}:9", doc.id, doc.filename, doc.content_hash, 2, 0, 40, QUOTE)
    gone = Citation(2, "doc_removed:3", "doc_removed", "old_side_letter.pdf", "e" * 64, 4, 0, 10)
    table = SectionTable("Fee variance", ("Line", "2024", "2025", "Δ %"),
                         (("Fees — monthly", "£1,000", "£1,200", "+20.0%"), ("Rebates", "€300", "€900", "+200.0%")),
                         "Trial balance, sheet TB", "Computed by code from the trial balance.")
    body = [Section("summary", "Summary", f"{UNICODE}\n\nThe fees are **£1,200** a month [1].", (fee,),
                    (DraftFlag("the figure £1,200 appears in no computation", "warning", "unsupported_number"),),
                    (table,), (SectionChart("Fees by quarter", chart_png()),)),
            Section("finding_governing_law", "Governing law",
                    f"Clause (supply_agreement.pdf, p. 2): “{QUOTE}” [1]\n\nPosition: **deviates**. A side letter "
                    "is cited too [2].", (law, gone))]
    # Enough prose that the PDF runs past one page, so the mark is checked on a page fpdf2 broke onto.
    filler = " ".join(["The reviewer checks each figure against the cited page before signing."] * 14)
    body += [Section(f"note_{i}", f"Note {i} — détail", filler) for i in range(1, sections - 1)]
    draft = Draft(new_id("draft"), m.id, "credit-memo", "Credit memo — Zoë Ångström Trading AB", DraftStatus.DRAFT, 1,
                  utc_now(), "A. Associé", "qwen2.5-coder-0.5b-instruct-q4_k_m", "1d96" + "0" * 60, 42, tuple(body),
                  provenance={"template": {"id": "credit-memo", "version": "1.3"},
                              "model": {"id": "qwen2.5-coder-0.5b-instruct-q4_k_m", "sha256": "1d96" + "0" * 60}})
    return app.review.create(draft)
