"""Generating a session's draft: one run at a time, replaced atomically, off the request path.

``start_generation`` records a ``ScheduleRun`` and takes the session's lock with one conditional
UPDATE (``generation_lock`` from NULL to the run's id): of two runs started at once only one
gets it; the other is told. ``run_generation(app, run_id)`` does the work — read the database
into a ``core.scheduling.Instance``, solve with no transaction open, then in ONE transaction
check that the run still holds the lock, delete the old draft, insert the new meetings and
their seats, store the report and release the lock. If anything fails on the way (a crash, a
constraint), the transaction rolls back: the previous draft stays whole, the run is marked
failed and the lock is released. A lock left by a process that died (killed, or its machine
lost) is released once the run is older than its time limit plus ``STALE_GRACE`` seconds: by the
next generation, edit or publication (``common.release_stale_lock``).

The web starts ``run_generation`` in a thread; the CLI calls it directly with a progress bar.
It is a plain function of (app, run id) so that a job queue can call it later.
"""

from __future__ import annotations

import json
import logging
import time as clock
import unicodedata
from datetime import datetime
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from matchmaker.core.scheduling import Result, solve
from matchmaker.core.scheduling.model import pair_key as core_pair_key
from matchmaker.models import (
    RUN_METHODS,
    MatchSession,
    MeetingSeat,
    ScheduledMeeting,
    ScheduleRun,
    User,
    pair_key,
    utcnow,
)
from matchmaker.services.schedule import video
from matchmaker.services.schedule.common import load_session, lock_session, release_stale_lock, require_organiser
from matchmaker.services.schedule.instance import CandidateSource, InstanceMap, build_instance, idle_reasons, suggested_pairs
from matchmaker.services.validation import ValidationError

log = logging.getLogger("matchmaker.schedule")
TIME_LIMIT_RANGE = (1.0, 600.0)
PROGRESS_EVERY = 0.5  # seconds between progress writes

Progress = Callable[[str, float], None]


class GenerationBusy(ValidationError):
    """Another run holds the session's lock."""

    def __init__(self):
        super().__init__("session", _("A schedule is already being generated for this session. Wait until it finishes."))


class Superseded(RuntimeError):
    """The run lost the session's lock (taken over as stale) before writing its draft."""


def parse_time_limit(raw: str | None) -> float:
    """A time limit typed in a form, in seconds (range checked by ``start_generation``)."""
    try:
        return float(unicodedata.normalize("NFKC", raw or "").strip())
    except ValueError:
        low, high = TIME_LIMIT_RANGE
        raise ValidationError("time_limit", _("The time limit is %(low)d to %(high)d seconds.", low=low, high=high)) from None


def _check_options(method: str, time_limit: float) -> None:
    if method not in RUN_METHODS:
        raise ValidationError("method", _("Choose the optimal or the greedy method."))
    low, high = TIME_LIMIT_RANGE
    if not low <= time_limit <= high:  # NaN fails too
        raise ValidationError("time_limit", _("The time limit is %(low)d to %(high)d seconds.", low=low, high=high))


