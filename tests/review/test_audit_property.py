"""Random tampering of a real audit chain, done the way an attacker would: around the triggers.

Each tampering works on an in-memory copy of a chain written by the real review service. The
chain alone names the first broken entry for every edit, deletion, reordering or insertion
inside it; what it cannot see by itself (a cut-off tail, a forged entry appended at the end, or
history rewritten with every later hash recomputed) shows as a head that differs from the head an
export or package recorded, which is what an auditor compares against."""
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.domain.audit import GENESIS_HASH, entry_hash
from agents.domain.drafts import Draft, Section
from agents.domain.review_rules import DraftStatus, ReviewAction
from agents.review.audit_log import AuditLog
from agents.review.service import ReviewService
from agents.runtime.database import Database, connect, raw_connection

FIELDS = ("seq", "at", "actor", "action", "subject", "detail", "prev_hash", "entry_hash")
CONTENT = ("at", "actor", "action", "subject", "detail")
TAMPERINGS = 1000


def _real_chain(path) -> sqlite3.Connection:
    db = connect(path)
    service = ReviewService(db)
    db.execute("INSERT INTO matters VALUES ('mat_1', 'Harbor', '2026-01-01T00:00:00Z')")
    service.add_profile("M. Vale", "MV", "partner")
    for n in range(4):
        d = Draft(f"draft_{n}", "mat_1", "credit-memo", f"Crédit memo {n} — “Harbor”", DraftStatus.DRAFT, 1,
                  "2026-01-01T00:00:00Z", "A. Préparer", "qwen", "c" * 64, 7, (Section("s", "Ratios", f"Leverage {n}.1x [1]."),))
        service.create(d)
        service.act(d.id, ReviewAction.SUBMIT, "A. Préparer")
        if n % 2:
            service.act(d.id, ReviewAction.REQUEST_CHANGES, "R. Reviewer", note="tie the EBITDA to p. 41")
            service.act(d.id, ReviewAction.REVISE, "A. Préparer")
            service.act(d.id, ReviewAction.SUBMIT, "A. Préparer")
        service.approve_all(d.id, "R. Reviewer")
        service.sign_off(d.id, "M. Vale", "partner", "approved")
        service.record_export(d, "M. Vale", "docx", "e" * 64)
    db.close()
    return _plaintext_copy(path)


def _plaintext_copy(path) -> sqlite3.Connection:
    """The encrypted database decrypted into a plaintext file beside it (SQLCipher will not
    back up into an unkeyed database), opened with the standard library for tampering."""
    plain = path.with_name(path.name + ".plain")
    conn = raw_connection(path)
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    conn.execute("SELECT sqlcipher_export('plain')")
    conn.execute("DETACH DATABASE plain")
    conn.close()
    return sqlite3.connect(plain)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    conn = _real_chain(tmp_path_factory.mktemp("chain") / "db.sqlite3")
    rows = conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
    assert len(rows) >= 20
    return conn, rows


def _copy(conn: sqlite3.Connection) -> sqlite3.Connection:
    mem = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(mem)
    mem.execute("DROP TRIGGER audit_log_no_update")
    mem.execute("DROP TRIGGER audit_log_no_delete")
    return mem


def _rehash_from(mem: sqlite3.Connection, seq: int) -> None:
    """What an attacker who knows the hash formula does after an edit: recompute every later link."""
    prev = GENESIS_HASH
    for r in mem.execute("SELECT * FROM audit_log ORDER BY seq").fetchall():
        if r[0] >= seq:
            digest = entry_hash(r[0], r[1], r[2], r[3], r[4], r[5], prev)
            mem.execute("UPDATE audit_log SET prev_hash = ?, entry_hash = ? WHERE seq = ?", (prev, digest, r[0]))
            prev = digest
        else:
            prev = r[7]


def _verdict(mem: sqlite3.Connection) -> tuple[int | None, str]:
    mem.row_factory = sqlite3.Row
    log = AuditLog(Database(mem))
    return log.verify(), log.head()


def _different(old, drawn: str):
    return drawn if drawn != old else drawn + "x"


tamperings = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 10**6), st.sampled_from(FIELDS), st.text(max_size=24)),
    st.tuples(st.just("edit_rehash"), st.integers(0, 10**6), st.sampled_from(CONTENT), st.text(max_size=24)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.just(""), st.just("")),
    st.tuples(st.just("swap"), st.integers(0, 10**6), st.integers(1, 10**6).map(str), st.just("")),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.sampled_from(CONTENT), st.text(max_size=24)),
)


