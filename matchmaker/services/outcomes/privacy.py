"""Who may see what of the outcomes, and how small counts are shown.

Ratings and organiser comments are for organisers only; a company sees what it wrote itself.
Anything aggregated (pages, exports, the report) shows a count under ``SMALL_COUNT_LIMIT`` as
"<3", so that nobody can work out what one or two companies answered.
"""

from __future__ import annotations

SMALL_COUNT_LIMIT = 3


def small_count(n: int | None) -> str:
    """*n* as shown in an aggregate: "<3" for 1 or 2, the number otherwise ("0" stays "0")."""
    if n is None:
        return "0"
    if 0 < n < SMALL_COUNT_LIMIT:
        return f"<{SMALL_COUNT_LIMIT}"
    return str(n)


def is_small(n: int | None) -> bool:
    """Whether *n* would be hidden by ``small_count`` (1 or 2)."""
    return n is not None and 0 < n < SMALL_COUNT_LIMIT
