"""Synthetic event data for benchmarks/load.py: many companies, offers/needs, vectors, a programme.

Everything here is SYNTHETIC LOAD DATA, made to have the size and shape of a large event, not
its meaning: titles are drawn from a small trilingual vocabulary, and the vectors of offers
and needs are random unit vectors stored under the configured model's id (so the suggestions
page finds them current and never loads the model) instead of real embeddings.

Companies, users, offers/needs and vectors are bulk-inserted (one executemany per table);
the programme goes through the programme import service, as an organiser's spreadsheet would.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchmaker import create_app, embeddings  # noqa: E402
from matchmaker.core.text import index_text  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.models import (  # noqa: E402
    Category,
    Company,
    CompanyDescription,
    MeetingRequest,
    Opportunity,
    OpportunityEmbedding,
    User,
    opportunity_categories,
    utcnow,
)
from matchmaker.services import vectors  # noqa: E402
from matchmaker.services.categories import seed_categories  # noqa: E402

PASSWORD = "load-test password"
COUNTRIES = ["JP"] * 9 + ["VN"] * 9 + ["TH", "KR"]
TOPICS = [  # (en, ja, vi) fragments that titles and descriptions are made of
    ("solar rooftop power", "屋根置き太陽光発電", "điện mặt trời áp mái"),
    ("waste-to-energy plant", "廃棄物発電プラント", "nhà máy điện rác"),
    ("hydrogen fuel cells", "水素燃料電池", "pin nhiên liệu hydro"),
    ("industrial wastewater treatment", "産業排水処理", "xử lý nước thải công nghiệp"),
    ("plastic recycling", "プラスチックリサイクル", "tái chế nhựa"),
    ("energy audits for factories", "工場の省エネ診断", "kiểm toán năng lượng nhà máy"),
    ("electric buses", "電気バス", "xe buýt điện"),
    ("MRV software", "MRVソフトウェア", "phần mềm MRV"),
    ("carbon credit consulting", "カーボンクレジット支援", "tư vấn tín chỉ carbon"),
    ("biomass boilers", "バイオマスボイラー", "lò hơi sinh khối"),
    ("fluorocarbon recovery", "フロン回収", "thu hồi fluorocarbon"),
    ("green finance", "グリーンファイナンス", "tài chính xanh"),
]
ROOMS = ["Main Hall", "Room 201", "Room 202", "Room 301", "Room 302", "Pitch Stage"]
DAYS = ["2026-12-08", "2026-12-09", "2026-12-10"]
SEMINAR_STARTS = ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00", "17:00"]


@dataclass
class Seeded:
    """What the load test needs to know about the data it made."""

    sample_company_ids: list[int]  # approved companies, for the company-page requests
    login_email: str
    counts: dict[str, int] = field(default_factory=dict)
    programme_note: str = ""


def seed(session, companies: int, items: int, event_tz: str, model: str, *, seed_value: int = 7) -> Seeded:
    """Fill an empty database; *items* offers/needs are spread evenly over *companies*."""
    rng = random.Random(seed_value)
    seed_categories(session)
    categories = list(session.scalars(select(Category.id).order_by(Category.position)))
    company_rows, opportunity_rows = _companies(rng, companies, items)
    session.execute(insert(Company), company_rows)
    ids = list(session.scalars(select(Company.id).order_by(Company.id)))
    _users(session, ids)
    _descriptions(session, rng, ids)
    _opportunities(session, rng, ids, opportunity_rows, categories)
    _vectors(session, embeddings.model_id(model), seed_value)
    _requests(session, rng, ids)
    session.commit()
    note = seed_programme(session, event_tz, ids)
    counts = {t: session.scalar(select(func.count()).select_from(t)) for t in
              (Company.__table__, Opportunity.__table__, OpportunityEmbedding.__table__, MeetingRequest.__table__)}
    approved = list(session.scalars(select(Company.id).where(Company.status == "approved").order_by(Company.id)))
    return Seeded(approved[::40], "company1@load.example", {t.name: n for t, n in counts.items()}, note)


def _companies(rng: random.Random, n: int, items: int) -> tuple[list[dict], list[list[dict]]]:
    """Company rows (search text included) and, per company, its offer/need rows."""
    per_company = [items // n + (1 if i < items % n else 0) for i in range(n)]
    companies, opportunities = [], []
    for i in range(n):
        own = [_opportunity(rng, k) for k in range(per_company[i])]
        name = f"{rng.choice(TOPICS)[0].split()[0].title()} {rng.choice(['Tech', 'Green', 'Eco', 'Energy'])} {i + 1}"
        country = rng.choice(COUNTRIES)
        companies.append({
            "name": name, "country": country, "city": "Hanoi" if country == "VN" else "Kitakyushu",
            "sector": "environment", "contact_email": f"contact{i + 1}@load.example", "languages": "en,ja" if country == "JP" else "en,vi",
            "status": "pending" if i % 50 == 49 else "approved",
            "search_text": index_text(name, *(f"{o['title']} {o['description']}" for o in own)),
        })
        opportunities.append(own)
    return companies, opportunities


def _opportunity(rng: random.Random, k: int) -> dict:
    language = rng.choice(["en", "en", "ja", "vi"])
    topic = rng.choice(TOPICS)[("en", "ja", "vi").index(language)]
    other = rng.choice(TOPICS)[("en", "ja", "vi").index(language)]
    kind = "offer" if k % 2 == 0 else "need"
    return {"kind": kind, "language": language, "type": rng.choice(["technology", "business", "finance", None]),
            "title": f"{topic} ({kind} {k + 1})", "description": f"{topic}; {other}. " * 3}


def _users(session, ids: list[int]) -> None:
    password_hash = generate_password_hash(PASSWORD)  # one real hash, shared: hashing 2,000 would take minutes
    rows = [{"email": f"company{n}@load.example", "password_hash": password_hash, "role": "company", "company_id": cid}
            for n, cid in enumerate(ids, start=1)]
    session.execute(insert(User), rows)


def _descriptions(session, rng: random.Random, ids: list[int]) -> None:
    rows = [{"company_id": cid, "language": "en", "text": f"We work on {rng.choice(TOPICS)[0]} and {rng.choice(TOPICS)[0]}."}
            for cid in ids]
    session.execute(insert(CompanyDescription), rows)


def _opportunities(session, rng: random.Random, ids: list[int], rows: list[list[dict]], categories: list[int]) -> None:
    flat = [{**row, "company_id": cid} for cid, own in zip(ids, rows) for row in own]
    session.execute(insert(Opportunity), flat)
    opp_ids = list(session.scalars(select(Opportunity.id).order_by(Opportunity.id)))
    links = [{"opportunity_id": oid, "category_id": cat} for oid in opp_ids for cat in rng.sample(categories, rng.choice([1, 2]))]
    session.execute(insert(opportunity_categories), links)


def _vectors(session, model_id: str, seed_value: int) -> None:
    """Random unit vectors (384-d, like multilingual-e5-small) marked current for each text."""
    opportunities = list(session.scalars(select(Opportunity).options(selectinload(Opportunity.versions)).order_by(Opportunity.id)))
    matrix = np.random.default_rng(seed_value).standard_normal((len(opportunities), 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    expansion = vectors.expansion_for(session, opportunities)  # current with the texts' topics, as the product's would be
    rows = [{"opportunity_id": o.id, "language": o.language, "model_id": model_id, "text_hash": vectors.text_hash(o), "dim": 384,
             "expansion_hash": expansion.hash(vectors.ItemText(o)), "vector": matrix[i].tobytes(), "truncated": False}
            for i, o in enumerate(opportunities)]
    session.execute(insert(OpportunityEmbedding), rows)
    session.expunge_all()


def _requests(session, rng: random.Random, ids: list[int], n: int = 1000) -> None:
    """Meeting requests between distinct random pairs, in every status."""
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < min(n, len(ids) * (len(ids) - 1) // 2):
        a, b = rng.sample(ids, 2)
        pairs.add((min(a, b), max(a, b)))
    now = utcnow()
    rows = [{"requester_id": low, "recipient_id": high, "pair_low": low, "pair_high": high, "message": "Shall we meet?",
             "status": rng.choice(["pending", "accepted", "declined"]), "expires_at": now + timedelta(days=7)}
            for low, high in sorted(pairs)]
    session.execute(insert(MeetingRequest), rows)


# --------------------------------------------------------------------------- programme


def seed_programme(session, event_tz: str, company_ids: list[int]) -> str:
    """A 3-day programme (6 rooms x 8 seminars a day, 60 speakers, 120 booths) through the import service."""
    try:
        from matchmaker.services.programme.seminars import publish_seminars
        from matchmaker.services.programme.importing import import_programme
    except ImportError as error:
        return f"programme skipped: the programme services are not there yet ({error})"
    organiser = User(email="load@localhost", role="organiser", password_hash="!")
    report = import_programme(session, programme_rows(company_ids), organiser, tz=event_tz)
    if report.errors:
        session.rollback()
        first = report.errors[0]
        return f"programme skipped: import refused {len(report.errors)} rows (row {first.row}, {first.column}: {first.message})"
    published = publish_seminars(session, organiser)
    session.commit()
    return f"programme: {len(DAYS)} days, {published} seminars published, {report.created['booth']} booths"


def programme_rows(company_ids: list[int]) -> list[dict[str, str]]:
    """Import rows for the programme; a speaker is never in two rooms at once."""
    rows = [{"record": "day", "date": day} for day in DAYS]
    rows += [{"record": "room", "venue": "National Convention Center", "room": room, "capacity": "200"} for room in ROOMS]
    rows += [{"record": "speaker", "speaker": f"Speaker {n}", "affiliation_en": f"Organisation {n}"} for n in range(60)]
    for d, day in enumerate(DAYS):
        for s, start in enumerate(SEMINAR_STARTS):
            end = f"{int(start[:2]):02d}:50"
            for r, room in enumerate(ROOMS):
                topic = TOPICS[(d + s + r) % len(TOPICS)]
                rows.append({"record": "seminar", "code": f"L{d}{s}{r}", "date": day, "start": start, "end": end, "room": room,
                             "title_en": f"{topic[0].capitalize()} in practice", "title_ja": f"{topic[1]}の実践",
                             "title_vi": f"{topic[2].capitalize()} trong thực tiễn", "abstract_en": f"How {topic[0]} works. " * 5,
                             "language": ("ja", "vi", "en")[r % 3], "interpretation": "en" if r % 3 != 2 else "",
                             "speakers": f"Speaker {((d * len(SEMINAR_STARTS) + s) * len(ROOMS) + r) % 60}"})
    hall_of = ["Hall A", "Hall B"]
    rows += [{"record": "booth", "hall": hall_of[n % 2], "booth": f"{hall_of[n % 2][-1]}{n:03d}",
              "company_email": f"contact{(n * 13) % len(company_ids) + 1}@load.example"} for n in range(1, 121)]
    return rows


def main(argv: list[str]) -> None:
    """``python benchmarks/load_seed.py COMPANIES ITEMS``: create the tables of DATABASE_URL, seed, print JSON."""
    app = create_app()
    with app.app_context():
        db.create_all()  # the models' schema: the load database is thrown away afterwards
        seeded = seed(db.session, int(argv[0]), int(argv[1]), app.config["EVENT_TIMEZONE"], app.config["EMBEDDING_MODEL"])
        db.session.remove()
        db.engine.dispose()
    print(json.dumps(asdict(seeded)))


if __name__ == "__main__":
    main(sys.argv[1:])
