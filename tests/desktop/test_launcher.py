"""The `countersign` entry point: the window for no command, the CLI (without Qt) otherwise."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.launcher import wants_window

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv, window", [
    ([], True),
    (["--data-dir", "/tmp/x"], True),
    (["--data-dir=/tmp/x"], True),
    (["doctor"], False),
    (["--data-dir", "/tmp/x", "verify"], False),
    (["--help"], False),
    (["--data-dir"], False),  # a missing value is the CLI's error to explain
    (["frobnicate"], False),
])
def test_which_arguments_open_the_window(argv, window):
    assert wants_window(argv) is window


def run_launcher(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    code = ("import sys, desktop.launcher as l; rc = l.main(sys.argv[1:]); "
            "print('QT_LOADED' if 'PySide6' in sys.modules else 'QT_NOT_LOADED'); sys.exit(rc)")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_cli_command_never_imports_qt(tmp_path):
    env = {**os.environ, "COUNTERSIGN_DATA_DIR": str(tmp_path / "data")}
    done = run_launcher(["verify"], env)
    assert done.returncode == 0, done.stderr
    assert "QT_NOT_LOADED" in done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check applies to Linux only")
def test_no_command_without_a_display_says_so_and_exits_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = run_launcher(["--data-dir", str(tmp_path / "data")], env)
    assert done.returncode == 2
    assert "no display found; set QT_QPA_PLATFORM=offscreen or run the CLI: countersign --help" in done.stderr
