"""A package's native library opened before its import, the interpreter lock released: found
inside the installed package without importing it, skipped when absent, a clear error when it
will not load."""
from __future__ import annotations

import _json
import shutil
import sys
from pathlib import Path

import pytest

from agents.runtime import native

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="/proc/self/maps shows what is mapped")


def mapped() -> str:
    return Path("/proc/self/maps").read_text()


@pytest.fixture
def package(tmp_path, monkeypatch):
    """An installed package `nativepkg` with one real shared library in it, never imported."""
    lib = tmp_path / "nativepkg" / "lib"
    lib.mkdir(parents=True)
    (lib.parent / "__init__.py").write_text("raise ImportError('preloading must not import the package')\n")
    shutil.copy(_json.__file__, lib / "libnative_probe.so")
    monkeypatch.syspath_prepend(str(tmp_path))
    return lib


def test_the_library_is_mapped_before_any_import_and_a_missing_one_is_skipped(package):
    assert str(package / "libnative_probe.so") not in mapped()
    opened = native.preload("nativepkg", "lib/not_built_here.so", "lib/libnative_probe.so")
    assert opened == [package / "libnative_probe.so"]
    assert str(package / "libnative_probe.so") in mapped() and "nativepkg" not in sys.modules


def test_a_file_that_is_no_library_says_which_and_why(package):
    (package / "libbroken.so").write_bytes(b"not an ELF file")
    with pytest.raises(OSError, match=r"could not load .*libbroken\.so: .*(invalid ELF|too short)"):
        native.preload("nativepkg", "lib/libbroken.so")


def test_a_package_that_is_not_installed_opens_nothing():
    assert native.preload("no_such_package_here", "lib/x.so") == []


def test_the_installed_torch_has_the_library_under_the_name_given():
    # If a torch release moves it, the preload would silently stop helping: this says so first.
    root = native.package_dir("torch")
    assert all((root / name).is_file() for name in native.torch_libraries())
    assert native.preload("torch", *native.torch_libraries()) == [root / n for n in native.torch_libraries()]
