"""The organisers' dashboard: what the week produced, as aggregates (raw counts; pages and the
report show them through ``privacy.small_count``).

``collect(session, filters)`` gathers every figure at once into a ``Dashboard`` of plain values
(no ORM objects: it is cached and pickled). The filters (``Filters``: a day, a session, a
cooperation area) apply to every figure they concern; ``IGNORES`` says which filters a figure
leaves aside, so the page can say so.

Words used here:

* a pair is two companies (low id, high id);
* a pair is *suggested* when one company offers a cooperation area the other needs (both
  approved), the rule the suggestions start from, counted without the text similarity;
* a pair is *in an area* (category filter) when one company offers that area and the other needs it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.models import (
    FOLLOWUP_STAGES,
    Category,
    Company,
    FollowupStage,
    MatchSession,
    MeetingFeedback,
    MeetingRequest,
    MeetingTable,
    Opportunity,
    ScheduleRun,
    ScheduledMeeting,
    SessionSlot,
    feedback_categories,
    opportunity_categories,
)
from matchmaker.services.outcomes.pipeline import pair_areas

FUNNEL = ("suggested", "requested", "accepted", "scheduled", "held", "followed")
COUNTRY_GROUPS = ("JP", "VN", "other")
SUPPLY_DEMAND = ("jp-offers", "vn-needs", "vn-offers", "jp-needs")  # columns of the heat map
ATTENDANCE = ("held", "no-show", "cancelled", "scheduled")

# figure -> filters it does not apply (the page says so next to the figure)
IGNORES = {
    "registrations": ("day", "session"),
    "supply": ("day", "session"),
    "funnel": (),
    "schedule": ("category",),
    "attendance": (),
    "ratings": (),
    "pipeline": (),
    "areas": (),
}


@dataclass(frozen=True)
class Filters:
    """What the organiser narrowed the dashboard to (None: everything)."""

    day: date | None = None
    session_id: int | None = None
    category: str | None = None  # a category key

    @property
    def active(self) -> tuple[str, ...]:
        """The names of the filters that are set ("day", "session", "category")."""
        return tuple(name for name, value in (("day", self.day), ("session", self.session_id),
                                              ("category", self.category)) if value is not None)

    def key(self) -> str:
        """A short text naming the filters, for cache keys."""
        return f"{self.day or ''}|{self.session_id or ''}|{self.category or ''}"


@dataclass
class SessionRow:
    """One matchmaking session's schedule and attendance figures."""

    session_id: int
    names: dict[str, str]  # per language, as the organiser wrote them
    day: date
    slots: int
    tables: int
    meetings: int  # published
    score: float | None  # of the latest finished generation (None: never generated)
    bound: float | None
    quality: float | None  # score ÷ bound (``ScheduleRun.fraction``)
    attendance: dict[str, int] = field(default_factory=dict)  # ATTENDANCE -> meetings

    @property
    def capacity(self) -> int:
        """Meetings the session could hold: slots × tables."""
        return self.slots * self.tables

    @property
    def fill(self) -> float | None:
        """Published meetings ÷ capacity (None without tables or slots)."""
        return self.meetings / self.capacity if self.capacity else None


@dataclass
class AreaRow:
    """One cooperation area: offers and needs, held meetings, follow-ups (raw counts)."""

    key: str
    names: dict[str, str]
    supply: dict[str, int]  # SUPPLY_DEMAND -> companies
    meetings_held: int  # held meetings whose feedback names the area
    pairs_following: int  # pairs with a follow-up in this area
    stages: dict[str, int]  # stage -> pairs whose furthest stage it is


@dataclass
class Dashboard:
    """Every figure of the dashboard (raw counts)."""

    filters: Filters
    registrations: list[tuple[date, dict[str, int]]]  # (UTC day, group -> companies registered up to then)
    funnel: dict[str, int]
    sessions: list[SessionRow]
    ratings: dict[int, int]
    reached: dict[str, int]  # stage -> pairs that reached it or a later one
    areas: list[AreaRow]
    companies: dict[str, int]  # approved companies per country group
    meetings_held: int

    @property
    def empty(self) -> bool:
        """Whether there is nothing at all to show yet (no approved company)."""
        return not any(self.companies.values())

    @property
    def total_ratings(self) -> int:
        """How many feedbacks the ratings figure counts."""
        return sum(self.ratings.values())


def _group(country: str) -> str:
    return country if country in ("JP", "VN") else "other"


