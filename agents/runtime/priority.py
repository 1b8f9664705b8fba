"""Background work yields the CPU to the window.

On a two-core laptop the embedder, the parse worker and the language model can keep every core
busy; at the same priority as the UI thread, the scheduler then lets the window wait its turn and
it stutters. Lowering the calling thread's priority costs the work nothing when the machine is
otherwise idle (a lower priority only matters while something else wants the core).

Linux keeps a nice value per thread, and threads inherit it from the thread that starts them, so
the pools torch and llama.cpp start from a background thread are lowered too. On Windows the
thread priority is set; macOS has no per-thread nice, and is left as it is.
"""
from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger("countersign.runtime.priority")

# At 5 the window still waited up to 51 ms for a core behind four busy background threads on two
# cores (stop 17); 10 gives it about nine times their weight. Still ahead of truly idle work (19).
BACKGROUND_NICE = 10
_THREAD_PRIORITY_BELOW_NORMAL = -1


def lower_this_thread() -> bool:
    """Run the calling thread (and the threads it starts) below normal priority. Returns whether
    the priority was lowered; failing to is harmless and only logged."""
    try:
        if sys.platform.startswith("linux"):
            tid = threading.get_native_id()
            current = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(19, max(current, 0) + BACKGROUND_NICE))
            return True
        if sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32
            return bool(kernel32.SetThreadPriority(kernel32.GetCurrentThread(), _THREAD_PRIORITY_BELOW_NORMAL))
    except (OSError, AttributeError) as exc:
        log.info("background priority not set (%s)", exc)
    return False


def lower_this_process() -> bool:
    """The same for a whole worker process (the parse worker, single-threaded)."""
    if sys.platform == "win32":
        return lower_this_thread()
    try:
        os.nice(BACKGROUND_NICE)
        return True
    except (OSError, AttributeError) as exc:
        log.info("background priority not set (%s)", exc)
        return False
