"""`countersign verify FILE`: is this exact file one that Countersign exported, of which draft,
and was that draft signed off when it was? Every answer comes from the hash-chained audit log,
so it holds only as far as the chain verifies, and the chain is checked with it."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from agents.domain.audit import AuditEntry, first_broken

EXPORTED = "draft.exported"
SIGNED_OFF = "draft.signed_off"


@dataclass(frozen=True)
class FileVerification:
    path: str
    file_sha256: str
    entries: int  # in the audit log
    first_broken: int | None  # sequence number of the first entry that does not check
    entry_seq: int = 0  # the export's entry; 0 when the file matches no export
    draft_id: str = ""
    version: int | None = None
    format: str = ""
    exported_at: str = ""
    exported_by: str = ""
    content_sha256: str = ""
    signed_by: tuple[str, ...] = field(default_factory=tuple)  # "M. Vale (partner, approved)"

    @property
    def found(self) -> bool:
        return self.entry_seq > 0

    @property
    def chain_ok(self) -> bool:
        return self.first_broken is None

    @property
    def signed_when_exported(self) -> bool:
        return bool(self.signed_by)

    @property
    def ok(self) -> bool:
        return self.found and self.chain_ok

    def report(self) -> str:
        if not self.found:
            lines = [f"{self.path}: NOT VERIFIED — its SHA-256 {self.file_sha256} matches no export in the audit "
                     "log. The file was changed after it was exported (even one byte changes the hash), or it "
                     "was not exported from this data directory."]
        else:
            version = f"v{self.version}" if self.version is not None else "version not recorded"
            signed = (f"signed off when exported, by {'; '.join(self.signed_by)}" if self.signed_by
                      else "NOT signed off when exported (a draft, marked as such)")
            lines = [f"{self.path}: matches audit entry {self.entry_seq}: {self.format} export of draft "
                     f"{self.draft_id} {version}, by {self.exported_by} at {self.exported_at} (UTC)",
                     f"content SHA-256 {self.content_sha256}; {signed}"]
        lines.append(f"audit log intact ({self.entries} entries)" if self.chain_ok
                     else f"audit log BROKEN at entry {self.first_broken}: its records cannot be relied on")
        return "\n".join(lines)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _detail(e: AuditEntry) -> dict:
    try:
        value = json.loads(e.detail)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def verify_file(path: Path, entries: list[AuditEntry]) -> FileVerification:
    if not path.is_file():
        raise ValueError(f"no file {path} to verify")
    digest = file_sha256(path)
    base = FileVerification(str(path), digest, len(entries), first_broken(entries))
    export = next((e for e in entries if e.action == EXPORTED and _detail(e).get("file_sha256") == digest), None)
    if export is None:
        return base
    content = _detail(export).get("content_sha256", "")
    # Signed when exported: a sign-off of the same draft and the same content earlier in the chain.
    earlier = [e for e in entries if e.seq < export.seq and e.subject == export.subject
               and _detail(e).get("content_sha256") == content]
    signatures = [e for e in earlier if e.action == SIGNED_OFF]
    # Exports record their version; older ones are dated by the last version entry before them.
    versions = [_detail(e)["version"] for e in (*earlier, export) if isinstance(_detail(e).get("version"), int)]
    signed_by = tuple(f"{e.actor} ({_detail(e).get('role', '?')}, {_detail(e).get('meaning', '?')})" for e in signatures)
    return FileVerification(str(path), digest, len(entries), base.first_broken, export.seq, export.subject,
                            versions[-1] if versions else None, _detail(export).get("format", ""), export.at,
                            export.actor, content, signed_by)
