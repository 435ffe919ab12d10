"""Whole numbers and decimals typed by people or put in URLs, read one way everywhere.

``str.isdigit()`` accepts "²" and "١", and ``int()`` of twenty digits overflows the database's
integers: every id, page number or count that comes from outside goes through here.
"""

from __future__ import annotations

import math

# Ids and counts live in INTEGER columns: 32 bits on PostgreSQL, where SQLAlchemy also casts a
# looked-up id to INTEGER, so a larger number would be an error there rather than "not found".
INTEGER_MAX = 2**31 - 1
_ASCII_DIGITS = frozenset("0123456789")


def parse_whole(text: str | None, *, minimum: int = 0, maximum: int = INTEGER_MAX) -> int | None:
    """The whole number written in ASCII digits in *text* (spaces around allowed), or None.

    None also when it lies outside ``minimum..maximum``; no sign, no other digits.
    """
    text = (text or "").strip()
    if not text or len(text) > len(str(maximum)) or not set(text) <= _ASCII_DIGITS:
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(text: str | None) -> int | None:
    """A database id: 1 ≤ n ≤ 2^31−1 in ASCII digits, else None."""
    return parse_whole(text, minimum=1)


def parse_decimal(text: str | None, *, minimum: float, maximum: float) -> float | None:
    """A finite decimal number between *minimum* and *maximum* ("nan", "inf" and "1e999" are not), or None."""
    text = (text or "").strip()
    if not text or len(text) > 32 or not text.isascii():
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) and minimum <= number <= maximum else None
