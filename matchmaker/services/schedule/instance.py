"""From the database to a ``core.scheduling.Instance`` for one session, and the ids behind it.

What goes in:

* companies: the approved ones not left out of the session by the organisers, with their cap for the session (every slot by default), the
  slot numbers they are unavailable in, and their fixed table if they have one;
* required pairs: accepted meeting requests and pairs the organisers pinned, unless the pair
  already meets in another session (a pair meets once in the event);
* candidate pairs: the matching's suggested partners (top ``SCHEDULE_CANDIDATES`` per company)
  with their scores, minus pairs that declined or cancelled a request, that either side hid,
  that are forbidden, or that meet in another session;
* forbidden pairs: the organisers' forbids;
* pins: draft meetings the organisers pinned in place (slot and table; no table when online);
* meeting resources: each company's mode in the session (``SessionCompany.mode``, on site when
  it has no row) and, when the event has interpreters, each company's meeting languages (ja, vi,
  en only) and the interpreters (language set, mode, unavailable slots of this session).

Interpreters are the resource of pairs that share no language. When the event has no
interpreter at all, the languages are left out: such a pair is still scheduled as before and
the pages flag it "interpreter needed" (``uses_interpreters`` is False). When interpreters
exist, the generator gives every such meeting one of them, and a pair no interpreter can serve
is not scheduled.

Company ids become strings (``str(id)``), slots and tables their numbers in the session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matchmaker.core.scheduling import Company as CoreCompany
from matchmaker.core.scheduling import Instance, Pair, Pin
from matchmaker.core.scheduling import Interpreter as CoreInterpreter
from matchmaker.models import (
    Company,
    HiddenSuggestion,
    Interpreter,
    InterpreterUnavailability,
    MatchSession,
    MeetingRequest,
    Opportunity,
    ScheduledMeeting,
    SessionCompany,
    SessionSlot,
    Unavailability,
    pair_key,
)
from matchmaker.services.matching import pair_rules
from matchmaker.services.meetings import accepted_pairs

DEFAULT_CANDIDATES = 20
MEETING_LANGUAGES = ("ja", "vi", "en")  # the languages interpreters are matched on


@dataclass(frozen=True)
class Candidate:
    """A suggested pair's score (0..1) and the need/offer that make the match."""

    score: float
    need_id: int | None = None
    offer_id: int | None = None


CandidateSource = Callable[[Session, Mapping, MatchSession], dict[tuple[int, int], Candidate]]


@dataclass
class InstanceMap:
    """The core instance and how to turn its numbers back into rows."""

    instance: Instance
    slot_ids: list[int]
    table_ids: list[int]
    candidates: dict[tuple[int, int], Candidate] = field(default_factory=dict)
    required: set[tuple[int, int]] = field(default_factory=set)
    pinned: dict[tuple[int, int], str] = field(default_factory=dict)  # pair -> source of the pinned row
    uses_interpreters: bool = False  # the event has interpreters: languages were given to the solver


def meeting_languages(company: Company) -> frozenset[str]:
    """The company's meeting languages among ja/vi/en (empty: it said none of them)."""
    return frozenset(code for code in company.language_list if code in MEETING_LANGUAGES)


def pair_needs_interpreter(a: Company, b: Company) -> bool:
    """Whether both companies say their meeting languages and share none (the solver's rule)."""
    left, right = meeting_languages(a), meeting_languages(b)
    return bool(left) and bool(right) and not left & right


def lacks_interpreter(meeting) -> bool:
    """Whether a meeting needs an interpreter by the solver's rule and has none ("Interpreter needed")."""
    return meeting.interpreter_id is None and pair_needs_interpreter(meeting.low, meeting.high)


def session_modes(session: Session, ms_id: int) -> dict[int, str]:
    """Company id -> ``"online"`` for the companies attending session *ms_id* online (others are on site)."""
    return {cid: mode for cid, mode in session.execute(
        select(SessionCompany.company_id, SessionCompany.mode).where(SessionCompany.session_id == ms_id,
                                                                     SessionCompany.mode == "online"))}


def event_interpreters(session: Session, ms: MatchSession) -> list[CoreInterpreter]:
    """The event's interpreters as the solver sees them, with their unavailable slots of *ms*."""
    busy: dict[int, set[int]] = {}
    for person_id, number in session.execute(
            select(InterpreterUnavailability.interpreter_id, SessionSlot.number)
            .join(SessionSlot, SessionSlot.id == InterpreterUnavailability.slot_id)
            .where(SessionSlot.session_id == ms.id)):
        busy.setdefault(person_id, set()).add(number)
    return [CoreInterpreter(str(person.id), person.language_set, person.mode, frozenset(busy.get(person.id, ())))
            for person in session.scalars(select(Interpreter).order_by(Interpreter.id)) if len(person.language_set) >= 2]


