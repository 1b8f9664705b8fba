"""The window opens before any heavy library is imported: torch, sentence-transformers,
llama.cpp and chromadb load on first use, never on the way to the first window."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "sentence_transformers", "transformers", "llama_cpp", "chromadb", "pypdf", "pypdfium2", "docx")

PROBE = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0], "-platform", "offscreen"])
from agents.services import Countersign
from desktop import app as desktop_app
core = Countersign.open(sys.argv[1])
core.create_matter("Acme")
window = desktop_app.build_window(core)
window.show()
app.processEvents()
loaded = [m for m in sys.argv[2].split(",") if m in sys.modules]
print(json.dumps({"shown": window.isVisible(), "matters": window.matter_box.count(), "loaded": loaded}))
window.close()
core.close()
"""


def test_the_first_window_imports_no_heavy_library(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "data"), ",".join(HEAVY)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"shown": True, "matters": 1, "loaded": []}
