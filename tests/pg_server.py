"""A throwaway PostgreSQL server on 127.0.0.1 for the tests: Debian's `postgresql` package,
a cluster made by initdb in a temp dir, started by pg_ctl, password (scram) auth as a firm's
server would have, stopped and deleted at the end. `.ci/run` installs the package."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

PASSWORD = "workspace-test-password"
USER = "countersign"


def binaries() -> Path | None:
    for candidate in [os.environ.get("COUNTERSIGN_PG_BIN", "")] + sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self) -> None:
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL's initdb is not installed: apt-get install postgresql")
        self.root = Path(tempfile.mkdtemp(prefix="cs-pg-"))
        self.data, self.port = self.root / "cluster", _free_port()
        # initdb and postgres refuse to run as root; as root (CI), the cluster belongs to postgres.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.root, "postgres")
        os.chmod(self.root, 0o755)

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> "PgServer":
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD)
        if self._as:
            shutil.chown(pwfile, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "--auth=scram-sha-256",
                  f"--pwfile={pwfile}", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        pwfile.unlink()
        # fsync off: a test cluster need not survive a power cut, and it makes each commit cheap.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a fresh, empty database: one firm's workspace."""
        import psycopg

        name = f"ws_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
