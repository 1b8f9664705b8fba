"""The installation's Ed25519 key pair: it signs the review packages this data directory sends,
so a package edited in transit cannot be made to check again by recomputing plain hashes."""
from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "installation_ed25519.pem"


class KeyFileError(ValueError):
    """A key file or a public key that cannot be used, with what to do about it."""


def fingerprint(public_key_b64: str) -> str:
    """SHA-256 of the raw 32-byte public key, hex: what two people compare out of band."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()


def short_fingerprint(fp: str) -> str:
    """The first 128 bits in groups of four, short enough to read over the phone."""
    return " ".join(fp[i:i + 4] for i in range(0, 32, 4))


class InstallationKey:
    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_key_b64 = base64.b64encode(raw).decode("ascii")
        self.fingerprint = fingerprint(self.public_key_b64)

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> "InstallationKey":
        """The key is made on first use; it is written whole or not at all (temp file, fsync,
        rename), so a crash never leaves a half key that would change this installation's identity."""
        path = keys_dir / KEY_FILE
        if not path.exists():
            keys_dir.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            tmp = path.with_name(f"{path.name}.{os.getpid()}.partial")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, pem)
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                # link, not replace: if another process made a key meanwhile, its key stands.
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except ValueError as exc:
            raise KeyFileError(f"{path} is not a readable Ed25519 key ({exc}); restore it from a backup, "
                            "or move it away to make a new key (packages already sent then no longer match)") from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyFileError(f"{path} holds a {type(private).__name__}, not an Ed25519 key")
        return cls(private)

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self._private.sign(data)).decode("ascii")


def signature_valid(public_key_b64: str, data: bytes, signature_b64: str) -> bool:
    try:
        raw = base64.b64decode(public_key_b64, validate=True)
        sig = base64.b64decode(signature_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(sig, data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
