"""The follow-up pipeline of a company pair: dated stages from first contact to an agreed project.

A pair (``pair_key``: low, high company id) has a pipeline once its companies held a published
meeting. Either company records a stage (``FOLLOWUP_STAGES``) with a date, a note and
optionally the cooperation area; recording a stage again corrects it. Both companies and the
organisers read every stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l, gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.models import (
    FOLLOWUP_STAGES,
    Category,
    Company,
    FollowupStage,
    ScheduledMeeting,
    User,
    pair_key,
)
from matchmaker.services import validation as v
from matchmaker.services.outcomes.rows import add_or_existing

STAGE_LABELS = {
    "contact": _l("Contact made"),
    "information": _l("Information exchanged"),
    "feasibility": _l("Site visit or feasibility study"),
    "agreement": _l("MoU or NDA signed"),
    "proposal": _l("Project proposal (JCM or another scheme)"),
    "project": _l("Project agreed"),
}
NOTE_MAX = 1000


class NotAPair(LookupError):
    """The two companies held no meeting together: they have no follow-up to record."""


@dataclass
class StageData:
    """What the stage form sends, as strings."""

    stage: str | None = ""
    happened_on: str | None = ""
    note: str | None = ""
    category: str | None = ""  # a category key, or empty


@dataclass
class Lead:
    """One partner of a company's pipeline, with its furthest stage (None before the first)."""

    partner: Company
    furthest: FollowupStage | None
    stages: int


def stage_label(stage: str) -> str:
    """The stage's name in the current language."""
    return str(STAGE_LABELS[stage])


def _held(low: int, high: int):
    return (ScheduledMeeting.state == "published", ScheduledMeeting.status == "held",
            ScheduledMeeting.company_low == low, ScheduledMeeting.company_high == high)


def met(session: Session, a: int, b: int) -> bool:
    """Whether companies *a* and *b* held a published meeting together."""
    if a == b:
        return False
    return session.scalar(select(func.count(ScheduledMeeting.id)).where(*_held(*pair_key(a, b)))) > 0


def partners_met(session: Session, company_id: int) -> list[Company]:
    """The companies *company_id* held a published meeting with, by name."""
    rows = session.execute(select(ScheduledMeeting.company_low, ScheduledMeeting.company_high).where(
        ScheduledMeeting.state == "published", ScheduledMeeting.status == "held",
        or_(ScheduledMeeting.company_low == company_id, ScheduledMeeting.company_high == company_id)))
    ids = {high if low == company_id else low for low, high in rows}
    return list(session.scalars(select(Company).where(Company.id.in_(ids)).order_by(Company.name))) if ids else []


def pair_stages(session: Session, a: int, b: int) -> list[FollowupStage]:
    """The recorded stages of the pair of *a* and *b*, in pipeline order."""
    low, high = pair_key(a, b)
    rows = session.scalars(select(FollowupStage).where(FollowupStage.pair_low == low, FollowupStage.pair_high == high)
                           .options(selectinload(FollowupStage.category), selectinload(FollowupStage.author)))
    return sorted(rows, key=lambda row: row.rank)


def _stage(raw: str | None) -> str:
    if (raw or "").strip() not in FOLLOWUP_STAGES:
        raise v.ValidationError("stage", _("Choose a stage."))
    return raw.strip()


def _day(raw: str | None, today: date) -> date:
    try:
        day = date.fromisoformat((raw or "").strip())
    except ValueError:
        raise v.ValidationError("happened_on", _("Give the date as YYYY-MM-DD.")) from None
    if day > today + timedelta(days=1):
        raise v.ValidationError("happened_on", _("The date cannot be in the future."))
    return day


def _category(session: Session, raw: str | None) -> Category | None:
    key = (raw or "").strip()
    if not key:
        return None
    category = session.scalar(select(Category).where(Category.key == key))
    if category is None:
        raise v.ValidationError("category", _("Unknown category: %(keys)s.", keys=key))
    return category


def _stage_row(session: Session, low: int, high: int, stage: str) -> FollowupStage | None:
    return session.scalar(select(FollowupStage).where(FollowupStage.pair_low == low, FollowupStage.pair_high == high,
                                                      FollowupStage.stage == stage))