def _tamper(mem, rows, kind, index, field, value):
    """Apply one tampering; returns the seq the chain alone must name, or None if only the head shows it."""
    n = len(rows)
    i = index % n
    row = dict(zip(FIELDS, rows[i]))
    if kind == "edit":
        if field == "seq":  # moves the entry elsewhere in the order; the number is free
            new = max(r[0] for r in rows) + 1 + index % 50
            mem.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (new, row["seq"]))
            return rows[i + 1][0] if i < n - 1 else new
        mem.execute(f"UPDATE audit_log SET {field} = ? WHERE seq = ?", (_different(row[field], value), row["seq"]))
        return row["seq"]
    if kind == "edit_rehash":
        mem.execute(f"UPDATE audit_log SET {field} = ? WHERE seq = ?", (_different(row[field], value), row["seq"]))
        _rehash_from(mem, row["seq"])
        return None
    if kind == "delete":
        mem.execute("DELETE FROM audit_log WHERE seq = ?", (row["seq"],))
        return rows[i + 1][0] if i < n - 1 else None
    if kind == "swap":
        j = (i + int(field)) % n
        if j == i:
            j = (i + 1) % n
        a, b = sorted((i, j))
        cols = ", ".join(f"{f} = ?" for f in FIELDS[1:])
        mem.execute(f"UPDATE audit_log SET {cols} WHERE seq = ?", (*rows[b][1:], rows[a][0]))
        mem.execute(f"UPDATE audit_log SET {cols} WHERE seq = ?", (*rows[a][1:], rows[b][0]))
        return rows[a][0]
    # insert: a forged entry that links correctly to the one before it, later entries renumbered
    p = index % (n + 1)
    seq = rows[p][0] if p < n else rows[-1][0] + 1
    mem.execute("UPDATE audit_log SET seq = -seq WHERE seq >= ?", (seq,))
    mem.execute("UPDATE audit_log SET seq = 1 - seq WHERE seq < 0")
    forged = dict(zip(FIELDS, rows[p - 1] if p else rows[0]))
    forged[field] = _different(forged[field], value)
    prev = rows[p - 1][7] if p else GENESIS_HASH
    digest = entry_hash(seq, forged["at"], forged["actor"], forged["action"], forged["subject"], forged["detail"], prev)
    mem.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?)", (seq, forged["at"], forged["actor"], forged["action"],
                                                                   forged["subject"], forged["detail"], prev, digest))
    return seq + 1 if p < n else None


def test_every_random_tampering_is_detected(chain):
    conn, rows = chain
    anchor = rows[-1][7]  # the head the last export recorded
    seen = {"examples": 0, "by_chain": 0}

    @settings(max_examples=TAMPERINGS, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(tamperings)
    def check(tampering):
        mem = _copy(conn)
        expected = _tamper(mem, rows, *tampering)
        broken, head = _verdict(mem)
        seen["examples"] += 1
        assert broken is not None or head != anchor, f"undetected: {tampering}"
        if expected is not None:
            assert broken == expected, f"{tampering}: first broken entry {broken}, expected {expected}"
            seen["by_chain"] += 1
        mem.close()

    check()
    assert seen["examples"] >= TAMPERINGS
    assert seen["by_chain"] > TAMPERINGS // 4  # most tamperings are inside the chain, named by it alone


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.text(max_size=12), st.sampled_from(["draft.created", "draft.approve", "draft.signed_off"]),
                          st.text(max_size=12), st.dictionaries(st.text(max_size=6), st.text(max_size=20), max_size=3)),
                min_size=1, max_size=25))
def test_untouched_chains_never_raise_a_false_alarm(tmp_path_factory, entries):
    mem = _copy(_empty_db(tmp_path_factory))
    mem.row_factory = sqlite3.Row
    log = AuditLog(Database(mem))
    last = None
    for actor, action, subject, detail in entries:
        last = log.append(actor, action, subject, **{f"k_{k}": v for k, v in detail.items()})
    assert log.verify() is None and log.head() == last.entry_hash
    # Rewriting an entry with the values it already has is not tampering.
    mem.execute("UPDATE audit_log SET actor = actor, detail = detail")
    assert log.verify() is None


_EMPTY: dict = {}


def _empty_db(factory) -> sqlite3.Connection:
    if "conn" not in _EMPTY:
        path = factory.mktemp("empty") / "db.sqlite3"
        connect(path).close()
        _EMPTY["conn"] = _plaintext_copy(path)
    return _EMPTY["conn"]


def test_editing_the_database_file_itself_is_detected(tmp_path, monkeypatch):
    # Bytes are edited in place, which needs a plaintext file: someone holding the key could
    # decrypt, edit and re-encrypt the same way, and the chain must still catch it.
    monkeypatch.setenv("COUNTERSIGN_PLAINTEXT_DATABASE", "1")
    path = tmp_path / "db.sqlite3"
    _real_chain(path).close()
    db = connect(path)
    service = ReviewService(db)
    service.record_export(service.drafts.get("draft_0"), "Q. Quartermaine", "pdf", "f" * 64)
    seq = AuditLog(db).entries()[-1].seq
    db.close()  # the last connection's close checkpoints the WAL into the file
    data = path.read_bytes()
    assert data.count(b"Quartermaine") == 1
    path.write_bytes(data.replace(b"Quartermaine", b"Quartermainf"))
    assert AuditLog(connect(path)).verify() == seq
