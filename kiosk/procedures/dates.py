"""Dates in catalog rules: ``today``, ``today-18y``, ``today+30d``, ``today-6m`` or ``2020-01-31``."""

from __future__ import annotations

import datetime as dt
import re

_RELATIVE = re.compile(r"^today(?:([+-])(\d{1,4})([dmy]))?$")


def parse_date_spec(spec: str) -> tuple[str, int, str] | dt.date:
    """Check a date spec; a relative one comes back as (sign, count, unit)."""
    m = _RELATIVE.match(spec)
    if m:
        sign, count, unit = m.groups()
        return (sign or "+", int(count or 0), unit or "d")
    try:
        return dt.date.fromisoformat(spec)
    except ValueError:
        raise ValueError(f"{spec!r} is not a date: use YYYY-MM-DD, today, "
                         "or today with +/- days (d), months (m) or years (y), e.g. today-18y") from None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the 31st becomes the month's last day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise ValueError(day)


def resolve(spec: str, today: dt.date) -> dt.date:
    parsed = parse_date_spec(spec)
    if isinstance(parsed, dt.date):
        return parsed
    sign, count, unit = parsed
    n = count if sign == "+" else -count
    if unit == "d":
        return today + dt.timedelta(days=n)
    return add_months(today, n * (12 if unit == "y" else 1))