def record_stage(session: Session, company_id: int, partner_id: int, data: StageData,
                 actor: User | None = None, today: date | None = None) -> FollowupStage:
    """Record (or correct) a stage of the pipeline of *company_id* with *partner_id*.

    ``NotAPair`` when the two held no meeting; ``ValidationError`` naming every bad field.
    """
    if not met(session, company_id, partner_id):
        raise NotAPair(partner_id)
    checks = v.Checks()
    stage = checks(_stage, data.stage)
    day = checks(_day, data.happened_on, today or date.today())
    note = checks(v.text, "note", data.note, max_length=NOTE_MAX, required=False)
    category = checks(_category, session, data.category)
    checks.done()
    low, high = pair_key(company_id, partner_id)
    row = _stage_row(session, low, high, stage) or add_or_existing(
        session, FollowupStage(pair_low=low, pair_high=high, stage=stage, happened_on=day, entered_by=company_id),
        lambda: _stage_row(session, low, high, stage))
    row.happened_on, row.note, row.category, row.entered_by = day, note, category, company_id
    row.user_id = actor.id if actor is not None else None
    session.add(row)
    session.flush()
    return row


def leads_of(session: Session, company_id: int) -> list[Lead]:
    """The company's partners met, each with its furthest recorded stage (furthest first)."""
    leads = []
    for partner in partners_met(session, company_id):
        stages = pair_stages(session, company_id, partner.id)
        leads.append(Lead(partner=partner, furthest=stages[-1] if stages else None, stages=len(stages)))
    leads.sort(key=lambda lead: (-(lead.furthest.rank if lead.furthest else -1), lead.partner.name))
    return leads


def furthest_stage_by_pair(session: Session) -> dict[tuple[int, int], str]:
    """Every pair with a recorded stage -> its furthest stage (for the organisers and the dashboard)."""
    furthest: dict[tuple[int, int], str] = {}
    for low, high, stage in session.execute(select(FollowupStage.pair_low, FollowupStage.pair_high, FollowupStage.stage)):
        current = furthest.get((low, high))
        if current is None or FOLLOWUP_STAGES.index(stage) > FOLLOWUP_STAGES.index(current):
            furthest[(low, high)] = stage
    return furthest


def pairs_reaching_stage(session: Session) -> dict[str, int]:
    """For each stage, how many pairs reached it or a later one (a funnel, raw counts).

    Pass each count through ``privacy.small_count`` before showing it.
    """
    furthest = furthest_stage_by_pair(session)
    return {stage: sum(1 for reached in furthest.values() if FOLLOWUP_STAGES.index(reached) >= index)
            for index, stage in enumerate(FOLLOWUP_STAGES)}


def stages_by_category(session: Session) -> dict[tuple[str | None, str], int]:
    """(category key or None, stage) -> number of recorded stages (raw counts, for the dashboard)."""
    rows = session.execute(select(Category.key, FollowupStage.stage, func.count(FollowupStage.id))
                           .select_from(FollowupStage).outerjoin(Category, Category.id == FollowupStage.category_id)
                           .group_by(Category.key, FollowupStage.stage))
    return {(key, stage): count for key, stage, count in rows}


def pair_areas(session: Session) -> dict[tuple[int, int], str | None]:
    """Every pair with a recorded stage -> its cooperation area (category key, None when unknown).

    The area of the pair's furthest stage that names one; else the area its companies' feedback
    named most often (ties: the first in the plan's order).
    """
    from matchmaker.models import MeetingFeedback, feedback_categories

    areas: dict[tuple[int, int], str | None] = {}
    rows = session.execute(select(FollowupStage.pair_low, FollowupStage.pair_high, FollowupStage.stage, Category.key)
                           .outerjoin(Category, Category.id == FollowupStage.category_id))
    best: dict[tuple[int, int], tuple[int, str]] = {}
    for low, high, stage, key in rows:
        areas.setdefault((low, high), None)
        if key and ((low, high) not in best or FOLLOWUP_STAGES.index(stage) > best[(low, high)][0]):
            best[(low, high)] = (FOLLOWUP_STAGES.index(stage), key)
    named = session.execute(select(ScheduledMeeting.company_low, ScheduledMeeting.company_high, Category.key,
                                   Category.position, func.count())
                            .join(MeetingFeedback, MeetingFeedback.meeting_id == ScheduledMeeting.id)
                            .join(feedback_categories, feedback_categories.c.feedback_id == MeetingFeedback.id)
                            .join(Category, Category.id == feedback_categories.c.category_id)
                            .group_by(ScheduledMeeting.company_low, ScheduledMeeting.company_high, Category.key,
                                      Category.position))
    from_feedback: dict[tuple[int, int], tuple[int, int, str]] = {}
    for low, high, key, position, count in named:
        ranked = (-count, position, key)
        if (low, high) not in from_feedback or ranked < from_feedback[(low, high)]:
            from_feedback[(low, high)] = ranked
    for pair in areas:
        areas[pair] = best[pair][1] if pair in best else (from_feedback[pair][2] if pair in from_feedback else None)
    return areas