class _Pool:
    """Approved companies and the areas each offers and needs (as a boolean matrix)."""

    def __init__(self, session: Session):
        self.country = dict(session.execute(select(Company.id, Company.country).where(Company.status == "approved")).all())
        self.categories = list(session.scalars(select(Category).order_by(Category.position, Category.id)))
        self.index = {cid: i for i, cid in enumerate(self.country)}
        column = {c.id: j for j, c in enumerate(self.categories)}
        shape = (len(self.index), len(self.categories))
        self.offers, self.needs = np.zeros(shape, bool), np.zeros(shape, bool)
        rows = session.execute(select(Opportunity.company_id, Opportunity.kind, opportunity_categories.c.category_id)
                               .join(opportunity_categories, opportunity_categories.c.opportunity_id == Opportunity.id))
        for company_id, kind, category_id in rows:
            if company_id in self.index and category_id in column:
                (self.offers if kind == "offer" else self.needs)[self.index[company_id], column[category_id]] = True

    def column(self, key: str) -> int | None:
        return next((j for j, c in enumerate(self.categories) if c.key == key), None)

    def suggested(self, key: str | None) -> int:
        """Pairs where one offers an area (*key*, or any) the other needs."""
        offers, needs = self.offers, self.needs
        if key is not None:
            j = self.column(key)
            offers, needs = offers[:, [j]], needs[:, [j]]
        if not len(self.index):
            return 0
        links = (offers.astype(np.int32) @ needs.T.astype(np.int32)) > 0
        links |= links.T
        return int(np.triu(links, 1).sum())

    def in_area(self, key: str | None):
        """A test ``(low, high) -> bool``: the pair is in area *key* (always true without one)."""
        if key is None:
            return lambda pair: True
        j = self.column(key)
        offering = {cid for cid, i in self.index.items() if self.offers[i, j]}
        needing = {cid for cid, i in self.index.items() if self.needs[i, j]}
        return lambda pair: ((pair[0] in offering and pair[1] in needing)
                             or (pair[1] in offering and pair[0] in needing))


def session_ids(session: Session, filters: Filters) -> set[int] | None:
    """The sessions the day and session filters leave (None: no such filter)."""
    if filters.day is None and filters.session_id is None:
        return None
    query = select(MatchSession.id)
    if filters.day is not None:
        query = query.where(MatchSession.day == filters.day)
    if filters.session_id is not None:
        query = query.where(MatchSession.id == filters.session_id)
    return set(session.scalars(query))


def _registrations(session: Session, pool: _Pool, key: str | None) -> list[tuple[date, dict[str, int]]]:
    rows = session.execute(select(Company.id, Company.country, Company.created_at).where(Company.status == "approved"))
    j = pool.column(key) if key else None
    per_day: dict[date, Counter] = defaultdict(Counter)
    for company_id, country, created_at in rows:
        i = pool.index[company_id]
        if j is not None and not (pool.offers[i, j] or pool.needs[i, j]):
            continue
        per_day[created_at.date()][_group(country)] += 1
    running, series = Counter(), []
    for day in sorted(per_day):
        running.update(per_day[day])
        series.append((day, {group: running[group] for group in COUNTRY_GROUPS}))
    return series


def _published(session: Session, sessions: set[int] | None) -> list[tuple[int, int, int, int, str]]:
    query = select(ScheduledMeeting.id, ScheduledMeeting.session_id, ScheduledMeeting.company_low,
                   ScheduledMeeting.company_high, ScheduledMeeting.status).where(ScheduledMeeting.state == "published")
    if sessions is not None:
        query = query.where(ScheduledMeeting.session_id.in_(sessions))
    return list(session.execute(query))


def _funnel(session: Session, pool: _Pool, filters: Filters, meetings, in_area, followed: set) -> dict[str, int]:
    requests = session.execute(select(MeetingRequest.pair_low, MeetingRequest.pair_high, MeetingRequest.status))
    requested, accepted = set(), set()
    for low, high, status in requests:
        if in_area((low, high)):
            requested.add((low, high))
            if status == "accepted":
                accepted.add((low, high))
    scheduled = {(low, high) for _, _, low, high, _ in meetings if in_area((low, high))}
    held = {(low, high) for _, _, low, high, status in meetings if status == "held" and in_area((low, high))}
    return {"suggested": pool.suggested(filters.category), "requested": len(requested), "accepted": len(accepted),
            "scheduled": len(scheduled), "held": len(held), "followed": len(followed & held)}


def _sessions(session: Session, sessions: set[int] | None, meetings, in_area) -> list[SessionRow]:
    query = select(MatchSession).order_by(MatchSession.day, MatchSession.start_time)
    if sessions is not None:
        query = query.where(MatchSession.id.in_(sessions))
    slots = dict(session.execute(select(SessionSlot.session_id, func.count()).group_by(SessionSlot.session_id)).all())
    tables = dict(session.execute(select(MeetingTable.session_id, func.count()).group_by(MeetingTable.session_id)).all())
    latest = {run.session_id: run for run in session.scalars(
        select(ScheduleRun).where(ScheduleRun.status == "done").order_by(ScheduleRun.id))}
    published, attendance = Counter(), defaultdict(Counter)
    for _, session_id, low, high, status in meetings:
        published[session_id] += 1
        if in_area((low, high)):
            attendance[session_id]["scheduled" if status == "replacement" else status] += 1
    rows = []
    for ms in session.scalars(query):
        run = latest.get(ms.id)
        rows.append(SessionRow(ms.id, ms.texts("name"), ms.day, slots.get(ms.id, 0), tables.get(ms.id, 0),
                               published[ms.id], run and run.score, run and run.bound, run and run.fraction,
                               {status: attendance[ms.id][status] for status in ATTENDANCE}))
    return rows


