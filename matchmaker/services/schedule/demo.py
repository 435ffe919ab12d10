"""The demo event's matchmaking session: created, scheduled by the real generator, published.

``load_demo_session(app)`` runs after the demo companies are committed (``flask demo-data``): it
creates the session of ``matchmaker/demo/session.json`` (on the first day of the demo
programme), computes the offers' and needs' vectors that are missing (as ``flask matches
embed`` does), generates the draft through ``generation`` (the same path as the organiser's
button) and publishes it, so that every demo company has an agenda.
"""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import select

from matchmaker import embeddings
from matchmaker.extensions import db
from matchmaker.models import ScheduleRun, User
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


def load_demo_session(app, organiser_email: str) -> int:
    """Create, generate and publish the demo session (commits); return its id.

    Raises RuntimeError when the generation fails (the session stays, with its failed run).
    """
    spec = demo_session_spec()
    organiser = db.session.scalar(select(User).where(User.email == organiser_email))
    ms_id = sessions.save_session(db.session, organiser, sessions.SessionData(**spec["session"])).session.id
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
