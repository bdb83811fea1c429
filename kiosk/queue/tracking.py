"""Tracking numbers: ``CODE-YYMMDD-NNNN-C``, read out by citizens, typed by agents.

CODE is the kiosk's short code (unique in the fleet), YYMMDD the local date of the
submission, NNNN the day's sequence on that kiosk, and C a check character (Luhn mod
36 over the other characters) that catches any single wrong character and most swaps
of two neighbours. Example: ``DEMO1-261122-0007-X``.
"""

from __future__ import annotations

import datetime as dt
import re

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PATTERN = re.compile(r"^([A-Z0-9]{3,8})-(\d{6})-(\d{4,6})-([0-9A-Z])$")


def check_character(body: str) -> str:
    """Luhn mod N (N = 36) check character over the letters and digits of ``body``."""
    chars = [c for c in body.upper() if c != "-"]
    n = len(ALPHABET)
    total, factor = 0, 2
    for c in reversed(chars):
        addend = factor * ALPHABET.index(c)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def make(code: str, day: dt.date, sequence: int) -> str:
    body = f"{code}-{day:%y%m%d}-{sequence:04d}"
    return f"{body}-{check_character(body)}"


def is_valid(number: str) -> bool:
    m = PATTERN.match(number.strip().upper())
    if not m:
        return False
    body, check = number.strip().upper().rsplit("-", 1)
    return check_character(body) == check
