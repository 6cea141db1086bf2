"""The C heap kept for a run's many month-long arrays (glibc only; elsewhere nothing changes).

A month allocates and frees hundreds of arrays of 0.2–2 MB (one float per community, per
worker or per organisation). glibc's defaults serve each of them with a fresh ``mmap`` and
hand the memory back to the kernel on ``free``, so every month pays for hundreds of
thousands of page faults (measured on ``hubei`` 2021-01→2025-12: 269,000 minor faults and
0.6 s of system time, against 34,000 and 0.12 s with the settings below; results are
identical, as only where the memory comes from changes). ``keep_heap`` asks glibc
(``mallopt``) to serve blocks up to ``MMAP_THRESHOLD_BYTES`` from the heap and to keep up
to ``TRIM_THRESHOLD_BYTES`` of freed heap for the next month. Peak memory is unchanged
(about 196 MB against 191 MB on ``hubei``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

__all__ = ["keep_heap", "MMAP_THRESHOLD_BYTES", "TRIM_THRESHOLD_BYTES"]

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
# blocks below this come from the heap: 32 MiB, glibc's own upper bound for its adaptive
# threshold (the largest arrays of a hubei run are about 2 MB)
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
# freed heap kept before any is returned to the kernel (assumption: a few months' arrays)
TRIM_THRESHOLD_BYTES = 128 * 1024 * 1024

_done = False


def keep_heap() -> bool:
    """Set the two thresholds once per process; True when glibc took them."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
    return _done
