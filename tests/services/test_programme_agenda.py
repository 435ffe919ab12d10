"""Bookmarked seminars join the personal agenda of issue 4, with a warning when one overlaps a meeting."""

from datetime import time

from flask import g
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Bookmark, MatchSession, MeetingTable, ScheduledMeeting, Seminar, SessionSlot, User
from tests.conftest import user_email
from tests.programme_helpers import DAY1, build_programme


def _published_meeting(seminar: Seminar, low: int, high: int) -> None:
    """A published meeting of *low* and *high* at the time of *seminar* (session, slot and table included)."""
    session = MatchSession(name_en="Morning", day=DAY1, start_time=time(9), end_time=time(12), timezone="Asia/Ho_Chi_Minh",
                           slot_minutes=30)
    slot = SessionSlot(session=session, number=0, starts_at=seminar.starts_at, ends_at=seminar.ends_at)
    table = MeetingTable(session=session, number=0, name="T1")
    db.session.add_all([session, slot, table])
    db.session.flush()
    db.session.add(ScheduledMeeting(session_id=session.id, state="published", slot_id=slot.id, table_id=table.id,
                                    company_low=min(low, high), company_high=max(low, high)))


def test_bookmarked_seminar_in_agenda_with_overlap_warning(app, client, login, make_company):
    ids = build_programme(app)
    mine, partner = make_company(name="Kitakyushu Eco"), make_company(name="Hai Phong Green", country="VN")
    with app.test_request_context("/en/"):
        g.lang_code = "en"
        user = db.session.scalar(select(User).where(User.company_id == mine))
        seminar = db.session.get(Seminar, ids["A"])
        db.session.add_all([Bookmark(user_id=user.id, seminar_id=ids["A"]), Bookmark(user_id=user.id, seminar_id=ids["C"])])
        _published_meeting(seminar, mine, partner)
        db.session.commit()
        from matchmaker.services import agenda

        items = agenda.agenda_items(db.session, user)
        seminars = [i for i in items if i.kind == "seminar"]
        assert [i.title for i in seminars] == ["JCM update", "Hydrogen for industry"]
        assert seminars[0].uid == seminar.uid and "Overlaps your meeting: Meeting with Hai Phong Green" in seminars[0].description
        assert "Overlaps" not in seminars[1].description
        assert any(i.kind == "meeting" for i in items)
        meeting = next(i for i in items if i.kind == "meeting")
        assert [w.split(",")[0] for w in meeting.warnings] == ["Overlaps another item of your agenda: JCM update"]
        assert seminars[0].warnings[0].startswith("Overlaps your meeting: Meeting with Hai Phong Green")
        assert seminars[1].warnings == []
    login(user_email(app, mine))
    page = client.get("/en/programme/mine").get_data(as_text=True)
    assert "Overlaps your meeting: Meeting with Hai Phong Green" in page and page.count("overlap-warning") == 1
    # the company's agenda shows both sides of the clash, each naming the other and its time with the zone
    agenda_page = client.get("/en/agenda/").get_data(as_text=True)
    assert agenda_page.count("overlap-warning") == 2
    assert "Overlaps another item of your agenda: JCM update" in agenda_page and " ICT." in agenda_page
