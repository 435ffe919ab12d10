"""Organisers register the event's interpreters: language pairs, mode, availability, agenda token.

Plain functions ``verb_noun(session, actor, ...)``; callers commit. Every input is checked before
the first write, so a refused form leaves everything as it was. Deleting an interpreter leaves
their meetings in place with no interpreter ("interpreter needed"); published ones get their
calendar ``sequence`` bumped so the companies' calendars update.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from matchmaker.models import (
    Interpreter,
    InterpreterUnavailability,
    MatchSession,
    ScheduledMeeting,
    SessionSlot,
    User,
)
from matchmaker.models.interpreters import INTERPRETER_MODES, LANGUAGE_PAIRS
from matchmaker.services import validation as v
from matchmaker.services.schedule.common import load_session, require_organiser
from matchmaker.services.validation import ValidationError


@dataclass
class InterpreterData:
    """What the interpreter form (or the command line) gives, as typed."""

    name: str = ""
    email: str = ""
    pairs: list[str] = field(default_factory=list)  # "ja-vi", "en-ja"; either order of the codes
    mode: str = "onsite"
    notes: str = ""


@dataclass
class InterpreterRow:
    """One line of the organisers' interpreter list."""

    interpreter: Interpreter
    draft: int
    published: int


def normal_pair(raw: str) -> str:
    """"vi-ja" or "ja↔vi" -> "ja-vi" (codes sorted), or "" for something that is no pair."""
    text = unicodedata.normalize("NFKC", raw or "").strip().lower().replace("↔", "-")
    codes = text.split("-")
    return "-".join(sorted(codes)) if len(codes) == 2 else ""


def parse_pairs(raw: list[str], field_name: str = "pairs") -> str:
    """The pairs as stored ("en-ja,ja-vi"): at least one, each one of ``LANGUAGE_PAIRS``."""
    pairs = set()
    for item in raw:
        pair = normal_pair(item)
        if pair not in LANGUAGE_PAIRS:
            raise ValidationError(field_name, _("“%(pair)s” is not a language pair: choose Japanese–Vietnamese, Japanese–English or Vietnamese–English.", pair=item))
        pairs.add(pair)
    if not pairs:
        raise ValidationError(field_name, _("Choose at least one language pair the interpreter covers."))
    return ",".join(sorted(pairs))


def parse_mode(raw: str | None, field_name: str = "mode") -> str:
    """"onsite" or "online"; anything else is refused."""
    mode = (raw or "").strip()
    if mode not in INTERPRETER_MODES:
        raise ValidationError(field_name, _("Choose on site or online."))
    return mode


def _email(raw: str) -> str:
    return v.email("email", raw) if (raw or "").strip() else ""


def _checked(data: InterpreterData) -> dict:
    checks = v.Checks()
    values = dict(name=checks(v.text, "name", data.name, max_length=120),
                  email=checks(_email, data.email),
                  pairs=checks(parse_pairs, data.pairs),
                  mode=checks(parse_mode, data.mode),
                  notes=checks(v.text, "notes", data.notes, max_length=2000, required=False))
    checks.done()
    return values


def new_token() -> str:
    """An unguessable agenda token (the interpreter's agenda and feed need no account)."""
    return secrets.token_urlsafe(24)


def create_interpreter(session: Session, actor: User, data: InterpreterData) -> Interpreter:
    """Register an interpreter; refused whole, with every problem named, on bad input."""
    require_organiser(actor)
    interpreter = Interpreter(**_checked(data), token=new_token())
    session.add(interpreter)
    session.flush()
    return interpreter


def load_interpreter(session: Session, interpreter_id: int) -> Interpreter:
    """The interpreter *interpreter_id*, or LookupError."""
    found = session.get(Interpreter, interpreter_id)
    if found is None:
        raise LookupError("no such interpreter")
    return found


def update_interpreter(session: Session, actor: User, interpreter_id: int, data: InterpreterData) -> Interpreter:
    """Change an interpreter's name, email, pairs, mode and notes (the draft is not regenerated)."""
    require_organiser(actor)
    interpreter = load_interpreter(session, interpreter_id)
    for name, value in _checked(data).items():
        setattr(interpreter, name, value)
    session.flush()
    return interpreter


def reissue_token(session: Session, actor: User, interpreter_id: int) -> Interpreter:
    """Give the interpreter a new agenda token: the old links and feed stop working."""
    require_organiser(actor)
    interpreter = load_interpreter(session, interpreter_id)
    interpreter.token = new_token()
    session.flush()
    return interpreter


