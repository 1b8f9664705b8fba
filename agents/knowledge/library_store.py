"""SQLite repository for matters, documents, page text, chunks and the FTS5 keyword index."""
from __future__ import annotations

import sqlite3

from agents.domain.library import Chunk, Document, DocumentStatus, Matter, Page
from agents.knowledge.injection import label
from agents.knowledge.keyword_index import KeywordIndex
from agents.runtime.clock import new_id, utc_now
from agents.runtime.database import Database


class MatterNotFound(LookupError):
    pass


class LibraryStore:
    def __init__(self, db: Database, wall=None) -> None:
        """`wall` (firm mode, agents/runtime/walls.py): the signed-in account sees only the
        matters that list it; everything else answers as if it did not exist."""
        self._db = db
        self._lock = db.lock
        self._wall = wall
        self.keywords = KeywordIndex(db)

    # -- matters ---------------------------------------------------------------------------
    def create_matter(self, name: str) -> Matter:
        name = name.strip()
        if not name:
            raise ValueError("a matter needs a name")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if self._db.execute("SELECT 1 FROM matters WHERE name = ?", (name,)).fetchone():
                    # Under a wall the name is taken by a matter this account may not see; saying so
                    # tells no more than the refusal itself, and a duplicate name would be worse.
                    raise ValueError(f"a matter named '{name}' already exists")
                matter = Matter(new_id("mat"), name, utc_now())
                self._db.execute("INSERT INTO matters VALUES (?, ?, ?)", (matter.id, matter.name, matter.created_at))
                if self._wall is not None:  # its creator is its first member
                    self._wall.add_member(matter.id, self._wall.account, self._wall.account, matter.created_at)
                self._db.execute("COMMIT")
            finally:
                self._db.rollback()  # a no-op once committed
        return matter

    def matters(self) -> list[Matter]:
        allowed = self._wall.matter_ids() if self._wall is not None else None
        return [Matter(r["id"], r["name"], r["created_at"]) for r in self._db.execute("SELECT * FROM matters ORDER BY name")
                if allowed is None or r["id"] in allowed]

    def matter(self, name_or_id: str) -> Matter:
        r = self._db.execute("SELECT * FROM matters WHERE id = ? OR name = ?", (name_or_id, name_or_id)).fetchone()
        if r is None or not self._admits(r["id"], "matter", r["id"]):
            raise MatterNotFound(f"no matter named '{name_or_id}' (see `countersign matter list`)")
        return Matter(r["id"], r["name"], r["created_at"])

    def _admits(self, matter_id: str, what: str, subject: str) -> bool:
        return self._wall is None or self._wall.admit(matter_id, what, subject)

    def rename_matter(self, matter_id: str, name: str) -> Matter:
        """Drafts, documents and vectors hold the matter's id, so only this row changes."""
        name = name.strip()
        if not name:
            raise ValueError("a matter needs a name")
        with self._lock:
            clash = self._db.execute("SELECT 1 FROM matters WHERE name = ? AND id != ?", (name, matter_id)).fetchone()
            if clash:
                raise ValueError(f"a matter named '{name}' already exists")
            self._db.execute("UPDATE matters SET name = ? WHERE id = ?", (name, matter_id))
        return self.matter(matter_id)

    def set_archived(self, matter_id: str, archived: bool) -> None:
        if archived:
            self._db.execute("INSERT INTO matter_archive VALUES (?, ?) ON CONFLICT DO NOTHING", (matter_id, utc_now()))
        else:
            self._db.execute("DELETE FROM matter_archive WHERE matter_id = ?", (matter_id,))

    def archived_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT matter_id FROM matter_archive")}

    # -- documents -------------------------------------------------------------------------
    @staticmethod
    def _doc(r: sqlite3.Row) -> Document:
        return Document(r["id"], r["matter_id"], r["filename"], r["path"], r["kind"], r["content_hash"],
                        DocumentStatus(r["status"]), r["reason"], r["pages"], r["size"], r["indexed_at"])

    def documents(self, matter_id: str) -> list[Document]:
        if not self._admits(matter_id, "documents", matter_id):
            return []
        rows = self._db.execute("SELECT * FROM documents WHERE matter_id = ? ORDER BY filename", (matter_id,))
        return [self._doc(r) for r in rows]

    def document(self, document_id: str) -> Document:
        r = self._db.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
        if r is None or not self._admits(r["matter_id"], "document", document_id):
            raise LookupError(f"no document {document_id}")
        return self._doc(r)

    def find_document(self, matter_id: str, path: str) -> Document | None:
        r = self._db.execute("SELECT * FROM documents WHERE matter_id = ? AND path = ?", (matter_id, path)).fetchone()
        return self._doc(r) if r else None

    def record_document(self, doc: Document, pages: list[Page], chunks: list[Chunk]) -> None:
        """Replace whatever was stored for this path in one transaction (all or nothing)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                old = self.find_document(doc.matter_id, doc.path)
                if old is not None:
                    self._delete(old.id)
                self._db.execute(
                    "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (doc.id, doc.matter_id, doc.filename, doc.path, doc.kind, doc.content_hash,
                     doc.status.value, doc.reason, doc.pages, doc.size, doc.indexed_at),
                )
                self._db.executemany("INSERT INTO pages VALUES (?,?,?)", [(doc.id, p.number, p.text) for p in pages])
                self._db.executemany(
                    "INSERT INTO chunks (id, document_id, matter_id, page, char_start, char_end, text, token_count, locator,"
                    " injection) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(c.id, c.document_id, c.matter_id, c.page, c.char_start, c.char_end, c.text, c.token_count, c.locator,
                      c.injection) for c in chunks],
                )
                self._db.executemany(
                    "INSERT INTO chunks_fts (text, chunk_id, matter_id) VALUES (?,?,?)",
                    [(c.text, c.id, c.matter_id) for c in chunks],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.rollback()
                raise
            finally:
                self._forget_counts()

    def move_document(self, document_id: str, path: str, filename: str) -> None:
        self._db.execute("UPDATE documents SET path = ?, filename = ? WHERE id = ?", (path, filename, document_id))

    def delete_document(self, document_id: str) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._delete(document_id)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.rollback()
                raise
            finally:
                self._forget_counts()

    def _forget_counts(self) -> None:
        self.keywords.forget()

    def _delete(self, document_id: str) -> None:
        self._db.execute("DELETE FROM chunks_fts WHERE chunk_id IN (SELECT id FROM chunks WHERE document_id = ?)", (document_id,))
        self._db.execute("DELETE FROM chunks WHERE document_id = ?", (document_id,))
        self._db.execute("DELETE FROM pages WHERE document_id = ?", (document_id,))
        self._db.execute("DELETE FROM documents WHERE id = ?", (document_id,))

    # -- chunks and pages ------------------------------------------------------------------
    @staticmethod
    def _chunk(r: sqlite3.Row) -> Chunk:
        found = r["injection"]  # NULL: indexed before the column existed, or received in a package
        return Chunk(r["id"], r["document_id"], r["matter_id"], r["page"], r["char_start"], r["char_end"], r["text"],
                     r["token_count"], r["locator"], label(r["text"]) if found is None else found)

    def chunks(self, ids: list[str]) -> dict[str, Chunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(f"SELECT * FROM chunks WHERE id IN ({marks})", ids)
        if self._wall is not None:  # the last gate before any passage is ranked or shown
            allowed = self._wall.matter_ids()
            rows = [r for r in rows if r["matter_id"] in allowed]
        return {r["id"]: self._chunk(r) for r in rows}

    def document_chunks(self, document_id: str) -> list[Chunk]:
        if self._wall is not None:
            self.document(document_id)  # walled: "no document"
        rows = self._db.execute("SELECT * FROM chunks WHERE document_id = ? ORDER BY page, char_start", (document_id,))
        return [self._chunk(r) for r in rows]

    def all_chunk_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT id FROM chunks")}

    def page_text(self, document_id: str, page: int) -> str:
        if self._wall is not None:
            self.document(document_id)
        r = self._db.execute("SELECT text FROM pages WHERE document_id = ? AND number = ?", (document_id, page)).fetchone()
        return r[0] if r else ""

    def page_texts(self, document_id: str) -> list[tuple[int, str]]:
        if self._wall is not None:
            self.document(document_id)
        return [(r[0], r[1]) for r in self._db.execute(
            "SELECT number, text FROM pages WHERE document_id = ? ORDER BY number", (document_id,))]

    def chunk_ids_on_pages(self, document_id: str, pages: list[int]) -> list[str]:
        """Chunk ids on the given pages, in reading order."""
        if not pages:
            return []
        marks = ",".join("?" * len(pages))
        rows = self._db.execute(f"SELECT id FROM chunks WHERE document_id = ? AND page IN ({marks}) "
                                "ORDER BY page, char_start", [document_id, *pages])
        return [r[0] for r in rows]

    def keyword_search(self, query: str, matter_id: str, k: int, document_id: str | None = None,
                       pages: tuple[int, int] | None = None) -> list[str]:
        if not self._admits(matter_id, "search", matter_id):
            return []
        return self.keywords.search(query, matter_id, k, document_id, pages)

    def rare_term_search(self, query: str, matter_id: str, document_id: str | None = None,
                         pages: tuple[int, int] | None = None) -> list[str]:
        if not self._admits(matter_id, "search", matter_id):
            return []
        return self.keywords.rare_term_search(query, matter_id, document_id, pages)
