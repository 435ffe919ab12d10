"""Insert a row that is unique per owner, or take the one a concurrent request wrote first."""

from __future__ import annotations

from typing import Callable, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def add_or_existing(session: Session, row: Row, existing: Callable[[], Row | None]) -> Row:
    """Add *row* in a savepoint; if a unique key says another request stored it first, return that one.

    Two tabs sending the same first answer at once then end as one row, updated by the later one,
    instead of an error page.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
        return row
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found
