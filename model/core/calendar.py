"""The model's calendar: the months a run may cover and the one conversion of a month."""

from __future__ import annotations

import pandas as pd

from ..messages import shown

__all__ = ["EARLIEST_START", "LATEST_END", "parse_month", "month_end", "month_index", "month_ends"]

EARLIEST_START = pd.Timestamp("2018-01-01")
LATEST_END = pd.Timestamp("2030-12-31")


def parse_month(value, what: str = "date") -> pd.Timestamp:
    """'2024-01', '2024-01-31', a Timestamp or a date → the first day of that month."""
    try:
        ts = pd.Timestamp(str(value)) if not isinstance(value, pd.Timestamp) else value
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f'{what} must be a month like "2024-01"; got {shown(value)}') from None
    if ts is pd.NaT:
        raise ValueError(f'{what} must be a month like "2024-01"; got {shown(value)}')
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def month_end(value, what: str = "date", months_after: int = 0) -> pd.Timestamp:
    """'2024-01', '2024-01-15', a Timestamp or a date → the end of that month (midnight), or of the
    month ``months_after`` later."""
    return parse_month(value, what) + pd.offsets.MonthEnd(1 + months_after)


def month_index(start: pd.Timestamp, month: pd.Timestamp) -> int:
    """Months from ``start`` to ``month`` (0 for the start month itself; any day in a month counts as it)."""
    return (month.year - start.year) * 12 + month.month - start.month


def month_ends(start: pd.Timestamp, end_month: pd.Timestamp) -> pd.DatetimeIndex:
    """The month-end dates of every month from ``start`` to ``end_month``, named ``date``."""
    calendar = pd.date_range(start, end_month, freq="MS") + pd.offsets.MonthEnd(0)
    calendar.name = "date"
    return calendar