def unwanted_pairs(session: Session) -> set[tuple[int, int]]:
    """Pairs not to schedule unasked: a request was declined or cancelled, or one side hid the other."""
    rows = session.execute(select(MeetingRequest.pair_low, MeetingRequest.pair_high)
                           .where(MeetingRequest.status.in_(("declined", "cancelled"))))
    pairs = {(low, high) for low, high in rows}
    hidden = session.execute(select(HiddenSuggestion.company_id, HiddenSuggestion.partner_id))
    return pairs | {pair_key(a, b) for a, b in hidden}


def met_elsewhere(session: Session, ms_id: int) -> set[tuple[int, int]]:
    """Pairs that meet in another session's draft or published schedule."""
    rows = session.execute(select(ScheduledMeeting.company_low, ScheduledMeeting.company_high)
                           .where(ScheduledMeeting.session_id != ms_id))
    return {(low, high) for low, high in rows}


def required_pairs(session: Session) -> set[tuple[int, int]]:
    """Accepted requests and organiser pins: the meetings the schedule must place."""
    pins = {pair for pair, rule in pair_rules(session).items() if rule == "pin"}
    return set(accepted_pairs(session)) | pins


def suggested_pairs(session: Session, config: Mapping, ms: MatchSession) -> dict[tuple[int, int], Candidate]:
    """Candidate pairs with scores from the matching (required pairs are scored too).

    Raises ``embeddings.EmbeddingModelError`` when the model is missing. Without any offer or
    need in the pool there is nothing to score and the result is empty.
    """
    from matchmaker.core import matching as core
    from matchmaker.services.matching import build_snapshot, weights_from

    if session.scalar(select(Opportunity.id).join(Company).where(Company.status == "approved").limit(1)) is None:
        return {}
    snapshot = build_snapshot(session, config["EMBEDDING_MODEL"])
    idx = snapshot.index_of
    forbidden = {p for p, r in pair_rules(session).items() if r == "forbid"}
    exclude = [(idx[a], idx[b]) for a, b in unwanted_pairs(session) | forbidden if a in idx and b in idx]
    pins = [(idx[a], idx[b]) for a, b in required_pairs(session) if a in idx and b in idx]
    top_k = int(config.get("SCHEDULE_CANDIDATES", DEFAULT_CANDIDATES))
    found = core.suggest(snapshot.pool, weights_from(config), top_k=top_k, exclude=exclude, pins=pins)
    out: dict[tuple[int, int], Candidate] = {}
    for suggestion in (s for rows in found.values() for s in rows):
        key = pair_key(snapshot.companies[suggestion.company].id, snapshot.companies[suggestion.partner].id)
        if key in out and out[key].score >= suggestion.score:
            continue
        reason = suggestion.reasons[0] if suggestion.reasons else None
        out[key] = Candidate(float(suggestion.score),
                             snapshot.texts[reason.need_item].opportunity.id if reason else None,
                             snapshot.texts[reason.offer_item].opportunity.id if reason else None)
    return out


def left_out(session: Session, ms_id: int) -> set[int]:
    """Companies the organisers left out of session *ms_id*."""
    return set(session.scalars(select(SessionCompany.company_id).where(
        SessionCompany.session_id == ms_id, SessionCompany.excluded.is_(True))))


def _company_facts(session: Session, ms: MatchSession) -> tuple[dict, dict, dict]:
    caps = dict(session.execute(select(SessionCompany.company_id, SessionCompany.max_meetings)
                                .where(SessionCompany.session_id == ms.id)).all())
    busy: dict[int, set[int]] = {}
    for company_id, number in session.execute(select(Unavailability.company_id, SessionSlot.number)
                                              .join(SessionSlot).where(SessionSlot.session_id == ms.id)):
        busy.setdefault(company_id, set()).add(number)
    fixed = {t.company_id: t.number for t in ms.tables if t.company_id is not None}
    return caps, busy, fixed


def _pins(session: Session, ms: MatchSession, online: set[int]) -> tuple[list[Pin], dict[tuple[int, int], str]]:
    rows = session.scalars(select(ScheduledMeeting).where(
        ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "draft", ScheduledMeeting.pinned.is_(True)))
    pins, sources = [], {}
    for row in rows:
        # an online meeting has no table; a pinned meeting whose side went online keeps its slot only
        table = None if row.table is None or online & set(row.pair) else row.table.number
        pins.append(Pin(str(row.company_low), str(row.company_high), row.slot.number, table))
        sources[row.pair] = row.source
    return pins, sources