def start_generation(session: Session, actor: User, ms_id: int, *, method: str = "optimal",
                     time_limit: float = 30.0, now: datetime | None = None) -> ScheduleRun:
    """Record a queued run for session *ms_id* and give it the session's lock (caller commits).

    Raises GenerationBusy when another live run holds the lock; ValidationError for a bad
    method or time limit; LookupError for an unknown session.
    """
    require_organiser(actor)
    _check_options(method, time_limit)
    ms = load_session(session, ms_id)
    release_stale_lock(session, ms, now or utcnow())
    run = ScheduleRun(session_id=ms.id, method=method, time_limit=float(time_limit),
                      created_by=actor.id if actor.id else None)
    session.add(run)
    session.flush()
    taken = session.execute(update(MatchSession).where(MatchSession.id == ms.id, MatchSession.generation_lock.is_(None))
                            .values(generation_lock=run.id).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise GenerationBusy()
    session.refresh(ms)
    return run


class _Reporter:
    """Writes the solver's progress to the run row (at each new stage, else at most every
    PROGRESS_EVERY s), calls *extra*."""

    def __init__(self, session: Session, run_id: int, extra: Progress | None):
        self.session, self.run_id, self.extra, self.last, self.stage = session, run_id, extra, 0.0, ""

    def __call__(self, stage: str, fraction: float) -> None:
        if self.extra is not None:
            # bandit B610: a progress callback, not the ORM extra() method
            self.extra(stage, fraction)  # nosec B610
        now = clock.monotonic()
        if stage != self.stage or now - self.last >= PROGRESS_EVERY:
            self.last, self.stage = now, stage
            self.session.execute(update(ScheduleRun).where(ScheduleRun.id == self.run_id)
                                 .values(stage=stage[:20], progress=round(fraction, 4)))
            self.session.commit()


def run_generation(app, run_id: int, progress: Progress | None = None, candidates: CandidateSource | None = None) -> str:
    """Do run *run_id*: solve and replace the session's draft atomically; return the final status.

    Pushes its own application context (safe in a thread). Never raises for a failed run: the
    error is stored on the run and logged.
    """
    from matchmaker.extensions import db

    with app.app_context():
        session = db.session
        try:
            mapping, run = _prepare(session, run_id, app.config, candidates or suggested_pairs)
            result = solve(mapping.instance, run.method, run.time_limit, progress=_Reporter(session, run_id, progress))
            write_draft(session, run_id, mapping, result)
            return "done"
        except Exception as error:  # noqa: BLE001 - any failure ends the run, never the worker
            session.rollback()
            if not isinstance(error, Superseded):
                log.exception("schedule run %s failed", run_id)
            _fail(session, run_id, error)
            return "failed"
        finally:
            session.remove()


def _prepare(session: Session, run_id: int, config, candidates: CandidateSource) -> tuple[InstanceMap, ScheduleRun]:
    run = session.get(ScheduleRun, run_id)
    if run is None or run.status != "queued":
        raise Superseded(f"run {run_id} is not queued")
    run.status, run.started_at, run.stage = "running", utcnow(), "prepare"
    session.commit()
    ms = session.get(MatchSession, run.session_id)
    mapping = build_instance(session, ms, candidates(session, config, ms))
    session.commit()  # no transaction stays open during the solve
    return mapping, run


def _fail(session: Session, run_id: int, error: Exception) -> None:
    run = session.get(ScheduleRun, run_id)
    if run is None:
        return
    run.status, run.finished_at = "failed", utcnow()
    run.error = ("superseded" if isinstance(error, Superseded) else f"{type(error).__name__}: {error}")[:2000]
    session.execute(update(MatchSession).where(MatchSession.id == run.session_id, MatchSession.generation_lock == run_id)
                    .values(generation_lock=None).execution_options(synchronize_session=False))
    session.commit()


def meeting_rows(mapping: InstanceMap, result: Result, ms_id: int, run_id: int | None, state: str = "draft") -> list[dict]:
    """Rows of ``scheduled_meetings`` for the result's meetings (online: no table; video links
    are set by ``video.assign_links``)."""
    pins = {core_pair_key(p.a, p.b) for p in mapping.instance.pins}
    rows = []
    for meeting in result.meetings:
        low, high = pair_key(int(meeting.a), int(meeting.b))
        candidate = mapping.candidates.get((low, high))
        rows.append(dict(
            session_id=ms_id, state=state, slot_id=mapping.slot_ids[meeting.slot],
            table_id=None if meeting.table is None else mapping.table_ids[meeting.table], online=meeting.table is None,
            video_url="", interpreter_id=None if meeting.interpreter is None else int(meeting.interpreter),
            company_low=low, company_high=high, score=candidate.score if candidate else 0.0,
            required=(low, high) in mapping.required, pinned=core_pair_key(meeting.a, meeting.b) in pins,
            source=mapping.pinned.get((low, high), "solver"), run_id=run_id,
            need_id=candidate.need_id if candidate else None, offer_id=candidate.offer_id if candidate else None))
    return rows


def insert_meetings(session: Session, rows: list[dict]) -> list[int]:
    """Insert meetings and their two seats each (bulk); return the meetings' ids in order."""
    if not rows:
        return []
    stmt = insert(ScheduledMeeting).returning(ScheduledMeeting.id, sort_by_parameter_order=True)
    ids = list(session.scalars(stmt, rows))
    seats = [dict(meeting_id=mid, company_id=row[side], state=row["state"], slot_id=row["slot_id"])
             for mid, row in zip(ids, rows) for side in ("company_low", "company_high")]
    session.execute(insert(MeetingSeat), seats)
    return ids


def write_draft(session: Session, run_id: int, mapping: InstanceMap, result: Result) -> None:
    """Replace the session's draft by *result* and close the run, in one transaction (commits)."""
    run = session.get(ScheduleRun, run_id)
    ms = lock_session(session, run.session_id)
    if ms.generation_lock != run_id:
        raise Superseded(f"run {run_id} no longer holds the lock of session {ms.id}")
    links = previous_links(session, ms.id)
    session.execute(delete(ScheduledMeeting).where(ScheduledMeeting.session_id == ms.id, ScheduledMeeting.state == "draft"))
    rows = meeting_rows(mapping, result, ms.id, run_id)
    video.assign_links(ms, rows, links)
    insert_meetings(session, rows)
    _store_report(run, result)
    placed = {row[side] for row in rows for side in ("company_low", "company_high")}
    idle = idle_reasons(session, ms, mapping, placed, found=result.idle)
    run.idle_json = json.dumps({str(cid): reason for cid, reason in sorted(idle.items())})
    if idle:
        run.fewest_meetings = 0  # the companies left with none count too
    ms.generation_lock, ms.draft_edited_at = None, None
    session.commit()


def previous_links(session: Session, ms_id: int) -> dict[tuple[int, int], str]:
    """The video link each pair has now (draft first, else published), to keep it when regenerated."""
    rows = session.execute(select(ScheduledMeeting.company_low, ScheduledMeeting.company_high, ScheduledMeeting.state,
                                  ScheduledMeeting.video_url)
                           .where(ScheduledMeeting.session_id == ms_id, ScheduledMeeting.video_url != ""))
    links: dict[tuple[int, int], str] = {}
    for low, high, state, url in sorted(rows, key=lambda row: row[2] == "draft"):  # the draft's link wins
        links[(low, high)] = url
    return links


def _store_report(run: ScheduleRun, result: Result) -> None:
    run.status, run.stage, run.progress, run.finished_at = "done", "done", 1.0, utcnow()
    run.score, run.bound, run.seconds = float(result.score), float(result.bound), float(result.seconds)
    run.meetings_count, run.fewest_meetings = result.meetings_count, int(result.fewest_meetings)
    run.floor_reached = int(result.floor)
    run.unfair_bound = None if result.unfair_bound is None else float(result.unfair_bound)
    run.greedy_score = float(result.stats["greedy_score"]) if "greedy_score" in result.stats else None
    run.lost_to_interpreters = int(result.lost_to_interpreters)
    run.score_lost_to_interpreters = float(result.score_lost_to_interpreters)
    run.interpreter_slots_json = json.dumps([[int(slot), int(saved)] for slot, saved in result.interpreter_slots])
    run.unplaced_json = json.dumps([{"a": int(u.a) if u.a.isdigit() else u.a, "b": int(u.b) if u.b.isdigit() else u.b,
                                     "reason": u.reason} for u in result.unplaced])


def latest_run(session: Session, ms_id: int) -> ScheduleRun | None:
    """The session's most recent run."""
    return session.scalar(select(ScheduleRun).where(ScheduleRun.session_id == ms_id).order_by(ScheduleRun.id.desc()).limit(1))
