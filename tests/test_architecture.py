"""The layering rules, checked in a fresh interpreter so nothing else has imported Qt first."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import importlib, json, pkgutil, sys
import agents
for m in pkgutil.walk_packages(agents.__path__, 'agents.'):
    importlib.import_module(m.name)
heavy = ['PySide6', 'shiboken6', 'desktop', 'torch', 'llama_cpp', 'chromadb', 'sentence_transformers', 'pypdf', 'docx']
print(json.dumps([h for h in heavy if h in sys.modules]))
"""


def test_core_imports_neither_qt_nor_heavy_libraries_at_import_time():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_cli_subcommand_does_not_load_qt():
    probe = ("import sys; from desktop import launcher; rc = launcher.main(['settings', 'show', '--json']);"
             "print('PySide6' in sys.modules, rc)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                         env={"COUNTERSIGN_DATA_DIR": str(ROOT / ".pytest_cache" / "arch-data"), "PATH": ""})
    assert out.stdout.strip().splitlines()[-1] == "False 0", out.stderr