def build_instance(session: Session, ms: MatchSession, candidates: dict[tuple[int, int], Candidate]) -> InstanceMap:
    """The scheduling problem of session *ms* given the scored *candidates*."""
    slots = len(ms.slots)
    caps, busy, fixed = _company_facts(session, ms)
    excluded = left_out(session, ms.id)
    modes = session_modes(session, ms.id)
    interpreters = event_interpreters(session, ms)
    approved = [c for c in session.scalars(select(Company).where(Company.status == "approved").order_by(Company.id))
                if c.id not in excluded]
    # an online company meets online only: its fixed table (its booth) does not apply
    companies = [CoreCompany(str(c.id), slots if caps.get(c.id) is None else caps[c.id], frozenset(busy.get(c.id, ())),
                             None if c.id in modes else fixed.get(c.id),
                             meeting_languages(c) if interpreters else frozenset(), modes.get(c.id, "onsite"))
                 for c in approved]
    known = {c.id for c in approved}
    elsewhere = met_elsewhere(session, ms.id)
    forbidden = {p for p, r in pair_rules(session).items() if r == "forbid" and set(p) <= known}
    required = {p for p in required_pairs(session) - elsewhere if set(p) <= known}
    pins, pinned = _pins(session, ms, set(modes))
    pins = [p for p in pins if {int(p.a), int(p.b)} <= known]
    pairs = [Pair(str(a), str(b), c.score) for (a, b), c in sorted(candidates.items())
             if {a, b} <= known and (a, b) not in forbidden and (a, b) not in elsewhere]
    instance = Instance(
        slots=slots, tables=len(ms.tables), companies=companies, pairs=pairs,
        required=[(str(a), str(b)) for a, b in sorted(required)],
        forbidden=[(str(a), str(b)) for a, b in sorted(forbidden)], pins=pins, interpreters=interpreters)
    return InstanceMap(instance, [s.id for s in ms.slots], [t.id for t in ms.tables], candidates, required, pinned,
                       bool(interpreters))


def idle_reasons(session: Session, ms: MatchSession, mapping: InstanceMap, placed: set[int],
                 found: dict[str, str] | None = None) -> dict[int, str]:
    """Why each approved company outside *placed* got no meeting in this session, as a code.

    ``left_out`` (by the organisers), ``no_wish`` (its maximum here is 0), ``unavailable`` (in
    every slot), ``met_earlier`` (every partner it had meets it in another session),
    ``no_offers`` (no offer or need, so nobody to suggest), ``no_partner`` (no suitable partner
    found), ``no_table`` (a partner was free but every table was taken: tables exhausted),
    ``no_interpreter`` (its partners needed an interpreter and none was free) or ``no_room`` (its partners were full or busy whenever it was free). *found* is the solver's
    own reason per company id (``Result.idle``).
    """
    found = found or {}
    excluded = left_out(session, ms.id)
    caps, busy, _fixed = _company_facts(session, ms)
    approved = session.scalars(select(Company.id).where(Company.status == "approved"))
    with_offers = set(session.scalars(select(Opportunity.company_id).distinct()))
    elsewhere = met_elsewhere(session, ms.id)
    paired = {int(x) for p in mapping.instance.pairs for x in (p.a, p.b)} | {int(x) for p in mapping.instance.required for x in p}
    known = {pair for pair in [*mapping.candidates, *required_pairs(session)]}
    reasons = {}
    for cid in set(approved) - placed:
        if cid in excluded:
            reasons[cid] = "left_out"
        elif caps.get(cid) == 0:
            reasons[cid] = "no_wish"
        elif len(busy.get(cid, ())) >= len(ms.slots):
            reasons[cid] = "unavailable"
        elif cid in paired:
            reasons[cid] = found[str(cid)] if found.get(str(cid)) in ("no_table", "no_interpreter") else "no_room"
        elif any(cid in pair for pair in known & elsewhere):
            reasons[cid] = "met_earlier"
        else:
            reasons[cid] = "no_partner" if cid in with_offers else "no_offers"
    return reasons


def company_filter(company_id: int):
    """SQL condition: the meeting involves *company_id*."""
    return or_(ScheduledMeeting.company_low == company_id, ScheduledMeeting.company_high == company_id)