def meeting_counts(session: Session, interpreter_id: int | None = None) -> dict[tuple[int, str], int]:
    """(interpreter id, state) -> meetings, for one interpreter or all."""
    query = (select(ScheduledMeeting.interpreter_id, ScheduledMeeting.state, func.count())
             .where(ScheduledMeeting.interpreter_id.is_not(None))
             .group_by(ScheduledMeeting.interpreter_id, ScheduledMeeting.state))
    if interpreter_id is not None:
        query = query.where(ScheduledMeeting.interpreter_id == interpreter_id)
    return {(i, state): n for i, state, n in session.execute(query)}


def list_interpreters(session: Session) -> list[InterpreterRow]:
    """Every interpreter by name, with their meetings in the draft and in the published schedules."""
    counts = meeting_counts(session)
    return [InterpreterRow(i, counts.get((i.id, "draft"), 0), counts.get((i.id, "published"), 0))
            for i in session.scalars(select(Interpreter).order_by(Interpreter.name, Interpreter.id))]


def published_meetings(session: Session, interpreter_id: int) -> int:
    """How many published meetings the interpreter serves (deleting them asks first)."""
    return meeting_counts(session, interpreter_id).get((interpreter_id, "published"), 0)


def delete_interpreter(session: Session, actor: User, interpreter_id: int) -> int:
    """Delete an interpreter; their meetings stay, with no interpreter. Returns the published ones.

    Published meetings get their ``sequence`` bumped so calendars show the change.
    """
    require_organiser(actor)
    interpreter = load_interpreter(session, interpreter_id)
    published = published_meetings(session, interpreter.id)
    session.execute(update(ScheduledMeeting).where(
        ScheduledMeeting.interpreter_id == interpreter.id, ScheduledMeeting.state == "published")
        .values(sequence=ScheduledMeeting.sequence + 1).execution_options(synchronize_session=False))
    session.execute(update(ScheduledMeeting).where(ScheduledMeeting.interpreter_id == interpreter.id)
                    .values(interpreter_id=None).execution_options(synchronize_session=False))
    session.delete(interpreter)
    session.flush()
    session.expire_all()
    return published


@dataclass
class SessionGrid:
    """One session's slots as the interpreter's availability grid shows them."""

    session: MatchSession
    unavailable: set[int]  # slot numbers


def availability_of(session: Session, interpreter: Interpreter) -> list[SessionGrid]:
    """Every session in time order with the slots the interpreter cannot work in."""
    out = []
    for ms in session.scalars(select(MatchSession).order_by(MatchSession.day, MatchSession.start_time)):
        numbers = set(session.scalars(select(SessionSlot.number).join(
            InterpreterUnavailability, InterpreterUnavailability.slot_id == SessionSlot.id).where(
            SessionSlot.session_id == ms.id, InterpreterUnavailability.interpreter_id == interpreter.id)))
        out.append(SessionGrid(ms, numbers))
    return out


def _slot_numbers(raw: list[str], ms: MatchSession) -> set[int]:
    numbers = set()
    for item in raw:
        text = unicodedata.normalize("NFKC", str(item or "")).strip()
        if not (text.isascii() and text.isdigit()) or int(text) >= len(ms.slots):
            raise ValidationError("unavailable", _("The slot “%(slot)s” does not exist in this session.", slot=text))
        numbers.add(int(text))
    return numbers


def set_unavailable(session: Session, actor: User, interpreter_id: int, ms_id: int, unavailable: list[str]) -> set[int]:
    """Replace the interpreter's unavailable slots (slot numbers) in session *ms_id*.

    A slot that is not in the session refuses the whole change. Returns the numbers saved.
    """
    require_organiser(actor)
    interpreter = load_interpreter(session, interpreter_id)
    ms = load_session(session, ms_id)
    numbers = _slot_numbers(unavailable, ms)
    slot_ids = {s.number: s.id for s in ms.slots}
    session.execute(delete(InterpreterUnavailability).where(
        InterpreterUnavailability.interpreter_id == interpreter.id,
        InterpreterUnavailability.slot_id.in_(list(slot_ids.values()))))
    session.add_all(InterpreterUnavailability(slot_id=slot_ids[n], interpreter_id=interpreter.id) for n in sorted(numbers))
    session.flush()
    return numbers


def agenda_paths(token: str, lang: str) -> tuple[str, str]:
    """The interpreter's agenda page and calendar feed, as paths (the agenda pages own them)."""
    return f"/{lang}/interpreter/{token}/", f"/interpreter/{token}.ics"
