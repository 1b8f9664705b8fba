"""The window re-embeds, in the background, a matter indexed before the embedder setting changed."""
from __future__ import annotations

import pytest

from agents.knowledge import reembed
from agents.runtime import settings as settings_mod
from agents.services import Countersign
from desktop import app as desktop_app
from desktop.views import library_view

pytestmark = pytest.mark.integration


def test_library_view_reembeds_in_slices_and_keeps_searching(qtbot, monkeypatch, data_dir, tmp_path):
    for name, text in {"lease.txt": "The lease of Unit 4 at Harbour Road ends on 31 March 2031.",
                       "loan.txt": "The facility caps borrowing at EUR 2.5 million.",
                       "audit.txt": "The auditor found no material weakness in inventory controls."}.items():
        (tmp_path / name).write_text(text)
    core = Countersign.open(str(data_dir))
    core.create_matter("Switch")
    list(core.ingest("Switch", sorted(tmp_path.glob("*.txt"))))
    core.close()
    settings_mod.update(data_dir / "settings.json", "embedder", "all-mpnet-base-v2")
    # One chunk per slice: the view must keep submitting slices until the matter is done.
    monkeypatch.setattr(reembed, "BATCH", 1)
    monkeypatch.setattr(library_view, "REEMBED_SLICE_S", 0.0)

    core = Countersign.open(str(data_dir))
    window = desktop_app.build_window(core)
    qtbot.addWidget(window)
    window.show()
    slices = []
    window.runner.busy_changed.connect(lambda busy, name: busy and slices.append(name))
    window.library.reembed_pending()
    assert window.library.panel.busy
    qtbot.waitUntil(lambda: core.matter_embedder("Switch") == "all-mpnet-base-v2" and not window.library.panel.busy,
                    timeout=180_000)
    assert len(slices) >= 3 and all("Re-embedding Switch" in s for s in slices)
    assert window.library.panel.label.text() == "Switch: searches now use all-mpnet-base-v2"
    assert "Harbour Road" in core.search("Switch", "When does the tenancy end?", top_k=1)[0].chunk.text
    window.close()
    core.close()
