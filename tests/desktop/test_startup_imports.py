"""The window opens before any heavy library is imported: torch, sentence-transformers,
llama.cpp and chromadb load after the first window, in the background warm-up, never on the way
to it; once warmed up, the first ingest, search or answer imports none of them."""
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


WARM_UP_PROBE = """
import json, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0], "-platform", "offscreen"])
from agents.services import Countersign
from desktop import app as desktop_app
core = Countersign.open(sys.argv[1])
core.create_matter("Acme")
window = desktop_app.build_window(core)
window.show()
desktop_app.schedule_warm_up(window)  # as main() does, right after show()
app.processEvents()
heavy = sys.argv[2].split(",")
at_show = [m for m in heavy if m in sys.modules]
deadline = time.monotonic() + 240
while (window.warm_up_task is None or window.warm_up_task.active) and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.02)
task = window.warm_up_task
print(json.dumps({"at_show": at_show, "state": task.state if task else None,
                  "warmed": [m for m in heavy if m in sys.modules]}))
window.close()
core.close()
"""


def test_the_heavy_libraries_load_in_the_background_after_the_window_shows(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", WARM_UP_PROBE, str(tmp_path / "data"), ",".join(HEAVY)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["at_show"] == [] and result["state"] == "finished"
    # The parsers (pypdf, python-docx) run in child processes and stay out of the window's.
    assert set(result["warmed"]) == {"torch", "sentence_transformers", "transformers", "llama_cpp", "chromadb"}
