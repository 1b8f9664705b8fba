"""Each kill phase's data directory, what changes before each run, and what the run's child
reported committed that the reopened stores must still hold (see kill_driver.py)."""
from __future__ import annotations

import random
from pathlib import Path

import hostile_files
import kill_checks
from kill_driver import DRAFTS_PER_RUN, MATTER, PROFILE, SIGNOFFS_PER_RUN
from pdfgen import write_pdf

from agents.domain.drafts import Draft, Section
from agents.domain.library import DocumentStatus
from agents.domain.review_rules import DraftStatus
from agents.review.service import ReviewService
from agents.runtime import settings as settings_mod
from agents.runtime.database import connect

WORDS = ("accrual", "retainer", "lease", "deferred", "revenue", "impairment", "covenant", "warranty", "escrow")

NOTE_TEMPLATE = '''id = "kill-note"
title = "Engagement fee note"
version = "1.0"
domain = "accounting"
description = "One short paragraph from the matter's documents."

[[sections]]
key = "scope"
heading = "Scope"
text = "A note on the engagement fee, from the matter's documents."

[[sections]]
key = "fee"
heading = "Fee"
queries = ["engagement fee retainer"]
top_k = 2
max_tokens = 40
max_sentences = 1
prompt = """What the documents say:
{evidence}

In one sentence, state the engagement fee."""
'''


def _memo(rng: random.Random, n: int) -> str:
    """A few chunks' worth of text, different each time so a rewrite changes the file's hash."""
    return "\n\n".join(f"Memo {n}.{p}: the {rng.choice(WORDS)} for account {rng.randint(1000, 9999)} is "
                       f"GBP {rng.randint(1, 999)},{rng.randint(100, 999)}. " * 12 for p in range(rng.randint(2, 5)))


def _write_file(path: Path, rng: random.Random, n: int) -> None:
    if path.suffix == ".pdf":
        write_pdf(path, [_memo(rng, n) for _ in range(3)])
    elif path.suffix == ".docx":
        hostile_files.plain_docx(path, _memo(rng, n))
    else:
        path.write_text(_memo(rng, n), encoding="utf-8")


def _new_data_dir(data: Path, **settings) -> None:
    data.mkdir(parents=True)
    settings_mod.save(settings_mod.Settings(n_threads=1, **settings), data / "settings.json")
    db = connect(data / "countersign.sqlite3")
    db.execute("INSERT INTO matters VALUES ('mat_kill', 'Kill', '2026-01-01T00:00:00Z')")
    ReviewService(db).add_profile(*PROFILE)
    db.close()


class IngestSetup:
    """A client folder of a dozen files (text, Markdown, Word, PDF); before each run one file is
    added, one rewritten and one deleted, so each sync indexes, replaces and removes."""

    def __init__(self, work: Path, data: Path) -> None:
        self.folder, self.data = work / "client", data
        self.folder.mkdir(parents=True)
        _new_data_dir(data)
        self.made = 0
        rng = random.Random(7)
        for _ in range(12):
            self._add(rng)
        self.known: dict[str, str] = {}  # file name -> document id, as last checked
        self.touched: set[str] = set()

    def _add(self, rng: random.Random) -> None:
        self.made += 1
        _write_file(self.folder / f"memo_{self.made:03d}{rng.choice(('.txt', '.md', '.docx', '.pdf'))}", rng, self.made)

    def before_run(self, rng: random.Random) -> None:
        if not self.known:
            return
        names = sorted(p.name for p in self.folder.iterdir())
        gone, rewritten = rng.sample(names, 2)
        (self.folder / gone).unlink()
        _write_file(self.folder / rewritten, rng, self.made)
        self._add(rng)
        # Touched until a run commits the file's new state: a run killed before it reached the
        # rewritten file leaves its old document, which the next run rightly replaces.
        self.touched |= {gone, rewritten}

    def check(self, outcome: dict, data: Path) -> tuple[list[str], dict]:
        problems = kill_checks.sqlite_problems(data / "countersign.sqlite3") + kill_checks.verify_problems(data)
        with kill_checks.reopened(data) as app:
            found, figures = kill_checks.store_problems(app)
            docs = {d.filename: d for d in app.documents(MATTER)}
            for kind, doc_id, *rest in outcome["committed"]:
                if kind == "doc":
                    chunks = len(app.library.document_chunks(doc_id))
                    if docs.get(rest[1]) is None or docs[rest[1]].id != doc_id or chunks != int(rest[0]):
                        problems.append(f"lost committed document: {rest[1]} ({doc_id}, {rest[0]} chunks; "
                                        f"now {chunks} chunks)")
                elif any(d.id == doc_id for d in docs.values()):
                    problems.append(f"removed document back: {doc_id}")
            for name, doc_id in self.known.items():  # untouched files keep their document
                if name not in self.touched and (docs.get(name) is None or docs[name].id != doc_id):
                    problems.append(f"lost committed document: {name} (indexed by an earlier run)")
            self.known = {n: d.id for n, d in docs.items() if d.status is DocumentStatus.INDEXED}
            self.touched -= {rest[1] for kind, _doc_id, *rest in outcome["committed"] if kind == "doc"}
        return problems + found, figures

    def resumed(self, outcome: dict) -> list[str]:
        """After a run left to finish: every file in the folder indexed, nothing else."""
        on_disk = {p.name for p in self.folder.iterdir()}
        return [] if set(self.known) == on_disk else [
            f"not resumed: indexed {sorted(set(self.known) ^ on_disk)[:4]} differ from the folder"]