def _ratings(session: Session, sessions: set[int] | None, key: str | None) -> dict[int, int]:
    query = select(MeetingFeedback.rating, func.count(MeetingFeedback.id)).group_by(MeetingFeedback.rating)
    if sessions is not None:
        query = query.where(MeetingFeedback.session_id.in_(sessions))
    if key is not None:
        query = (query.join(feedback_categories, feedback_categories.c.feedback_id == MeetingFeedback.id)
                 .join(Category, Category.id == feedback_categories.c.category_id).where(Category.key == key))
    counts = dict.fromkeys(range(1, 6), 0)
    counts.update(dict(session.execute(query).all()))
    return counts


def _furthest(session: Session) -> dict[tuple[int, int], str]:
    furthest: dict[tuple[int, int], str] = {}
    for low, high, stage in session.execute(select(FollowupStage.pair_low, FollowupStage.pair_high, FollowupStage.stage)):
        if (low, high) not in furthest or FOLLOWUP_STAGES.index(stage) > FOLLOWUP_STAGES.index(furthest[(low, high)]):
            furthest[(low, high)] = stage
    return furthest


def _held_by_area(session: Session, sessions: set[int] | None) -> Counter:
    query = (select(Category.key, func.count(func.distinct(MeetingFeedback.meeting_id)))
             .select_from(MeetingFeedback)
             .join(feedback_categories, feedback_categories.c.feedback_id == MeetingFeedback.id)
             .join(Category, Category.id == feedback_categories.c.category_id).group_by(Category.key))
    if sessions is not None:
        query = query.where(MeetingFeedback.session_id.in_(sessions))
    return Counter(dict(session.execute(query).all()))


def _areas(session: Session, pool: _Pool, filters: Filters, furthest: dict, areas: dict,
           sessions: set[int] | None) -> list[AreaRow]:
    jp = np.array([pool.country[cid] == "JP" for cid in pool.index], bool)
    vn = np.array([pool.country[cid] == "VN" for cid in pool.index], bool)
    held = _held_by_area(session, sessions)
    rows = []
    for j, category in enumerate(pool.categories):
        if filters.category is not None and category.key != filters.category:
            continue
        supply = {"jp-offers": int((pool.offers[:, j] & jp).sum()), "vn-needs": int((pool.needs[:, j] & vn).sum()),
                  "vn-offers": int((pool.offers[:, j] & vn).sum()), "jp-needs": int((pool.needs[:, j] & jp).sum())}
        stages = Counter(stage for pair, stage in furthest.items() if areas.get(pair) == category.key)
        rows.append(AreaRow(category.key, {lang: category.name(lang) for lang in ("ja", "vi", "en")}, supply,
                            held[category.key], sum(stages.values()),
                            {stage: stages[stage] for stage in FOLLOWUP_STAGES}))
    return rows


def collect(session: Session, filters: Filters) -> Dashboard:
    """Every figure of the dashboard under *filters* (raw counts)."""
    pool = _Pool(session)
    in_area = pool.in_area(filters.category)
    sessions = session_ids(session, filters)
    meetings = _published(session, sessions)
    held_pairs = {(low, high) for _, _, low, high, status in meetings if status == "held"}
    furthest = _furthest(session)
    areas = pair_areas(session) if furthest else {}
    if sessions is not None:  # pairs that held a meeting in the chosen sessions
        furthest = {pair: stage for pair, stage in furthest.items() if pair in held_pairs}
    if filters.category is not None:
        furthest = {pair: stage for pair, stage in furthest.items() if areas.get(pair) == filters.category}
    reached = {stage: sum(1 for s in furthest.values() if FOLLOWUP_STAGES.index(s) >= i)
               for i, stage in enumerate(FOLLOWUP_STAGES)}
    companies = Counter(_group(country) for country in pool.country.values())
    return Dashboard(
        filters=filters, registrations=_registrations(session, pool, filters.category),
        funnel=_funnel(session, pool, filters, meetings, in_area, set(furthest)),
        sessions=_sessions(session, sessions, meetings, in_area),
        ratings=_ratings(session, sessions, filters.category), reached=reached,
        areas=_areas(session, pool, filters, furthest, areas, sessions),
        companies={group: companies[group] for group in COUNTRY_GROUPS},
        meetings_held=sum(1 for _, _, low, high, status in meetings if status == "held" and in_area((low, high))),
    )

