"""Fixtures for the desktop tests: a task runner that is always shut down, headless Qt."""
from __future__ import annotations

import os

import pytest

# Set before any QApplication exists; the top-level conftest does the same, this keeps
# `pytest tests/desktop` safe on its own.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def runner(qapp):
    from desktop.tasks import TaskRunner

    r = TaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def core_settings() -> dict:
    """Settings written before the core opens; a module overrides this to change them."""
    return {}


@pytest.fixture
def core(data_dir, core_settings):
    import json

    from agents.services import Countersign

    if core_settings:
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "settings.json").write_text(json.dumps(core_settings), encoding="utf-8")
    c = Countersign.open(str(data_dir), vector_process=True)  # as the window opens it
    yield c
    c.close()


@pytest.fixture
def window(qtbot, core):
    from desktop import app as desktop_app

    w = desktop_app.build_window(core)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()  # stops the worker before the core closes
