"""Reading data files (scenarios, target sets, regions) so that every failure is one clear line.

``read_toml`` turns anything that can go wrong between a path and a parsed table (no
such file, a folder, unreadable, too large, not UTF-8, nested too deeply for Python's
TOML reader, not TOML) into one exception naming the file and the line where it can.
A UTF-8 byte-order mark, as Windows Notepad writes, is accepted.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

__all__ = ["MAX_FILE_BYTES", "MAX_NESTING", "read_toml"]

MAX_FILE_BYTES = 10_000_000  # a scenario, target set or region file is a few kB; refuse what cannot be one
MAX_NESTING = 32  # tables and arrays within one another; Python's TOML reader recurses on each


def _nesting(text: str) -> int:
    """How deep brackets and braces nest outside strings and comments (a cheap upper bound)."""
    depth = deepest = 0
    quote = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == "\\" and quote in ('"', '"""'):
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif ch == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i += len(quote)
            continue
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return deepest


def read_toml(path: str | Path, expected: str, error) -> tuple[str, dict]:
    """Read a TOML file for a loader: (text, data), or raise ``error(path, message, line)``.

    Accepts a UTF-8 byte-order mark (Windows Notepad writes one); refuses files that are
    not readable, too large, not UTF-8, nested too deeply or not TOML, naming the line.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise error(path, f"{size:,} bytes, more than {MAX_FILE_BYTES:,}; expected {expected}")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(path, f"no such file; expected {expected}") from None
    except IsADirectoryError:
        raise error(path, f"is a folder; expected {expected}") from None
    except OSError as exc:
        raise error(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(path, f"not a UTF-8 text file (byte {exc.start + 1}); expected {expected} saved as UTF-8",
                    line) from None
    if _nesting(text) > MAX_NESTING:
        raise error(path, f"arrays or tables nested more than {MAX_NESTING} deep; expected {expected}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        line = int(m.group(1)) if m else None
        raise error(path, f"not valid TOML: {msg}", line) from None
    except RecursionError:
        raise error(path, f"nested too deeply; expected {expected}") from None
    return text, data
