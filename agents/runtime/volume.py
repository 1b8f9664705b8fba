"""What holds the data directory: a network share (SQLite's locking is unsafe there, and the
bytes cross a wire) and whether the volume itself is encrypted (dm-crypt/LUKS on Linux). The
database is encrypted either way, so doctor makes these warnings; where the answer cannot be
read from the system it says "could not tell" rather than guess."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

# File systems whose bytes live on another machine (fuse.* covers sshfs, rclone, s3fs and others
# that mount remote storage; a local FUSE file system is rare for a data directory).
NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre", "gpfs", "davfs",
              "fuse.sshfs", "virtiofs", "vboxsf", "vmhgfs"}
SYS_BLOCK = Path("/sys/dev/block")


@dataclass(frozen=True)
class Mount:
    mount_point: str
    fs_type: str
    source: str
    device: str  # "major:minor"


@dataclass(frozen=True)
class VolumeReport:
    mount_point: str = ""
    fs_type: str = ""
    source: str = ""
    network: bool = False
    encrypted: bool | None = None  # None: could not tell
    how: str = ""  # how the answer was reached, in words


def _unescape(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash as octal escapes.
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def mount_of(path: Path, mountinfo: str | None = None) -> Mount | None:
    """The mount holding `path`: the longest mount point that is a prefix of it."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return None
    target = str(Path(path).resolve())
    best: Mount | None = None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 5 or len(tail) < 2:
            continue
        point = _unescape(fields[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= len(best.mount_point)):
            best = Mount(point, tail[0], _unescape(tail[1]), fields[2])
    return best


def _crypt_in_stack(device: str, sys_block: Path, seen: set[str] | None = None) -> bool:
    """Whether the block device or anything under it (a partition's disk is above, an LVM
    volume's physical volumes are its slaves) is a dm-crypt mapping."""
    seen = seen if seen is not None else set()
    if device in seen:
        return False
    seen.add(device)
    node = sys_block / device
    try:
        if (node / "dm" / "uuid").read_text().strip().startswith("CRYPT-"):
            return True
    except OSError:
        pass
    slaves = node / "slaves"
    for slave in (sorted(slaves.iterdir()) if slaves.is_dir() else []):
        try:
            dev = (slave / "dev").read_text().strip()
        except OSError:
            continue
        if _crypt_in_stack(dev, sys_block, seen):
            return True
    return False


def inspect(path: Path, mountinfo: str | None = None, sys_block: Path = SYS_BLOCK) -> VolumeReport:
    if not sys.platform.startswith("linux") and mountinfo is None:
        return VolumeReport(how=f"could not tell on {sys.platform}: check that BitLocker or FileVault is on for this disk")
    m = mount_of(path, mountinfo)
    if m is None:
        return VolumeReport(how="could not tell: /proc/self/mountinfo is not readable")
    network = m.fs_type in NETWORK_FS or (m.fs_type.startswith("fuse.") and m.fs_type != "fuse.gocryptfs")
    base = dict(mount_point=m.mount_point, fs_type=m.fs_type, source=m.source, network=network)
    if m.fs_type in ("fuse.gocryptfs", "ecryptfs", "fuse.encfs", "fuse.cryfs"):
        return VolumeReport(**base, encrypted=True, how=f"{m.fs_type} encrypts every file")
    if network:
        return VolumeReport(**base, how=f"could not tell: {m.fs_type} stores the files on another machine")
    if m.fs_type == "tmpfs":
        return VolumeReport(**base, how="could not tell: tmpfs keeps the files in memory (gone at reboot, but "
                                        "swap may hold them)")
    if not (sys_block / m.device).exists():
        return VolumeReport(**base, how=f"could not tell: {m.fs_type} on {m.source} has no block device to inspect "
                                        "(an overlay, a container or a virtual file system)")
    if _crypt_in_stack(m.device, sys_block):
        return VolumeReport(**base, encrypted=True, how=f"{m.source} is on a dm-crypt (LUKS) mapping")
    return VolumeReport(**base, encrypted=False, how=f"{m.source} has no dm-crypt (LUKS) layer; fscrypt folders and "
                                                    "self-encrypting drives are not detected")


def warnings(path: Path) -> list[str]:
    v = inspect(path)
    out = []
    if v.network:
        out.append(f"the data directory {path} is on a network share ({v.fs_type} {v.source}): SQLite's locking "
                   "is not safe there and the (encrypted) database crosses the network; use a local disk")
    if v.encrypted is False:
        out.append(f"the data directory's volume is not encrypted ({v.how}); the database is encrypted, but logs, "
                   "vectors and settings are not: turn on full-disk encryption")
    elif v.encrypted is None:
        out.append(f"whether the data directory's volume is encrypted: {v.how}")
    return out


def permissions_warning(path: Path) -> str:
    """A key file readable by anyone but its owner is no key at all."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        return ""
    return f"{path} is readable by others (mode {mode:o}): chmod 600 it" if mode & 0o077 else ""
