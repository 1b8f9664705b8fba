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
