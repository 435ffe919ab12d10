"""The demo event's matchmaking session: created, scheduled by the real generator, published.

``load_demo_session(app)`` runs after the demo companies are committed (``flask demo-data``): it
creates the session of ``matchmaker/demo/session.json`` (on the first day of the demo
programme), computes the offers' and needs' vectors that are missing (as ``flask matches
embed`` does), generates the draft through ``generation`` (the same path as the organiser's
button) and publishes it, so that every demo company has an agenda.

The session carries the event's meeting resources: interpreters (two on site and one online
for Japanese↔Vietnamese, one on site for Japanese↔English, one of them unavailable in a slot),
a few companies attending online, and a video link template, so the generated schedule has
interpreted and online meetings with their links.
"""

from __future__ import annotations

import json
import secrets
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker import embeddings
from matchmaker.extensions import db
from matchmaker.models import (
    Interpreter,
    InterpreterUnavailability,
    MatchSession,
    ScheduleRun,
    SessionCompany,
    User,
)
from matchmaker.services import vectors
from matchmaker.services.schedule import generation, publish, sessions


def demo_session_spec() -> dict:
    """The demo session as shipped in ``matchmaker/demo/session.json``."""
    return json.loads(resources.files("matchmaker.demo").joinpath("session.json").read_text(encoding="utf-8"))


def embed_missing(config) -> int:
    """Compute the vectors that are missing or stale; return how many (EmbeddingModelError without a model)."""
    model = config["EMBEDDING_MODEL"]
    todo = vectors.stale_texts(db.session, embeddings.model_id(model))
    if todo:
        vectors.embed(db.session, todo, model)
        db.session.commit()
    return len(todo)


def add_resources(session: Session, ms: MatchSession, spec: dict) -> None:
    """The demo's interpreters, online companies and video template for session *ms* (caller commits)."""
    ms.video_source, ms.video_template = "template", spec["video_template"]
    slots = {slot.number: slot.id for slot in ms.slots}
    for entry in spec["interpreters"]:
        person = Interpreter(name=entry["name"], email=entry["email"], pairs=entry["pairs"], mode=entry["mode"],
                             token=secrets.token_urlsafe(24))
        session.add(person)
        session.flush()
        session.add_all(InterpreterUnavailability(interpreter_id=person.id, slot_id=slots[n]) for n in entry["unavailable"])
    online = session.scalars(select(User.company_id).where(User.email.in_(spec["online"])))
    session.add_all(SessionCompany(session_id=ms.id, company_id=cid, mode="online") for cid in online)
    session.flush()


def load_demo_session(app, organiser_email: str) -> int:
    """Create, generate and publish the demo session (commits); return its id.

    Raises RuntimeError when the generation fails (the session stays, with its failed run).
    """
    spec = demo_session_spec()
    organiser = db.session.scalar(select(User).where(User.email == organiser_email))
    ms = sessions.save_session(db.session, organiser, sessions.SessionData(**spec["session"])).session
    add_resources(db.session, ms, spec)
    ms_id = ms.id
    db.session.commit()
    embed_missing(app.config)
    run_id = generation.start_generation(db.session, organiser, ms_id, method=spec["method"],
                                         time_limit=float(spec["time_limit"])).id
    db.session.commit()
    if generation.run_generation(app, run_id) != "done":
        raise RuntimeError(f"the demo schedule could not be generated: {db.session.get(ScheduleRun, run_id).error}")
    organiser = db.session.scalar(select(User).where(User.email == organiser_email))
    publish.publish_schedule(db.session, organiser, ms_id)
    db.session.commit()
    return ms_id
