"""The organiser reviews the draft: a grid of tables x slots; move, remove, pin, add by hand.

Each edit is checked against the hard constraints on a ``Board`` (the session's schedule in one
state, loaded once) and refused with the first reason, in the organiser's language. The
database's unique constraints back the checks up against edits made at the same moment.

A meeting with a side attending online is online: it takes no table (the grid shows it in an
"Online" row) and gets a video link. Interpreters follow a moved or added meeting that needs
one: it keeps its interpreter when they are free in the new slot, else gets a free interpreter
who serves it, else it is left "interpreter needed" (an edit is never refused for that).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _, ngettext
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from matchmaker.models import (
    Company,
    Interpreter,
    InterpreterUnavailability,
    MatchSession,
    MeetingSeat,
    MeetingTable,
    ScheduledMeeting,
    SessionCompany,
    SessionSlot,
    Unavailability,
    User,
    pair_key,
    utcnow,
)
from matchmaker.services.matching import pair_rules
from matchmaker.services.schedule.common import ensure_idle, lock_session, require_organiser, slot_label
from matchmaker.services.schedule import video
from matchmaker.services.schedule.instance import (
    lacks_interpreter,
    left_out,
    meeting_languages,
    pair_needs_interpreter,
    session_modes,
)
from matchmaker.services.validation import ValidationError


@dataclass
class Board:
    """A session's schedule in one state with what a placement is checked against."""

    ms: MatchSession
    state: str
    slots: dict[int, SessionSlot]
    tables: dict[int, MeetingTable]
    meetings: list[ScheduledMeeting]
    unavailable: set[tuple[int, int]]  # (company id, slot id)
    caps: dict[int, int]
    forbidden: set[tuple[int, int]]
    companies: dict[int, Company] = field(default_factory=dict)
    left_out: set[int] = field(default_factory=set)  # companies the organisers left out of the session
    online: set[int] = field(default_factory=set)  # companies attending this session online
    interpreters: dict[int, Interpreter] = field(default_factory=dict)  # the event's
    interpreter_off: set[tuple[int, int]] = field(default_factory=set)  # (interpreter id, slot id)

    def __post_init__(self) -> None:
        # a freed (cancelled, no-show) published meeting gives its cell to the replacement made there
        ordered = sorted(self.meetings, key=lambda m: m.live)
        self._cells = {(m.table_id, m.slot_id): m for m in ordered if m.table_id is not None}
        self._serving = {(m.interpreter_id, m.slot_id): m for m in ordered if m.interpreter_id is not None}
        self._seats: dict[tuple[int, int], list[ScheduledMeeting]] = {}
        self._load = Counter(cid for m in self.meetings for cid in m.pair)
        for m in self.meetings:
            for cid in m.pair:
                self._seats.setdefault((cid, m.slot_id), []).append(m)
        self._owners = {t.company_id: t for t in self.tables.values() if t.company_id is not None}

    def at(self, table_id: int, slot_id: int) -> ScheduledMeeting | None:
        """The meeting at a table in a slot, if any."""
        return self._cells.get((table_id, slot_id))

    def count(self, company_id: int, ignore: ScheduledMeeting | None = None) -> int:
        """Meetings of a company on the board, *ignore* left out."""
        return self._load.get(company_id, 0) - (1 if ignore is not None and company_id in ignore.pair else 0)

    def is_online(self, low: int, high: int) -> bool:
        """Whether a meeting of the pair is online (a side attends the session online)."""
        return low in self.online or high in self.online

    def problems(self, low: int, high: int, slot_id: int, table_id: int | None,
                 ignore: ScheduledMeeting | None = None) -> list[str]:
        """Why the pair cannot meet at that slot and table ([] = it can), *ignore* left out.

        *table_id* None is an online meeting: right for a pair with an online side, wrong for others.
        """
        slot = self.slots[slot_id]
        time = _LazyLabel(slot)
        out = [_("The organisers forbade meetings between these two companies.")] if (low, high) in self.forbidden else []
        for cid in (low, high):
            name = self.companies[cid].name
            if cid in self.left_out:
                out.append(_("The organisers left %(name)s out of this session.", name=name))
            if (cid, slot_id) in self.unavailable:
                out.append(_("%(name)s is not available at %(time)s.", name=name, time=time))
            if any(m is not ignore for m in self._seats.get((cid, slot_id), ())):
                out.append(_("%(name)s already has a meeting at %(time)s.", name=name, time=time))
            cap = self.caps.get(cid, len(self.slots))
            if self.count(cid, ignore) + 1 > cap:
                out.append(ngettext("%(name)s would have more than %(num)d meeting, its maximum in this session.",
                                    "%(name)s would have more than %(num)d meetings, its maximum in this session.", cap, name=name))
        if self.is_online(low, high):
            if table_id is not None:
                name = self.companies[low if low in self.online else high].name
                out.append(_("%(name)s attends this session online: its meetings are online, without a table.", name=name))
            return out
        if table_id is None:
            return out + [_("Both companies attend on site: choose a table for their meeting.")]
        table = self.tables[table_id]
        occupant = self.at(table_id, slot_id)
        if occupant is not None and occupant is not ignore:
            out.append(_("The table %(table)s is taken at %(time)s.", table=table.name, time=time))
        return out + self._table_problems(low, high, table)

    def _table_problems(self, low: int, high: int, table: MeetingTable) -> list[str]:
        own = {self._owners[cid].id: self._owners[cid] for cid in (low, high) if cid in self._owners}
        if own and table.id not in own:
            first = next(iter(own.values()))
            return [_("%(name)s meets only at its own table %(table)s.", name=self.companies[first.company_id].name, table=first.name)]
        if not own and table.company_id is not None:
            owner = self.companies.get(table.company_id)
            return [_("The table %(table)s is reserved for %(name)s.", table=table.name, name=owner.name if owner else "?")]
        return []

    def all_problems(self) -> list[str]:
        """Every rule the board breaks (availability, fixed tables, caps, forbids), each once."""
        seen: dict[str, None] = {}
        for m in self.meetings:
            for problem in self.problems(m.company_low, m.company_high, m.slot_id, m.table_id, ignore=m):
                seen.setdefault(problem, None)
        return list(seen)

    def grid(self) -> list[tuple[MeetingTable, list[ScheduledMeeting | None]]]:
        """Rows of the review grid: each table with its meeting (or None) in every slot."""
        cells = self._cells
        slots = sorted(self.slots.values(), key=lambda s: s.number)
        return [(t, [cells.get((t.id, s.id)) for s in slots]) for t in sorted(self.tables.values(), key=lambda t: t.number)]

    def online_row(self) -> list[list[ScheduledMeeting]]:
        """The grid's "Online" row: the online meetings of every slot, in slot order."""
        slots = sorted(self.slots.values(), key=lambda s: s.number)
        return [sorted((m for m in self.meetings if m.table_id is None and m.slot_id == s.id),
                       key=lambda m: (m.low.name, m.high.name)) for s in slots]

    def needs_interpreter(self, meeting: ScheduledMeeting) -> bool:
        """Whether the meeting needs an interpreter and has none ("interpreter needed")."""
        return lacks_interpreter(meeting)

    def interpreter_for(self, low: int, high: int, slot_id: int, online: bool, current: int | None = None,
                        ignore: ScheduledMeeting | None = None) -> int | None:
        """An interpreter free in the slot who serves the pair (*current* first), None if none is or none is needed."""
        a, b = self.companies[low], self.companies[high]
        if not pair_needs_interpreter(a, b):
            return None
        left, right = meeting_languages(a), meeting_languages(b)
        order = sorted(self.interpreters, key=lambda pid: (pid != current, pid))
        for pid in order:
            person = self.interpreters[pid]
            busy = self._serving.get((pid, slot_id))
            if (person.language_set & left and person.language_set & right and (online or person.mode == "onsite")
                    and (pid, slot_id) not in self.interpreter_off and (busy is None or busy is ignore or not busy.live)):
                return pid
        return None

    def per_company(self) -> list[tuple[Company, int]]:
        """Approved companies with their number of meetings, fewest first."""
        rows = [(c, self._load.get(c.id, 0)) for c in self.companies.values() if c.status == "approved"]
        return sorted(rows, key=lambda row: (row[1], row[0].name))


