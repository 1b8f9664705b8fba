"""Suite-wide set-up: headless Qt, no network, a shared folder for the assembled model."""
from __future__ import annotations

import ipaddress
import os
import socket
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
sys.path.insert(0, str(Path(__file__).parent))


class NetworkBlocked(OSError):
    pass


def _loopback(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX paths
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_connect(self, address):
    if not _loopback(address):
        raise NetworkBlocked(f"test run is offline: connection to {address!r} refused")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _loopback(address):
        raise NetworkBlocked(f"test run is offline: connection to {address!r} refused")
    return _real_connect_ex(self, address)


# Installed at import, not in a fixture, so that nothing — not even collection — reaches out.
socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


@pytest.fixture(scope="session", autouse=True)
def shared_models_dir(tmp_path_factory) -> Path:
    """The default GGUF is assembled once per run into one folder every data dir uses."""
    path = Path(os.environ.get("COUNTERSIGN_TEST_MODELS") or tmp_path_factory.mktemp("models"))
    os.environ["COUNTERSIGN_MODELS_DIR"] = str(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def database_keys(tmp_path_factory) -> Path:
    """Database keys go to a folder of the run's own, never a developer's keyring or key folder;
    set here, not in a fixture's scope, so subprocesses the tests start inherit it too."""
    keys = tmp_path_factory.mktemp("database-keys")
    os.environ["COUNTERSIGN_KEY_DIR"] = str(keys)
    os.environ["COUNTERSIGN_KEYRING"] = "off"
    os.environ["COUNTERSIGN_EXPORTS_DIR"] = str(tmp_path_factory.mktemp("exports"))
    os.environ.pop("COUNTERSIGN_PASSPHRASE", None)
    os.environ.pop("COUNTERSIGN_PLAINTEXT_DATABASE", None)
    return keys


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"
