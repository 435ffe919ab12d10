"""Helpers for tests of interpreters and online meetings: rows written straight into the database.

The generator that assigns interpreters and video links is tested on its own; these tests only
read what a publication leaves behind, so they build it directly.
"""

from __future__ import annotations

from matchmaker.extensions import db
from matchmaker.models import Interpreter, MatchSession, ScheduledMeeting, pair_key
from tests.schedule_helpers import scores

VIDEO = "https://meet.example.org/jvew-Zx81kQ"


def make_interpreter(name: str = "Nguyen Thi Lan", pairs: str = "ja-vi", mode: str = "onsite",
                     token: str = "tok-lan-0123456789abcdef") -> Interpreter:
    """An interpreter of the event (committed)."""
    interpreter = Interpreter(name=name, pairs=pairs, mode=mode, token=token, email="", notes="")
    db.session.add(interpreter)
    db.session.commit()
    return interpreter


def publish_meeting(ms_id: int, a: int, b: int, *, slot: int = 0, table: int | None = 0, interpreter_id: int | None = None,
                    video_url: str = "", sequence: int = 1, state: str = "published") -> ScheduledMeeting:
    """A meeting of companies *a* and *b* in slot number *slot*, at the table numbered *table*
    (None: online, with *video_url*), committed."""
    ms = db.session.get(MatchSession, ms_id)
    low, high = pair_key(a, b)
    slots = sorted(ms.slots, key=lambda s: s.number)
    tables = sorted(ms.tables, key=lambda t: t.number)
    meeting = ScheduledMeeting(session_id=ms_id, state=state, slot_id=slots[slot].id,
                               table_id=None if table is None else tables[table].id, online=table is None,
                               video_url=video_url if table is None else "", interpreter_id=interpreter_id,
                               company_low=low, company_high=high, score=0.5, sequence=sequence)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def second_best_partners(make_company) -> dict[str, int]:
    """One slot, three tables, one interpreter: J1-V1 takes the interpreter, so J2 and V2 (who
    share no language) meet the bilingual X and Y instead of each other (score 1.6, not 3.0)."""
    langs = {"J1": "ja", "V1": "vi", "J2": "ja", "V2": "vi", "X": "ja,vi", "Y": "ja,vi"}
    return {name: make_company(name=f"Company {name}", country="VN" if name.startswith("V") else "JP", languages=lang,
                               email=f"{name.lower()}@example.com") for name, lang in langs.items()}


def second_best_scores(ids: dict[str, int]):
    return scores({(ids["J1"], ids["V1"]): 1.0, (ids["J2"], ids["V2"]): 1.0, (ids["X"], ids["Y"]): 1.0,
                   (ids["J2"], ids["X"]): 0.3, (ids["V2"], ids["Y"]): 0.3})
