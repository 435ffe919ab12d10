"""Benchmark the organisers' dashboard with 1,000 companies and 10,000 published meetings.

    python benchmarks/dashboard.py [--companies 1000] [--meetings 10000] [--requests 60] [--database-url URL]

SYNTHETIC data, bulk-inserted into a fresh database (a temporary SQLite file unless
``--database-url`` names an empty PostgreSQL database): approved companies (45 % Japanese, 45 %
Vietnamese) with two offers or needs in random cooperation areas, 5,000 meeting requests, four
matchmaking sessions whose slots × tables hold the meetings (held 80 %, no-show 8 %, cancelled
5 %, the rest not marked), feedback from both sides on half the held meetings and follow-up
stages for a fifth of the pairs.

Requests go through Flask's test client, signed in as an organiser (no network). Measured, in
the same run: the BASELINE, a trivial organiser page (the categories list); the dashboard page
CACHED (figures already counted for this data version); the dashboard page COLD (cache emptied
before each request: every figure counted again); each plot's SVG cold and cached. Prints a
markdown table with p50/p95 in ms and the ratio of each p95 to the baseline's. Target: the
cached page's p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchmaker import create_app  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.models import (  # noqa: E402
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
    User,
    opportunity_categories,
)
from matchmaker.pagecache import cache  # noqa: E402
from matchmaker.services.categories import seed_categories  # noqa: E402

PASSWORD = "dashboard benchmark"
SESSIONS, SLOTS = 4, 10
STATUSES = ["held"] * 80 + ["no-show"] * 8 + ["cancelled"] * 5 + ["scheduled"] * 7
KEYS = ("registrations", "supply", "funnel", "schedule", "attendance", "ratings", "pipeline", "areas")


def _companies(rng: random.Random, n: int, categories: list[int]) -> list[int]:
    start = datetime(2026, 9, 1, tzinfo=timezone.utc)
    countries = ["JP"] * 9 + ["VN"] * 9 + ["TH", "KR"]
    db.session.execute(insert(Company), [
        {"name": f"Company {i}", "country": rng.choice(countries), "status": "approved", "languages": "en",
         "contact_email": f"c{i}@bench.example", "created_at": start + timedelta(hours=rng.randrange(90 * 24))}
        for i in range(n)])
    ids = list(db.session.scalars(select(Company.id).order_by(Company.id)))
    db.session.execute(insert(Opportunity), [
        {"company_id": cid, "kind": rng.choice(("offer", "need")), "title": f"Item {k}", "language": "en"}
        for cid in ids for k in range(2)])
    opportunities = list(db.session.scalars(select(Opportunity.id)))
    db.session.execute(insert(opportunity_categories), [
        {"opportunity_id": oid, "category_id": cid} for oid in opportunities for cid in rng.sample(categories, 2)])
    return ids


def _sessions(tables: int) -> list[tuple[int, list[int], list[int]]]:
    made = []
    for s in range(SESSIONS):
        day = date(2026, 12, 1 + s // 2)
        ms = MatchSession(name_en=f"Session {s + 1}", day=day, start_time=clock(9 if s % 2 == 0 else 14),
                          end_time=clock(12 if s % 2 == 0 else 17), timezone="Asia/Ho_Chi_Minh", slot_minutes=15)
        db.session.add(ms)
        db.session.flush()
        base = datetime.combine(day, ms.start_time, tzinfo=timezone.utc)
        slots = [SessionSlot(session_id=ms.id, number=k, starts_at=base + timedelta(minutes=15 * k),
                             ends_at=base + timedelta(minutes=15 * k + 15)) for k in range(SLOTS)]
        table_rows = [MeetingTable(session_id=ms.id, number=k, name=str(k + 1)) for k in range(tables)]
        db.session.add_all([*slots, *table_rows])
        db.session.add(ScheduleRun(session_id=ms.id, status="done", score=90.0 + s, bound=100.0))
        db.session.flush()
        made.append((ms.id, [slot.id for slot in slots], [table.id for table in table_rows]))
    return made


def _meetings(rng: random.Random, ids: list[int], sessions, per_slot: int) -> list[tuple[int, int, int, int, str]]:
    rows, meetings = [], []
    for ms_id, slots, tables in sessions:
        seen = set()
        for slot_id in slots:
            people = rng.sample(ids, 2 * per_slot)
            for t in range(per_slot):
                low, high = sorted(people[2 * t:2 * t + 2])
                if (low, high) in seen:
                    continue
                seen.add((low, high))
                status = rng.choice(STATUSES)
                rows.append({"session_id": ms_id, "state": "published", "slot_id": slot_id, "table_id": tables[t],
                             "company_low": low, "company_high": high, "status": status})
    db.session.execute(insert(ScheduledMeeting), rows)
    for m in db.session.execute(select(ScheduledMeeting.id, ScheduledMeeting.session_id, ScheduledMeeting.company_low,
                                       ScheduledMeeting.company_high, ScheduledMeeting.status)):
        meetings.append(tuple(m))
    return meetings


def _outcomes(rng: random.Random, ids: list[int], meetings, categories: list[int]) -> None:
    expires = datetime(2026, 12, 31, tzinfo=timezone.utc)
    pairs = {tuple(sorted(rng.sample(ids, 2))) for _ in range(5000)}
    db.session.execute(insert(MeetingRequest), [
        {"requester_id": low, "recipient_id": high, "pair_low": low, "pair_high": high, "expires_at": expires,
         "status": rng.choice(("pending", "accepted", "accepted", "declined", "expired"))} for low, high in pairs])
    held = [m for m in meetings if m[4] == "held"]
    feedback = [{"meeting_id": mid, "company_id": company, "session_id": sid, "rating": rng.randint(1, 5),
                 "follow_up": rng.choice(("yes", "maybe", "no"))}
                for mid, sid, low, high, _ in held if rng.random() < 0.5 for company in (low, high)]
    db.session.execute(insert(MeetingFeedback), feedback)
    stages = []
    for _, _, low, high, _ in held:
        if rng.random() < 0.2:
            area = rng.choice(categories)
            for stage in FOLLOWUP_STAGES[:rng.randint(1, len(FOLLOWUP_STAGES))]:
                stages.append({"pair_low": low, "pair_high": high, "stage": stage, "happened_on": date(2027, 1, 15),
                               "category_id": area, "entered_by": low})
    db.session.execute(insert(FollowupStage), list({(s["pair_low"], s["pair_high"], s["stage"]): s
                                                     for s in stages}.values()))


def seed(companies: int, meetings: int, seed_value: int = 7) -> dict:
    """Fill the empty database; return what was made."""
    rng = random.Random(seed_value)
    seed_categories(db.session)
    categories = list(db.session.scalars(select(Category.id)))
    ids = _companies(rng, companies, categories)
    per_slot = max(1, meetings // (SESSIONS * SLOTS))
    made = _meetings(rng, ids, _sessions(per_slot), per_slot)
    _outcomes(rng, ids, made, categories)
    db.session.add(User(email="organiser@bench.example", password_hash=generate_password_hash(PASSWORD),
                        role="organiser"))
    db.session.commit()
    return {"companies": len(ids), "meetings": len(made)}


def timed(client, path: str, n: int, before=None) -> list[float]:
    """Milliseconds of *n* GETs of *path* (each after *before()*, untimed); every answer must be 200."""
    times = []
    for _ in range(n):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def p95(times: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(times)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--meetings", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=60, help="requests per measured row")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{folder.name}/dashboard.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        made = seed(args.companies, args.meetings)
    client = app.test_client()
    response = client.post("/en/auth/login", data={"email": "organiser@bench.example", "password": PASSWORD})
    assert response.status_code == 302, "login failed"
    n = args.requests
    client.get("/en/admin/dashboard/")  # count once, warm templates
    rows = [("baseline: organiser categories page", timed(client, "/en/admin/categories", n)),
            ("dashboard page, cached", timed(client, "/en/admin/dashboard/", n)),
            ("dashboard page, cold (cache emptied)", timed(client, "/en/admin/dashboard/", max(n // 4, 5), cache.clear))]
    plots = [f"/ja/admin/dashboard/plots/{key}.svg" for key in KEYS]
    cold, warm = [], []
    for _ in range(max(n // 20, 2)):
        cache.clear()
        client.get("/ja/admin/dashboard/")
        for path in plots:
            cold += timed(client, path, 1)
    for path in plots:
        warm += timed(client, path, max(n // 8, 3))
    rows += [("one plot SVG, cold (drawn)", cold), ("one plot SVG, cached", warm)]
    base = p95(rows[0][1])
    print(f"\n{made['companies']} companies, {made['meetings']} published meetings, "
          f"{url.split(':', 1)[0]}\n")
    print("| what | requests | p50 ms | p95 ms | p95 ÷ baseline |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, times in rows:
        print(f"| {name} | {len(times)} | {statistics.median(times):.1f} | {p95(times):.1f} | {p95(times) / base:.1f} |")
    verdict = "met" if p95(rows[1][1]) < 300 else "NOT met"
    print(f"\nTarget p95 of the cached page < 300 ms: {verdict}.")


if __name__ == "__main__":
    main()
