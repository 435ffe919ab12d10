"""Programme conflicts: a room used twice at once, a speaker in two places, a seminar outside the
event days, more seats than the room has.

``conflicts_for`` checks one seminar before it is saved; ``all_conflicts`` lists every conflict
of the programme for the organisers' warnings page. Messages are in the reader's language and
name the other seminar and its time (with the zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Protocol

from flask_babel import gettext as _, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker import timefmt
from matchmaker.models import Room, Seminar, SeminarSpeaker, Speaker
from matchmaker.services import validation as v
from matchmaker.services.programme.common import event_days, local_day, seminar_title

CONFLICT_KINDS = ("room", "speaker", "day", "capacity")


class Slot(Protocol):
    """What a conflict check needs to know of a seminar (saved or about to be)."""

    room: Room
    starts_at: datetime
    ends_at: datetime
    speakers: list[Speaker]
    capacity: int | None


@dataclass(frozen=True)
class Conflict:
    """One problem: its kind, a message for the organiser, and the seminars concerned."""

    kind: str
    message: str
    seminar_ids: tuple[int, ...] = ()


class ConflictError(v.ValidationError):
    """A seminar was not saved because of *conflicts* (the organiser may save it anyway)."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__("conflicts", " ".join(c.message for c in conflicts))
        self.conflicts = conflicts


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """True when two half-open intervals [start, end) share some time."""
    return a_start < b_end and b_start < a_end


def time_span(start: datetime, end: datetime) -> str:
    """'Wed 9 Dec 2026, 09:00–10:30 ICT' in the viewer's zone and language."""
    return timefmt.span(start, end)


def conflicts_for(session: Session, slot: Slot, *, tz: str, exclude_id: int | None = None) -> list[Conflict]:
    """Every conflict *slot* would have with the saved programme."""
    found = _room_conflicts(session, slot, exclude_id) + _speaker_conflicts(session, slot, exclude_id)
    found += _day_conflicts(session, slot, tz, exclude_id) + _capacity_conflicts(slot, exclude_id)
    return found


def _ids(exclude_id: int | None, other: Seminar) -> tuple[int, ...]:
    return tuple(i for i in (exclude_id, other.id) if i is not None)


def _overlapping(slot: Slot, exclude_id: int | None):
    stmt = select(Seminar).where(Seminar.starts_at < slot.ends_at, Seminar.ends_at > slot.starts_at)
    return stmt.where(Seminar.id != exclude_id) if exclude_id is not None else stmt


def _room_conflicts(session: Session, slot: Slot, exclude_id: int | None) -> list[Conflict]:
    others = session.scalars(_overlapping(slot, exclude_id).where(Seminar.room_id == slot.room.id).order_by(Seminar.starts_at))
    return [_room_conflict(slot.room, other, _ids(exclude_id, other)) for other in others]


def _room_conflict(room: Room, other: Seminar, ids: tuple[int, ...]) -> Conflict:
    return Conflict("room", _("%(room)s is already in use at that time by “%(title)s” (%(time)s).", room=room.name,
                              title=seminar_title(other), time=time_span(other.starts_at, other.ends_at)), ids)


def _speaker_conflicts(session: Session, slot: Slot, exclude_id: int | None) -> list[Conflict]:
    by_id = {s.id: s for s in slot.speakers}
    if not by_id:
        return []
    rows = session.execute(
        _overlapping(slot, exclude_id).add_columns(SeminarSpeaker.speaker_id).join(SeminarSpeaker)
        .where(SeminarSpeaker.speaker_id.in_(by_id)).order_by(Seminar.starts_at)
    )
    return [_speaker_conflict(by_id[speaker_id], other, _ids(exclude_id, other)) for other, speaker_id in rows]


def _speaker_conflict(speaker: Speaker, other: Seminar, ids: tuple[int, ...]) -> Conflict:
    return Conflict("speaker", _("%(speaker)s also speaks at “%(title)s” at that time (%(time)s).", speaker=speaker.name,
                                 title=seminar_title(other), time=time_span(other.starts_at, other.ends_at)), ids)


def _day_conflicts(session: Session, slot: Slot, tz: str, exclude_id: int | None, days=None) -> list[Conflict]:
    days = event_days(session) if days is None else days
    if not days or {local_day(slot.starts_at, tz), local_day(slot.ends_at, tz)} <= set(days):
        return []
    listed = timefmt.listing([timefmt.day(d) for d in days])
    ids = (exclude_id,) if exclude_id is not None else ()
    return [Conflict("day", _("The seminar is not on one of the event days (%(days)s).", days=listed), ids)]


def _capacity_conflicts(slot: Slot, exclude_id: int | None) -> list[Conflict]:
    if slot.capacity is None or slot.capacity <= slot.room.capacity:
        return []
    ids = (exclude_id,) if exclude_id is not None else ()
    return [Conflict("capacity", ngettext("The capacity (%(capacity)d) is larger than the %(num)d seat of %(room)s.",
                                          "The capacity (%(capacity)d) is larger than the %(num)d seats of %(room)s.",
                                          slot.room.capacity, capacity=slot.capacity, room=slot.room.name), ids)]


def all_conflicts(session: Session, tz: str) -> list[Conflict]:
    """Every conflict in the programme (drafts included), each pair reported once."""
    seminars = list(session.scalars(
        select(Seminar).options(selectinload(Seminar.panel).selectinload(SeminarSpeaker.speaker), selectinload(Seminar.room))
        .order_by(Seminar.starts_at, Seminar.id)
    ))
    found: list[Conflict] = []
    for a, b in combinations(seminars, 2):
        if overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at):
            found += _pair_conflicts(a, b)
    days = event_days(session)
    for seminar in seminars:
        found += _day_conflicts(session, seminar, tz, seminar.id, days) + _capacity_conflicts(seminar, seminar.id)
    return found


def _pair_conflicts(a: Seminar, b: Seminar) -> list[Conflict]:
    found = []
    if a.room_id == b.room_id:
        found.append(Conflict("room", _("“%(first)s” and “%(second)s” overlap in %(room)s.", first=seminar_title(a),
                                        second=seminar_title(b), room=a.room.name), (a.id, b.id)))
    for speaker in {s.id: s for s in a.speakers if s in b.speakers}.values():
        found.append(Conflict("speaker", _("%(speaker)s speaks at “%(first)s” and “%(second)s” at the same time.",
                                           speaker=speaker.name, first=seminar_title(a), second=seminar_title(b)),
                              (a.id, b.id)))
    return found
