"""Messages that are safe to print: bounded in length and free of control characters.

Error messages echo what the user gave (a value, a key, a file name). A 5 MB value or a
key holding terminal escape sequences must not reach the terminal as it is: ``shown``
gives a value's repr with control characters escaped and its middle elided past a
limit; ``one_line`` does the same to a whole message, so that it stays one line.
"""

from __future__ import annotations

import difflib
import re

__all__ = ["not_one_of", "one_line", "quoted", "shown"]

VALUE_LIMIT = 80  # characters of a value echoed back in a message
LINE_LIMIT = 2000  # characters of a whole message (the list of valid parameters is about 1,600)

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators (which end a line too)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match) -> str:
    ch = match.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _elide(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = max(limit - 30, 10)
    head, tail = keep * 2 // 3, keep // 3
    return f"{text[:head]}…[{len(text) - head - tail:,} characters left out]…{text[len(text) - tail:]}"


def shown(value, limit: int = VALUE_LIMIT) -> str:
    """``repr(value)`` for a message: control characters escaped, at most about ``limit`` characters."""
    if isinstance(value, str) and len(value) > limit:
        keep = max(limit - 30, 10)
        head, tail = keep * 2 // 3, keep // 3
        inner = repr(value[:head])[1:-1] + f"…[{len(value) - head - tail:,} characters left out]…" + repr(
            value[len(value) - tail:])[1:-1]
        return "'" + _CONTROL.sub(_escape, inner) + "'"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a hostile object's __repr__ must not hide the error being reported
        text = f"<{type(value).__name__}>"
    return _elide(_CONTROL.sub(_escape, text), limit)


def quoted(name, limit: int = VALUE_LIMIT) -> str:
    """A name in double quotes for a message (``"station_budget"``): control characters escaped, bounded."""
    return '"' + one_line(str(name), limit) + '"'


def one_line(text: str, limit: int = LINE_LIMIT) -> str:
    """A message as one bounded line: control characters (newlines too) escaped, the middle elided past ``limit``."""
    text = str(text)
    if len(text) > 4 * limit:
        text = text[: 2 * limit] + text[-limit:]
    return _elide(_CONTROL.sub(_escape, text), limit)


def not_one_of(value, valid, what: str) -> str:
    """'"stations_x" is not an indicator (did you mean "stations"?); valid ones are: a, b, …'.

    ``what`` names the kind with its article ("a parameter", "an indicator"); the closest
    valid name is suggested when there is one.
    """
    valid = [str(v) for v in valid]
    close = difflib.get_close_matches(str(value).strip(), valid, n=1) if isinstance(value, str) else []
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f"{quoted(value)} is not {what}{hint}; valid ones are: {', '.join(valid)}"

