"""Password-sealed files: a review package or an export encrypted with AES-256-GCM under a key
stretched from a password by scrypt. One small envelope for both, so one `countersign decrypt`
opens either:

    COUNTERSIGN-SEALED\\n  {header JSON: kdf, its parameters, salt, nonce}\\n  ciphertext+tag

The magic line and header are authenticated (GCM's associated data), so a changed parameter is
caught like a changed byte of content. GCM cannot tell a wrong password from an altered file;
the error says both."""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path

MAGIC = b"COUNTERSIGN-SEALED\n"
# scrypt at N=2**17, r=8 (128 MiB, ~0.3 s here): the interactive-login figure OWASP gives.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
MIN_PASSWORD = 8
MAX_HEADER = 4096


class SealedError(ValueError):
    """A sealed file that cannot be opened; the message says why."""


class PasswordNeeded(SealedError):
    """The file is sealed and no password was given."""


class WrongPassword(SealedError):
    pass


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def file_is_sealed(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return is_sealed(f.read(len(MAGIC)))
    except OSError:
        return False


def _key(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


def seal(data: bytes, password: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    salt, nonce = os.urandom(16), os.urandom(12)
    header = json.dumps({"format": 1, "cipher": "AES-256-GCM", "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R,
                         "p": SCRYPT_P, "salt": base64.b64encode(salt).decode(), "nonce": base64.b64encode(nonce).decode()},
                        sort_keys=True).encode() + b"\n"
    return MAGIC + header + AESGCM(_key(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(nonce, data, MAGIC + header)


def unseal(data: bytes, password: str | None, name: str = "the file") -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not is_sealed(data):
        raise SealedError(f"{name} is not a password-protected Countersign file")
    if not password:
        raise PasswordNeeded(f"{name} is password-protected: give its password (--password-file FILE, or type it when asked)")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER)
    try:
        header = json.loads(data[len(MAGIC):end])
        salt, nonce = base64.b64decode(header["salt"]), base64.b64decode(header["nonce"])
        n, r, p = int(header["n"]), int(header["r"]), int(header["p"])
        if end < 0 or header["format"] != 1 or header["kdf"] != "scrypt" or header["cipher"] != "AES-256-GCM":
            raise ValueError("unknown envelope")
        if not (2**14 <= n <= 2**20 and 1 <= r <= 16 and 1 <= p <= 4):  # a hostile header must not eat the RAM
            raise ValueError(f"scrypt parameters out of range (n={n}, r={r}, p={p})")
    except (ValueError, KeyError, TypeError) as exc:
        raise SealedError(f"{name} is a damaged password-protected file ({exc})") from None
    aad = data[: end + 1]
    try:
        return AESGCM(_key(password, salt, n, r, p)).decrypt(nonce, data[end + 1:], aad)
    except InvalidTag:
        raise WrongPassword(f"the password does not open {name} (or the file was altered after it was sealed); "
                            "nothing was read or changed") from None


def read_password_file(path: Path) -> str:
    """The first line of a file, so `echo pw > f` and an editor's trailing newline both work."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the password file {path}: {exc.strerror or exc}") from exc
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise ValueError(f"the password file {path} is empty")
    return lines[0]