class DraftSetup:
    """A matter with one engagement letter and a one-paragraph work product written by the real
    model; each run drafts it DRAFTS_PER_RUN times."""

    def __init__(self, work: Path, data: Path) -> None:
        _new_data_dir(data, max_tokens=40)
        (data / "templates").mkdir()
        (data / "templates" / "kill_note.toml").write_text(NOTE_TEMPLATE, encoding="utf-8")
        letter = work / "engagement_letter.txt"
        letter.write_text("Engagement letter. Our fee for the 2025 audit of Larkspur Ltd is a fixed retainer of "
                          "GBP 42,000, billed quarterly in arrears.", encoding="utf-8")
        with kill_checks.reopened(data) as app:
            list(app.ingest(MATTER, [letter]))
        self.head = ""

    def before_run(self, rng: random.Random) -> None:
        pass

    def check(self, outcome: dict, data: Path) -> tuple[list[str], dict]:
        for _kind, _id, _sha, head in outcome["committed"]:
            self.head = head
        problems = kill_checks.sqlite_problems(data / "countersign.sqlite3") + kill_checks.verify_problems(data, self.head)
        with kill_checks.reopened(data) as app:
            found, figures = kill_checks.store_problems(app)
            for _kind, draft_id, sha, _head in outcome["committed"]:
                try:
                    draft = app.review.drafts.get(draft_id)
                except LookupError:
                    problems.append(f"lost committed draft: {draft_id}")
                    continue
                if draft.content_sha256 != sha or not draft.sections:
                    problems.append(f"lost committed draft: {draft_id} changed on reopen")
            rows = app._db.execute("SELECT d.id, (SELECT count(*) FROM audit_log a WHERE a.subject = d.id AND "
                                   "a.action = 'draft.created') FROM drafts d").fetchall()
            problems += [f"half-made draft: {r[0]} has {r[1]} creation entries" for r in rows if r[1] != 1]
        return problems + found, figures

    def resumed(self, outcome: dict) -> list[str]:
        made = len(outcome["committed"])
        return [] if made == DRAFTS_PER_RUN else [f"not resumed: {made} of {DRAFTS_PER_RUN} drafts written"]


class SignoffSetup:
    """Before each run SIGNOFFS_PER_RUN approved drafts; the child signs them in order."""

    def __init__(self, work: Path, data: Path) -> None:
        _new_data_dir(data)
        self.db_path = data / "countersign.sqlite3"
        self.runs, self.ids, self.head = 0, [], ""

    def before_run(self, rng: random.Random) -> None:
        self.runs += 1
        db = connect(self.db_path)
        service = ReviewService(db)
        self.ids = []
        for n in range(SIGNOFFS_PER_RUN):
            d = Draft(f"draft_{self.runs}_{n}", "mat_kill", "flux-workpaper", f"Flux {self.runs}.{n}",
                      DraftStatus.DRAFT, 1, "2026-01-01T00:00:00Z", "A. Preparer", "qwen", "a" * 64, 1,
                      (Section("tb", "Tie-out", f"Trial balance ties to the ledger ({self.runs}.{n}) [1]."),))
            service.create(d)
            service.approve_all(d.id, "R. Reviewer")
            self.ids.append(d.id)
        db.close()
        (self.db_path.parent.parent / "to_sign.txt").write_text(" ".join(self.ids))

    def check(self, outcome: dict, data: Path) -> tuple[list[str], dict]:
        reported = [draft_id for _kind, draft_id, _head in outcome["committed"]]
        self.head = outcome["committed"][-1][2] if outcome["committed"] else self.head
        problems = kill_checks.sqlite_problems(data / "countersign.sqlite3") + kill_checks.verify_problems(data, self.head)
        with kill_checks.reopened(data) as app:
            found, figures = kill_checks.store_problems(app)
            signed = []
            for draft_id in self.ids:
                draft = app.review.drafts.get(draft_id)
                entries = [e for e in app.review.audit.entries(draft_id) if e.action == "draft.signed_off"]
                parts = (len(draft.signoffs), draft.status is DraftStatus.SIGNED_OFF, len(entries))
                if parts not in ((0, False, 0), (1, True, 1)):
                    problems.append(f"half-signed: {draft_id} has (signatures, signed, entries) = {parts}")
                elif draft.signoffs and draft.signoffs[0].content_sha256 != draft.content_sha256:
                    problems.append(f"half-signed: {draft_id} signature names another version")
                signed.append(bool(draft.signoffs))
            if signed != sorted(signed, reverse=True):
                problems.append(f"out of order: signatures kept {signed}")
            problems += [f"lost committed signature: {d}" for d, s in zip(self.ids, signed) if d in reported and not s]
        return problems + found, figures

    def resumed(self, outcome: dict) -> list[str]:
        made = len(outcome["committed"])
        return [] if made == SIGNOFFS_PER_RUN else [f"not resumed: {made} of {SIGNOFFS_PER_RUN} signed"]


SETUPS = {"ingest": IngestSetup, "draft": DraftSetup, "signoff": SignoffSetup}
