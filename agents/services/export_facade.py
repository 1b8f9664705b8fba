"""What the Countersign facade offers to get work out of the installation: exports (md, docx, pdf,
tracked-changes redline), verifying an exported file, and signed review packages."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from agents.domain.drafts import Citation, Draft
from agents.engine import conversation_export
from agents.engine.ask import Answer
from agents.knowledge.ingest import sha256_file
from agents.review import export
from agents.review.certificate import source_quotes
from agents.review.export_redline import memo_contract, redline_memo
from agents.review.export_verify import FileVerification, verify_file
from agents.review.package_format import PackageManifest
from agents.review.package_receive import PackageImport
from agents.review.package_service import PackageExport
from agents.review.redline import RedlineReport
from agents.review.sealed import file_is_sealed, seal, unseal
from agents.review.transaction import Transaction
from agents.runtime.clock import utc_now

EXPORT_FORMATS = (*export.FORMATS, "redline-docx")


class ExportFacade:
    """Needs `self.review`, `self.packages`, `self.library`, `self.paths`, `self._db` and `get_draft` from Countersign."""

    def export(self, draft_id: str, fmt: str, out: Path | None = None, actor: str = "", password: str | None = None) -> Path:
        """Write the draft as md, docx or pdf, or a contract review memo's suggested revisions as
        tracked changes in the contract (redline-docx). Each export is audited with its file's hash
        (the document's, when `password` seals it: that is what the reader verifies once opened)."""
        if fmt == "redline-docx":
            return self.export_redline(draft_id, out, actor, password)[0]
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"export format must be one of: {', '.join(EXPORT_FORMATS)}")
        draft = self.get_draft(draft_id)
        quotes = source_quotes(draft, self._cited_passage)
        return self._audited_export(draft, fmt, self._export_path(out, f"{draft.id}-v{draft.version}.{fmt}", password),
                                    actor, lambda head, tmp: export.write(draft, fmt, head, tmp, quotes), password)

    def _export_path(self, out: Path | None, name: str, password: str | None) -> Path:
        return Path(out) if out else self.paths.exports / (name + (".sealed" if password else ""))

    def export_redline(self, draft_id: str, out: Path | None = None, actor: str = "",
                       password: str | None = None) -> tuple[Path, RedlineReport]:
        """The contract as DOCX with the memo's suggested revisions as tracked changes, and which
        findings' revisions were placed (or why not)."""
        draft = self.get_draft(draft_id)
        reports: list[RedlineReport] = []
        path = self._audited_export(draft, "redline-docx",
                                    self._export_path(out, f"{draft.id}-v{draft.version}-redline.docx", password),
                                    actor, lambda head, tmp: reports.append(self._redline(draft, tmp)), password)
        return path, reports[0]

    def _audited_export(self, draft: Draft, fmt: str, out: Path, actor: str, write, password: str | None = None) -> Path:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial")
        # The file names the audit head it was made against; the export entry then records the
        # file's own hash, and only a file whose export is on record takes its final name.
        head = self.review.audit.head()
        try:
            write(head, tmp)
            self.review.record_export(draft, actor, fmt, sha256_file(tmp))
            if password:  # sealed before it takes its name; the plaintext only ever lived in the .partial file
                tmp.write_bytes(seal(tmp.read_bytes(), password))
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        return out

    def _cited_passage(self, c: Citation) -> str:
        """The cited chunk's text while the library still holds the version that was cited."""
        chunk = self.library.chunks([c.chunk_id]).get(c.chunk_id)
        if chunk is None:
            return "(the cited document has since changed or been removed; the passage is no longer in the library)"
        return chunk.text

    def _redline(self, draft: Draft, path: Path) -> RedlineReport:
        doc_id = memo_contract(draft)
        try:
            contract = self.library.document(doc_id)
        except LookupError:
            raise LookupError(f"the contract memo {draft.id} reviewed is no longer in the library; "
                              "ingest it again and re-run the review") from None
        return redline_memo(draft, contract, self.library.page_texts(contract.id), path, utc_now())

    def answer_text(self, answer: Answer) -> str:
        """An Ask answer with its numbered sources, as plain text for the clipboard."""
        return conversation_export.plain_answer(answer)

    def export_conversation(self, matter: str, answers: list[Answer], fmt: str, out: Path, actor: str = "") -> Path:
        """An Ask conversation as md or docx, marked not reviewed, each answer with the passages
        it cites. What leaves the installation is audited with its file's hash, as drafts are."""
        matter_id = self.library.matter(matter).id
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial")
        try:
            conversation_export.write(matter, answers, fmt, utc_now(), tmp)
            with Transaction(self._db):
                self.review.audit.append(actor or "user", "conversation.exported", matter_id, format=fmt,
                                         answers=len(answers), file_sha256=sha256_file(tmp))
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        return out

    def decrypt_file(self, path: Path, password: str, out: Path) -> Path:
        """A password-sealed export (or package) opened into `out`; WrongPassword says so and writes nothing."""
        data = unseal(Path(path).read_bytes(), password, Path(path).name)
        Path(out).write_bytes(data)
        return Path(out)

    def verify_export(self, path: Path, password: str | None = None) -> FileVerification:
        """Which export of which draft this exact file is, from the audit log, with the chain
        checked; a sealed export is opened with `password` and its document checked."""
        path = Path(path)
        if file_is_sealed(path):
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:  # the system's temp folder, not the data directory
                opened = self.decrypt_file(path, password or "", Path(tmp) / path.name.removesuffix(".sealed"))
                return self.verify_export(opened)
        result = verify_file(path, self.review.audit.entries())
        if result.found and result.version is None:
            try:
                draft = self.get_draft(result.draft_id)
            except LookupError:
                return result
            known = {s.content_sha256: s.version for s in draft.signoffs} | {draft.content_sha256: draft.version}
            result = replace(result, version=known.get(result.content_sha256))
        return result

    def verify_audit(self) -> int | None:
        return self.review.audit.verify()

    # -- review packages -------------------------------------------------------------------
    def export_package(self, draft_id: str, out: Path | None = None, actor: str = "",
                       password: str | None = None) -> PackageExport:
        """One signed file with the draft, its evidence and audit entries, for a reviewer on
        another installation; a draft that came in a package goes back as the signed reply."""
        self.firm.refuse_unless("review_packages")
        self._no_packages_on_the_workspace()
        return self.packages.export(draft_id, out or self.paths.exports / f"{draft_id}.cspkg", actor, password)

    def import_package(self, path: Path, actor: str = "", expect_key: str = "", password: str | None = None) -> PackageImport:
        """`expect_key` (a fingerprint, or its first 16+ hex digits) refuses a package signed by any other key."""
        self.firm.refuse_unless("review_packages")
        self._no_packages_on_the_workspace()
        return self.packages.import_(path, actor, expect_key, password)

    def _no_packages_on_the_workspace(self) -> None:
        # A package carries a draft between installations that share nothing; on the firm
        # workspace the reviewer opens the draft itself, walls and all.
        if self._db.dialect == "postgresql":
            raise ValueError("review packages are for installations that share nothing; on the firm workspace the "
                             "reviewer opens the draft directly (grant them the matter: countersign matter grant)")

    def inspect_package(self, path: Path, password: str | None = None) -> PackageManifest:
        """What a package holds and who signed it, checked like an import but writing nothing."""
        return self.packages.inspect(path, password).manifest

    def is_password_protected(self, path: Path) -> bool:
        return file_is_sealed(Path(path))

    def installation_key(self) -> str:
        """This installation's key fingerprint, which a package's recipient compares out of band."""
        return self.packages.key.fingerprint
