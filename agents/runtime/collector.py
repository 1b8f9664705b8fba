"""The cyclic garbage collector while the heavy libraries load, and after.

A full collection walks every object the collector tracks, holding the interpreter the whole
time, so whichever thread sets it off, the window's thread waits. Once torch, transformers and
chromadb's client are imported there are about 500,000 such objects, and one full pass took
280-360 ms (benchmarks/ui_responsiveness.py, `gc_pauses`): the warm-up set off six of them and
the window froze for 398 ms shortly after it first showed.

Those objects are modules, classes and functions that live as long as the process, and imports
make almost no cyclic garbage. So the loading runs with no collections, and what it loaded then
moves to the collector's permanent generation (`gc.freeze`), which later passes do not walk: a
full pass afterwards costs what the app's own young objects cost.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def loading_for_good() -> Iterator[None]:
    """No collections inside; on the way out (finished, failed or cancelled) everything alive is
    frozen and collections resume as they were. Nested or concurrent uses resume at the last exit."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()
                if _was_enabled:
                    gc.enable()
