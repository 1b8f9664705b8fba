"""The CLI tests' runner: `cli(*argv)` runs `countersign` on the test's data directory and
returns (exit code, stdout — parsed when --json was given —, stderr)."""
from __future__ import annotations

import json

import pytest

from agents.cli.main import main


@pytest.fixture
def cli(data_dir, capsys):
    def run(*argv: str) -> tuple[int, object, str]:
        code = main([*argv, "--data-dir", str(data_dir)])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if "--json" in argv and out else out), err
    return run
