"""A canary sentence in an ingested document stays where confidential text is meant to live:
the SQLCipher database (encrypted, so not even its bytes show it), and exports that cite it.
It is in no log line (not even a traceback of an
error that quoted it), in no export of a draft that does not cite it, and in no byte of the
vector store, which holds vectors and ids only. Scans are of raw bytes, and inside every zip
part and every PDF page's text, with a positive control showing each scan finds the canary."""
from __future__ import annotations

import io
import logging

import docx
import pytest

from agents.domain.drafts import Citation, Draft, Section
from agents.domain.review_rules import DraftStatus
from agents.runtime import settings as settings_mod
from agents.runtime.clock import new_id, utc_now
from agents.services import Countersign
from hostile_files import carries

TOKEN = "Quillfeather7731"
CANARY = f"Under side letter {TOKEN} the client pays GBP 4,417,009 to Marrowgate Ltd on 3 March."
DATABASE = ("countersign.sqlite3", "countersign.sqlite3-wal", "countersign.sqlite3-shm")


def _draft(app: Countersign, matter_id: str, chunk, title: str) -> Draft:
    doc = app.library.document(chunk.document_id)
    cite = Citation(1, chunk.id, doc.id, doc.filename, doc.content_hash, chunk.page, chunk.char_start, chunk.char_end)
    section = Section("summary", "Summary", "The position is as the cited passage states [1].", (cite,))
    return app.review.create(Draft(new_id("draft"), matter_id, "tax-memo", title, DraftStatus.DRAFT, 1, utc_now(),
                                   "A. Preparer", "qwen", "a" * 64, 1, (section,)))


@pytest.fixture(scope="module")
def matter(tmp_path_factory):
    root = tmp_path_factory.mktemp("confidential")
    folder = root / "client"
    folder.mkdir()
    letter = docx.Document()
    letter.add_paragraph("Side letter to the settlement agreement.")
    letter.add_paragraph(CANARY)
    letter.save(folder / "side_letter.docx")
    (folder / "memo.txt").write_text("Board memo: the audit fee for the year is GBP 12,000, payable quarterly.")
    data = root / "data"
    data.mkdir()
    settings_mod.save(settings_mod.Settings(log_level="DEBUG"), data / "settings.json")
    app = Countersign.open(str(data))
    m = app.create_matter("Marrowgate")
    list(app.ingest("Marrowgate", [folder]))
    assert any(TOKEN in p.chunk.text for p in app.search("Marrowgate", f"{TOKEN} side letter payment"))
    # A handler ahead of the log file's (a console, a test runner's capture) formats the record
    # first and caches its full traceback on it; the log file must not reuse that.
    console = logging.StreamHandler(io.StringIO())
    logging.getLogger("countersign").handlers.insert(0, console)
    try:  # a failure whose message quotes the passage, logged as the window logs task failures
        raise ValueError(f"could not read the model's answer: {CANARY!r}")
    except ValueError:
        logging.getLogger("countersign.desktop.tasks").exception("background task failed")
    finally:
        logging.getLogger("countersign").removeHandler(console)
    assert TOKEN in console.stream.getvalue()  # the console did see it, so the cache was there
    chunks = {d.filename: app.library.document_chunks(d.id) for d in app.documents("Marrowgate")}
    uncited = _draft(app, m.id, chunks["memo.txt"][0], "Audit fee memo")
    cited = _draft(app, m.id, next(c for c in chunks["side_letter.docx"] if TOKEN in c.text), "Settlement memo")
    outside = root / "outside"
    exports = {fmt: app.export(uncited.id, fmt) for fmt in ("md", "docx", "pdf")}  # into the exports folder
    controls = {fmt: app.export(cited.id, fmt, outside / f"cited.{fmt}") for fmt in ("md", "docx", "pdf")}
    yield app, data, exports, controls, [c for cs in chunks.values() for c in cs]
    app.close()


def test_exports_citing_the_canary_carry_it_so_the_scan_can_find_it(matter):
    _, _, _, controls, _ = matter
    assert all(carries(path, TOKEN) for path in controls.values()), controls


def test_exports_that_do_not_cite_it_never_carry_it(matter):
    _, _, exports, _, _ = matter
    assert exports and not [fmt for fmt, path in exports.items() if carries(path, TOKEN)]
    assert all(carries(path, "12,000") for path in exports.values())  # they do carry what they cite


def test_no_log_line_carries_it_not_even_a_traceback_that_quoted_it(matter):
    _, data, _, _, _ = matter
    logs = list((data / "logs").glob("*.log*"))
    text = "".join(p.read_text(encoding="utf-8") for p in logs)
    assert "ingest doc_" in text and "background task failed" in text and "ValueError: [message withheld" in text
    assert not [p for p in logs if carries(p, TOKEN)]


def test_no_file_under_the_data_directory_carries_it_not_even_the_database(matter):
    app, data, exports, _, _ = matter
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name in DATABASE for p in files) and any("vectors" in p.parts for p in files)
    assert [p.relative_to(data) for p in files if carries(p, TOKEN)] == []
    assert app.database_key_status().encrypted  # and the database does hold it, decrypted:
    assert any(TOKEN in p.chunk.text for p in app.search("Marrowgate", TOKEN))
    assert not any(path.resolve().is_relative_to(data.resolve()) for path in exports.values())


def test_the_vector_store_holds_no_chunk_text_at_all(matter):
    app, data, _, _, chunks = matter
    stored = [p.read_bytes() for p in (data / "vectors").rglob("*") if p.is_file()]
    assert sum(map(len, stored)) > 0 and len(app.vectors.ids()) == len(chunks)
    excerpts = {c.id: c.text.strip()[:32] for c in chunks}
    leaked = [cid for cid, text in excerpts.items() if any(text.encode() in blob for blob in stored)]
    assert leaked == []


def test_the_scan_would_see_text_that_chromadb_was_given(tmp_path):
    # The control for the test above: a collection handed documents keeps them in its files.
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(path=str(tmp_path), settings=Settings(anonymized_telemetry=False))
    client.create_collection("control", embedding_function=None).add(ids=["c1"], embeddings=[[0.1] * 8], documents=[CANARY])
    assert any(carries(p, TOKEN) for p in tmp_path.rglob("*") if p.is_file())
