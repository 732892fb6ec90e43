"""A process's peak resident memory, for the benchmarks that start the app in a child process."""

from __future__ import annotations

from pathlib import Path


def peak_rss_mib() -> float:
    """VmHWM of this process (Linux). Unlike ru_maxrss from wait4(), it starts afresh at exec, so a
    large parent that forked the child does not leak into the figure."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
