"""Peak memory of this process, measured so that a large parent does not inflate it."""

import resource
from pathlib import Path


def peak_memory_gib() -> float:
    """The largest resident size this process or any of its finished workers reached, in GiB.

    This process's own figure is its memory map's high-water mark (`VmHWM`, Linux), not
    `ru_maxrss`: that one starts at the parent's peak when the process was forked from a large one
    (a benchmark that generated the data first)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, the largest finished worker
    try:
        own = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0])
    except (OSError, IndexError):
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(own, children) / 2**20
