"""Venues and their seminar rooms (with capacity and floor)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.text import clean_text
from matchmaker.models import Room, Seminar, User, Venue
from matchmaker.services.programme import place_names
from matchmaker.services import validation as v
from matchmaker.services.programme.seminars import positive_int, require_organiser


def save_venue(session: Session, actor: User, name: str, address: str = "", venue: Venue | None = None) -> Venue:
    """Create or rename a venue; names are unique."""
    require_organiser(actor)
    name = v.text("name", name, max_length=200)
    other = session.scalar(select(Venue).where(Venue.name == name))
    if other is not None and other is not venue:
        raise v.ValidationError("name", _("A venue with this name already exists."))
    venue = venue or Venue()
    venue.name, venue.address = name, v.text("address", address, max_length=300, required=False)
    session.add(venue)
    session.flush()
    return venue


@dataclass
class RoomData:
    """What the room form (or an import row) gives."""

    venue_id: int | None
    name: str
    capacity: str | int | None
    floor: str = ""
    names: dict[str, str] | None = None  # per language; None (or a language left out) keeps what is there


def save_room(session: Session, actor: User, data: RoomData, room: Room | None = None) -> Room:
    """Create or change a room of a venue."""
    require_organiser(actor)
    venue = session.get(Venue, data.venue_id) if data.venue_id else None
    if venue is None:
        raise v.ValidationError("venue_id", _("Choose a venue."))
    name = v.text("name", data.name, max_length=120)
    names = place_names.clean_names(data.names)
    other = session.scalar(select(Room).where(Room.venue_id == venue.id, Room.name == name))
    if other is not None and other is not room:
        raise v.ValidationError("name", _("This venue already has a room with this name."))
    room = room or Room(position=len(venue.rooms))
    room.venue, room.name = venue, name
    room.capacity = positive_int("capacity", data.capacity, required=True)
    room.floor = v.text("floor", data.floor, max_length=40, required=False)
    place_names.apply_names(room, names)
    session.add(room)
    session.flush()
    return room


def delete_room(session: Session, actor: User, room: Room) -> None:
    """Remove a room that no seminar uses."""
    require_organiser(actor)
    if session.scalar(select(Seminar.id).where(Seminar.room_id == room.id).limit(1)):
        raise v.ValidationError("room", _("Seminars are still planned in this room: move them first."))
    session.delete(room)
    session.flush()


def list_rooms(session: Session) -> list[Room]:
    """Every room, by venue and position."""
    return list(session.scalars(select(Room).join(Venue).order_by(Venue.name, Room.position, Room.name)))


def find_room(session: Session, field_name: str, name: str) -> Room:
    """The room called *name* (``Venue / Room`` when two venues share a room name)."""
    name = clean_text(name)
    venue_name, _sep, room_name = name.rpartition("/")
    stmt = select(Room).join(Venue).where(Room.name == room_name.strip())
    if venue_name.strip():
        stmt = stmt.where(Venue.name == venue_name.strip())
    rooms = list(session.scalars(stmt))
    if len(rooms) != 1:
        message = _("Unknown room “%(name)s”.", name=name) if not rooms else \
            _("Several venues have a room “%(name)s”: write “venue / room”.", name=name)
        raise v.ValidationError(field_name, message)
    return rooms[0]
