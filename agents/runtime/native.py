"""Loading a package's big native library before the package is imported, without the
interpreter lock.

An import of an extension module loads its shared libraries with the lock held, so the window's
thread waits for all of it: torch's libtorch_cpu.so (430 MB) runs its static initializers inside
that load, and the import froze the event loop for 390-560 ms. A call through ctypes to the C
library's dlopen releases the lock for the call's length, so the same load runs beside the
window; the import that follows finds the library already mapped and only binds to it
(a thread ticking every millisecond beside `import torch` on another: its longest wait fell
from 387-563 ms to about 80 ms; benchmarks/ui_responsiveness.py gives the window's own figure).

The library is opened RTLD_LOCAL, as the import itself would, so no symbol becomes global that
was not before. A library that cannot be found is skipped: the import then loads it as it
always did. Only POSIX systems have dlopen; elsewhere this does nothing.
"""
from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from pathlib import Path

_handles: list[int] = []  # kept open for the process's life, as the import keeps them


def _dlopen():
    libc = ctypes.CDLL(None)
    dlopen, dlerror = libc.dlopen, libc.dlerror
    dlopen.argtypes, dlopen.restype = [ctypes.c_char_p, ctypes.c_int], ctypes.c_void_p
    dlerror.argtypes, dlerror.restype = [], ctypes.c_char_p
    return dlopen, dlerror


def package_dir(package: str) -> Path | None:
    """Where `package` is installed, found without importing it (a top-level name only)."""
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


def preload(package: str, *libraries: str) -> list[Path]:
    """Open each of `package`'s `libraries` (paths inside it) that exists, in order, with the
    interpreter lock released; returns the ones opened. A library that exists but will not open
    raises OSError with the loader's own message."""
    root = package_dir(package)
    if root is None or os.name != "posix":
        return []
    dlopen, dlerror = _dlopen()
    opened = []
    for name in libraries:
        path = root / name
        if not path.is_file():
            continue
        handle = dlopen(os.fsencode(path), os.RTLD_NOW | os.RTLD_LOCAL)
        if not handle:
            why = dlerror()
            raise OSError(f"could not load {path}: {why.decode(errors='replace') if why else 'dlopen failed'}")
        _handles.append(handle)
        opened.append(path)
    return opened


def torch_libraries() -> tuple[str, ...]:
    """torch's CPU kernels library, the one whose load is long, under its platform's name."""
    return ("lib/libtorch_cpu.dylib",) if sys.platform == "darwin" else ("lib/libtorch_cpu.so",)