class _LazyLabel:
    """A slot's label, formatted only if a message uses it (all_problems checks every meeting)."""

    def __init__(self, slot: SessionSlot):
        self.slot = slot

    def __str__(self) -> str:
        return slot_label(self.slot)


def load_board(session: Session, ms: MatchSession, state: str = "draft") -> Board:
    """The schedule of *ms* in *state* with availability, caps, forbids and company names."""
    meetings = list(session.scalars(
        select(ScheduledMeeting).where(ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == state)
        .options(selectinload(ScheduledMeeting.low), selectinload(ScheduledMeeting.high))))
    slots = {s.id: s for s in ms.slots}
    unavailable = {(cid, sid) for cid, sid in session.execute(
        select(Unavailability.company_id, Unavailability.slot_id).where(Unavailability.slot_id.in_(list(slots))))}
    caps = {cid: cap for cid, cap in session.execute(select(SessionCompany.company_id, SessionCompany.max_meetings)
                                                     .where(SessionCompany.session_id == ms.id)) if cap is not None}
    ids = {cid for m in meetings for cid in m.pair}
    companies = {c.id: c for c in session.scalars(select(Company).where(or_(Company.status == "approved", Company.id.in_(ids))))}
    forbidden = {p for p, rule in pair_rules(session).items() if rule == "forbid"}
    interpreters = {p.id: p for p in session.scalars(select(Interpreter).order_by(Interpreter.id))}
    off = {(pid, sid) for pid, sid in session.execute(
        select(InterpreterUnavailability.interpreter_id, InterpreterUnavailability.slot_id)
        .where(InterpreterUnavailability.slot_id.in_(list(slots))))}
    return Board(ms, state, slots, {t.id: t for t in ms.tables}, meetings, unavailable, caps, forbidden, companies,
                 left_out(session, ms.id), set(session_modes(session, ms.id)), interpreters, off)


