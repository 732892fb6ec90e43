"""Removable drives a bundle can be written to: Windows drive letters of type DRIVE_REMOVABLE, on
Linux the mount points of removable block devices and the desktop's /media, /run/media folders.
"""

from __future__ import annotations

import os
import shutil
import string
import sys
from dataclasses import dataclass
from pathlib import Path

DRIVE_REMOVABLE = 2


@dataclass(frozen=True)
class Volume:
    path: str
    label: str
    free_bytes: int


def free_bytes(path: str) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return -1


def windows_volumes() -> list[Volume]:
    import ctypes

    kernel32 = ctypes.windll.kernel32
    mask = kernel32.GetLogicalDrives()
    found = []
    for i, letter in enumerate(string.ascii_uppercase):
        if not mask & (1 << i):
            continue
        root = f"{letter}:\\"
        if kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)) != DRIVE_REMOVABLE:
            continue
        name = ctypes.create_unicode_buffer(261)
        kernel32.GetVolumeInformationW(ctypes.c_wchar_p(root), name, 261, None, None, None, None, 0)
        found.append(Volume(root, f"{name.value or '可移动磁盘'} ({letter}:)", free_bytes(root)))
    return found


def unescape_mount(path: str) -> str:
    """/proc/mounts writes spaces and a few other characters as octal escapes (\\040)."""
    out, i = [], 0
    while i < len(path):
        if path[i] == "\\" and i + 3 < len(path) and path[i + 1:i + 4].isdigit():
            out.append(chr(int(path[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(path[i])
            i += 1
    return "".join(out)


def removable_devices(sys_block: Path) -> set[str]:
    """Names of removable block devices and their partitions (sdb, sdb1 …)."""
    names: set[str] = set()
    try:
        devices = list(sys_block.iterdir())
    except OSError:
        return names
    for dev in devices:
        try:
            if (dev / "removable").read_text().strip() != "1":
                continue
        except OSError:
            continue
        names.add(dev.name)
        names.update(p.name for p in dev.iterdir() if p.name.startswith(dev.name))
    return names


def linux_volumes(sys_block: Path = Path("/sys/block"), mounts: Path = Path("/proc/mounts"),
                  media_roots: tuple[Path, ...] = (Path("/media"), Path("/run/media"))) -> list[Volume]:
    removable = removable_devices(sys_block)
    points: list[str] = []
    try:
        lines = mounts.read_text().splitlines()
    except OSError:
        lines = []
    media = tuple(str(root) + "/" for root in media_roots)
    for line in lines:
        parts = line.split()
        if len(parts) < 2:
            continue
        device, point = parts[0], unescape_mount(parts[1])
        if os.path.basename(device) in removable or point.startswith(media):
            points.append(point)
    # a desktop that mounts sticks under /media/<user>/<label> without /proc/mounts access
    for root in media_roots:
        for candidate in sorted(root.glob("*/*")) + sorted(root.glob("*")):
            if candidate.is_dir() and os.path.ismount(candidate):
                points.append(str(candidate))
    unique = list(dict.fromkeys(points))
    return [Volume(p, f"{os.path.basename(p.rstrip('/')) or p}（{p}）", free_bytes(p)) for p in unique]


def detect() -> list[Volume]:
    if sys.platform == "win32":
        return windows_volumes()
    return linux_volumes()
