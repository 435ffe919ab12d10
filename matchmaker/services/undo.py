"""Undo for a while: an action that destroys something records how to take it back.

The action's service calls :func:`record` with what it needs to restore (a payload of plain JSON
values, see :func:`snapshot_rows`); the handler registered for its kind restores it when the
same person asks within the time limit. One undo per action, atomically.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from matchmaker.models import UndoAction, User, utcnow
from matchmaker.services.validation import ValidationError

UNDO_MINUTES = 10
Handler = Callable[[Session, User, dict], None]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that undoes actions of *kind* (called with session, actor, payload)."""

    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def record(session: Session, actor: User, kind: str, label: str, payload: dict, *,
           minutes: int = UNDO_MINUTES, now: datetime | None = None) -> UndoAction:
    """Remember how to undo an action of *kind* for *minutes*; *label* names it for the undo button."""
    if kind not in _HANDLERS:
        raise KeyError(f"no undo handler for {kind!r}")
    now = now or utcnow()
    action = UndoAction(kind=kind, actor_id=actor.id, label=label[:300], payload=payload, created_at=now,
                        expires_at=now + timedelta(minutes=minutes))
    session.add(action)
    session.flush()
    return action


def pending(session: Session, actor: User, action_id: int, now: datetime | None = None) -> UndoAction | None:
    """The actor's action *action_id* if it can still be undone, else None."""
    action = session.get(UndoAction, action_id)
    if action is None or action.actor_id != actor.id or action.undone_at or action.expires_at <= (now or utcnow()):
        return None
    return action


def pending_for(session: Session, actor: User, now: datetime | None = None) -> list[UndoAction]:
    """The actor's actions that can still be undone, newest first."""
    return list(session.scalars(select(UndoAction).where(
        UndoAction.actor_id == actor.id, UndoAction.undone_at.is_(None), UndoAction.expires_at > (now or utcnow()))
        .order_by(UndoAction.created_at.desc(), UndoAction.id.desc())))


def undo(session: Session, actor: User, action_id: int, now: datetime | None = None) -> UndoAction:
    """Undo the actor's action *action_id*; raise ValidationError when it is too late or already done."""
    now = now or utcnow()
    action = session.get(UndoAction, action_id)
    if action is None or action.actor_id != actor.id:
        raise LookupError("no such action")
    claimed = session.execute(
        update(UndoAction).where(UndoAction.id == action_id, UndoAction.undone_at.is_(None), UndoAction.expires_at > now)
        .values(undone_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.refresh(action)
        if action.undone_at:
            raise ValidationError("undo", _("This has already been undone."))
        raise ValidationError("undo", _("It is too late to undo this: an action can be undone for %(minutes)d minutes.",
                                        minutes=round((action.expires_at - action.created_at).total_seconds() / 60)))
    _HANDLERS[action.kind](session, actor, action.payload)
    session.flush()
    session.refresh(action)
    return action


# --- rows as JSON and back ---------------------------------------------------------------------

def _encode(value):
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    return value


def _decode(value):
    if isinstance(value, dict) and "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if isinstance(value, dict) and "$date" in value:
        return date.fromisoformat(value["$date"])
    return value


def snapshot_rows(session: Session, table: Table, *where) -> list[dict]:
    """The rows of *table* matching *where*, every column, as JSON-ready dicts."""
    rows = session.execute(select(table).where(*where)).mappings()
    return [{key: _encode(value) for key, value in row.items()} for row in rows]


def restore_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert rows taken by :func:`snapshot_rows` again, with their ids."""
    if rows:
        session.execute(insert(table), [{key: _decode(value) for key, value in row.items()} for row in rows])