def _draft_meeting(session: Session, actor: User, meeting_id: int) -> tuple[ScheduledMeeting, MatchSession]:
    require_organiser(actor)
    meeting = session.get(ScheduledMeeting, meeting_id)
    if meeting is None or meeting.state != "draft":
        raise LookupError("no such draft meeting")
    ms = lock_session(session, meeting.session_id)
    ensure_idle(ms)
    return meeting, ms


def _check_place(board: Board, slot_id: int, table_id: int | None) -> None:
    if slot_id not in board.slots or (table_id is not None and table_id not in board.tables):
        raise LookupError("slot or table of another session")


def _video_taken(board: Board, slot_id: int, ignore: ScheduledMeeting | None) -> dict[int, set[str]]:
    """Links used in the slot by the board's other online meetings (a pool link hosts one meeting per slot)."""
    return {slot_id: {m.video_url for m in board.meetings
                      if m is not ignore and m.slot_id == slot_id and m.video_url and m.live}}


def _flush_or_explain(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ValidationError("meeting", _("Someone changed this part of the schedule at the same moment. Reload the page and try again.")) from None


def move_meeting(session: Session, actor: User, meeting_id: int, slot_id: int, table_id: int | None) -> ScheduledMeeting:
    """Move a draft meeting to another slot and/or table; refused with the reason if it breaks a rule.

    An online meeting takes no table (*table_id* is ignored for it). Its interpreter follows it
    when free in the new slot, else another free one who serves it is given, else none (module
    docstring); a pool video link taken in the new slot is swapped for a free one.
    """
    meeting, ms = _draft_meeting(session, actor, meeting_id)
    board = load_board(session, ms)
    online = board.is_online(meeting.company_low, meeting.company_high)
    table_id = None if online else (table_id or None)
    _check_place(board, slot_id, table_id)
    mine = next(m for m in board.meetings if m.id == meeting.id)
    problems = board.problems(meeting.company_low, meeting.company_high, slot_id, table_id, ignore=mine)
    if problems:
        raise ValidationError("meeting", problems[0])
    meeting.interpreter_id = board.interpreter_for(meeting.company_low, meeting.company_high, slot_id, online,
                                                   current=meeting.interpreter_id, ignore=mine)
    meeting.slot_id, meeting.table_id, meeting.online = slot_id, table_id, online
    if online:
        video.assign_links(ms, [meeting], {meeting.pair: meeting.video_url}, _video_taken(board, slot_id, mine))
    else:
        meeting.video_url = ""
    ms.draft_edited_at = utcnow()
    _flush_or_explain(session)
    session.expire_all()  # the seats moved with it (ON UPDATE CASCADE)
    return session.get(ScheduledMeeting, meeting_id)


def remove_meeting(session: Session, actor: User, meeting_id: int) -> None:
    """Take a meeting out of the draft (its seats go with it)."""
    meeting, ms = _draft_meeting(session, actor, meeting_id)
    ms.draft_edited_at = utcnow()
    session.delete(meeting)
    session.flush()


def set_pinned(session: Session, actor: User, meeting_id: int, pinned: bool) -> ScheduledMeeting:
    """Pin a draft meeting in place (the next generation keeps it there) or release it.

    A pin that contradicts the rules (e.g. a company is no longer available then) is refused.
    """
    meeting, ms = _draft_meeting(session, actor, meeting_id)
    if pinned:
        board = load_board(session, ms)
        mine = next(m for m in board.meetings if m.id == meeting.id)
        problems = board.problems(meeting.company_low, meeting.company_high, meeting.slot_id, meeting.table_id, ignore=mine)
        if problems:
            raise ValidationError("meeting", problems[0])
    meeting.pinned = pinned
    ms.draft_edited_at = utcnow()
    session.flush()
    return meeting


def add_meeting(session: Session, actor: User, ms_id: int, company_a: int, company_b: int,
                slot_id: int, table_id: int | None) -> ScheduledMeeting:
    """Add a meeting by hand to the draft, pinned so that the next generation keeps it.

    A pair with an online side meets online (no table, a video link); a free interpreter who
    serves the pair is given when it needs one.
    """
    require_organiser(actor)
    ms = lock_session(session, ms_id)
    ensure_idle(ms)
    board = load_board(session, ms)
    online = board.is_online(company_a, company_b)
    table_id = None if online else (table_id or None)
    _check_place(board, slot_id, table_id)
    if company_a == company_b:
        raise ValidationError("company_b", _("Choose two different companies."))
    for field_name, cid in (("company_a", company_a), ("company_b", company_b)):
        company = board.companies.get(cid)
        if company is None or company.status != "approved":
            raise ValidationError(field_name, _("This company is not taking part in the matching."))
    low, high = pair_key(company_a, company_b)
    if any(m.pair == (low, high) for m in board.meetings):
        raise ValidationError("company_b", _("These two companies already meet in this session."))
    problems = board.problems(low, high, slot_id, table_id)
    if problems:
        raise ValidationError("meeting", problems[0])
    meeting = ScheduledMeeting(session_id=ms.id, state="draft", slot_id=slot_id, table_id=table_id, online=online,
                               company_low=low, company_high=high, pinned=True, source="manual", video_url="",
                               interpreter_id=board.interpreter_for(low, high, slot_id, online))
    if online:
        video.assign_links(ms, [meeting], taken=_video_taken(board, slot_id, None))
    session.add(meeting)
    ms.draft_edited_at = utcnow()
    _flush_or_explain(session)
    session.add_all([MeetingSeat(meeting_id=meeting.id, company_id=cid, state="draft", slot_id=slot_id) for cid in (low, high)])
    _flush_or_explain(session)
    return meeting
