"""Doctor's volume check reads /proc/self/mountinfo and /sys/dev/block: a network share, a LUKS
volume (directly or under LVM), a plain disk, and the cases it cannot tell, said as such."""
from __future__ import annotations

from agents.runtime import volume

MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
30 27 253:2 / /home rw,relatime - ext4 /dev/mapper/vg-home rw
31 27 0:45 / /mnt/firm\\040share rw - cifs //filer/matters rw
32 27 0:46 / /mnt/box rw - fuse.sshfs box:/srv rw
33 27 0:47 / /scratch rw - tmpfs tmpfs rw
"""


def _sys_block(tmp_path):
    root = tmp_path / "sys"
    (root / "254:0").mkdir(parents=True)  # a plain virtual disk
    (root / "253:2" / "dm").mkdir(parents=True)
    (root / "253:2" / "dm" / "uuid").write_text("LVM-abc123\n")  # LVM volume on ...
    (root / "253:2" / "slaves" / "dm-0").mkdir(parents=True)
    (root / "253:2" / "slaves" / "dm-0" / "dev").write_text("253:0\n")
    (root / "253:0" / "dm").mkdir(parents=True)
    (root / "253:0" / "dm" / "uuid").write_text("CRYPT-LUKS2-5f1e-luks\n")  # ... a LUKS mapping
    return root


def test_the_longest_mount_point_holds_the_path_and_escapes_are_read():
    assert volume.mount_of("/home/ann/Countersign", MOUNTINFO).mount_point == "/home"
    share = volume.mount_of("/mnt/firm share/data", MOUNTINFO)
    assert (share.mount_point, share.fs_type, share.source) == ("/mnt/firm share", "cifs", "//filer/matters")
    assert volume.mount_of("/homework", MOUNTINFO).mount_point == "/"


def test_luks_under_lvm_is_encrypted_and_a_plain_disk_is_not(tmp_path):
    sys_block = _sys_block(tmp_path)
    home = volume.inspect("/home/ann/data", MOUNTINFO, sys_block)
    assert home.encrypted is True and not home.network and "dm-crypt" in home.how
    root = volume.inspect("/var/data", MOUNTINFO, sys_block)
    assert root.encrypted is False and "no dm-crypt" in root.how


def test_shares_are_network_and_what_cannot_be_known_says_could_not_tell(tmp_path):
    sys_block = _sys_block(tmp_path)
    for path in ("/mnt/firm share/data", "/mnt/box/data"):
        v = volume.inspect(path, MOUNTINFO, sys_block)
        assert v.network and v.encrypted is None and v.how.startswith("could not tell")
    scratch = volume.inspect("/scratch/data", MOUNTINFO, sys_block)
    assert not scratch.network and scratch.encrypted is None and "tmpfs" in scratch.how


def test_this_machine_gets_an_answer_or_an_honest_could_not_tell(tmp_path):
    v = volume.inspect(tmp_path)
    assert v.encrypted in (True, False) or v.how.startswith("could not tell")
    assert all(isinstance(w, str) and w for w in volume.warnings(tmp_path))
