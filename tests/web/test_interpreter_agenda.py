"""Interpreter agendas by token, and online / interpreted meetings on the company agenda, the table
sheets, the export and the event-day pages. Published meetings are written straight into the
database (tests/interpreter_helpers.py)."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from icalendar import Calendar
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import ReplacementProposal, ScheduledMeeting, SessionCompany, utcnow
from tests.conftest import csrf_from, translated, user_email
from tests.eventday_helpers import staff_user
from tests.interpreter_helpers import VIDEO, make_interpreter, publish_meeting
from tests.schedule_helpers import new_session
from tests.webforms import submit

TOKEN = "tok-lan-0123456789abcdef"
JP, VN, VN2 = "北九州エコエナジー", "Công ty Môi trường Xanh Hải Phòng", "Can Tho Solar"


@pytest.fixture
def event(app, make_company):
    """In a session five days ahead: JP↔VN at table 1 in slot 0 and JP↔VN2 online in slot 1, both
    interpreted by Lan; VN↔VN2 share Vietnamese at table 2 in slot 1."""
    jp = make_company(name=JP, country="JP", languages="ja")
    vn = make_company(name=VN, country="VN", languages="vi")
    vn2 = make_company(name=VN2, country="VN", languages="vi")
    with app.app_context():
        day = (utcnow() + timedelta(days=5)).date().isoformat()
        ms_id = new_session(day=day, venue="Melia Hanoi", name_en="Business matching", name_ja="ビジネスマッチング",
                            name_vi="Kết nối kinh doanh")
        lan = make_interpreter(token=TOKEN)
        at_table = publish_meeting(ms_id, jp, vn, slot=0, table=0, interpreter_id=lan.id)
        online = publish_meeting(ms_id, jp, vn2, slot=1, table=None, interpreter_id=lan.id, video_url=VIDEO)
        shared = publish_meeting(ms_id, vn, vn2, slot=2, table=1)
        return dict(ms_id=ms_id, jp=jp, vn=vn, vn2=vn2, lan=lan.id, at_table=at_table.id, online=online.id,
                    shared=shared.id)


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_interpreter_page_lists_both_companies_place_and_video_link_privately(client, app, event, lang):
    response = client.get(f"/{lang}/interpreter/{TOKEN}/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["X-Robots-Tag"] == "noindex"
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    assert tree.cssselect('meta[name="robots"]')[0].get("content") == "noindex, nofollow"
    table_item = tree.cssselect(f"#interpreted-{event['at_table']}")[0].text_content()
    online_item = tree.cssselect(f"#interpreted-{event['online']}")[0]
    assert JP in table_item and VN in table_item and translated(app, lang, "Table %(table)s", table="1") in table_item
    assert JP in online_item.text_content() and VN2 in online_item.text_content()
    assert translated(app, lang, "Online") in online_item.text_content()
    assert online_item.cssselect(".video-link a")[0].get("href") == VIDEO
    assert f"#interpreted-{event['shared']}" not in response.get_data(as_text=True)  # not theirs
    page = response.get_data(as_text=True)
    assert translated(app, lang, "Times are shown in %(zone)s.", zone=translated(app, lang, "Vietnam time (UTC+7)")) in page \
        or "UTC+7" in page


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_unknown_token_is_not_found_in_the_readers_language(client, app, event, lang):
    for token in ("nope", TOKEN[:-1], "x" * 80):
        response = client.get(f"/{lang}/interpreter/{token}/")
        assert response.status_code == 404
        assert translated(app, lang, "Page not found") in response.get_data(as_text=True)
    assert client.get(f"/{lang}/interpreter/nope/print").status_code == 404
    assert client.get("/interpreter/nope.ics").status_code == 404


def test_print_view_and_feed(client, app, event):
    printed = client.get(f"/ja/interpreter/{TOKEN}/print")
    assert printed.status_code == 200 and printed.headers["Cache-Control"] == "private, no-store"
    html = printed.get_data(as_text=True)
    assert JP in html and VN2 in html and VIDEO in html and 'content="noindex, nofollow"' in html
    page = lxml.html.fromstring(client.get(f"/vi/interpreter/{TOKEN}/").get_data(as_text=True))
    feed_url = page.cssselect("#interpreter-feed")[0].get("href")
    assert feed_url.endswith(f"/interpreter/{TOKEN}.ics?lang=vi")
    feed = client.get(feed_url.split("localhost", 1)[1])
    assert feed.mimetype == "text/calendar" and feed.headers["Cache-Control"] == "private, no-store"
    assert feed.headers["Referrer-Policy"] == "no-referrer"
    events = {str(e["UID"]): e for e in Calendar.from_ical(feed.get_data()).walk("VEVENT")}
    with app.app_context():
        online = db.session.get(ScheduledMeeting, event["online"])
        uid = f"interp-{event['lan']}-{online.uid}"
    assert str(events[uid]["LOCATION"]) == VIDEO and str(events[uid]["URL"]) == VIDEO
    assert str(events[uid]["SUMMARY"]) == translated(app, "vi", "Interpreting: %(companies)s", companies=f"{JP} ↔ {VN2}")


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_company_agenda_names_the_interpreter_and_shows_the_online_link(client, app, event, login, lang):
    login(user_email(app, event["vn2"]), lang=lang)
    tree = lxml.html.fromstring(client.get(f"/{lang}/agenda/").get_data(as_text=True))
    online = tree.cssselect(f"#meeting-{event['online']}")[0]
    text = online.text_content()
    assert translated(app, lang, "Interpreter: %(name)s", name="Nguyen Thi Lan") in text
    assert online.cssselect(".online-place")[0].text_content() == translated(app, lang, "Online")
    assert online.cssselect(".video-link a")[0].get("href") == VIDEO
    shared = tree.cssselect(f"#meeting-{event['shared']}")[0].text_content()
    assert translated(app, lang, "Interpreter needed: no common language") not in shared
    printed = client.get(f"/{lang}/agenda/print").get_data(as_text=True)
    assert VIDEO in printed and translated(app, lang, "Interpreter: %(name)s", name="Nguyen Thi Lan") in printed
    [ics_online] = [e for e in Calendar.from_ical(client.get(f"/{lang}/agenda/agenda.ics").get_data()).walk("VEVENT")
                    if str(e["LOCATION"]) == VIDEO]
    assert str(ics_online["URL"]) == VIDEO


def test_a_meeting_without_its_interpreter_says_interpreter_needed(client, app, event, login):
    with app.app_context():
        db.session.get(ScheduledMeeting, event["at_table"]).interpreter_id = None
        db.session.commit()
    login(user_email(app, event["jp"]), lang="ja")
    item = lxml.html.fromstring(client.get("/ja/agenda/").get_data(as_text=True)).cssselect(f"#meeting-{event['at_table']}")[0]
    assert translated(app, "ja", "Interpreter needed: no common language") in item.text_content()


def test_table_sheets_name_the_interpreter_and_list_online_meetings_on_their_own_sheet(organiser_client, app, event):
    html = organiser_client.get(f"/en/admin/schedule/{event['ms_id']}/print").get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    sheets = tree.cssselect(".table-sheet")
    assert [s.cssselect("h1")[0].text_content().strip() for s in sheets] == ["Table 1", "Table 2", "Online meetings"]
    assert "Interpreter: Nguyen Thi Lan" in sheets[0].text_content()
    online = sheets[2].text_content()
    assert f"{JP} ↔ {VN2}" in online and VIDEO in online and "Interpreter: Nguyen Thi Lan" in online


def test_export_csv_appends_mode_link_and_interpreter(organiser_client, app, event):
    body = organiser_client.get(f"/en/admin/schedule/export.csv?session={event['ms_id']}").get_data().decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0].endswith(",Pinned,Mode,Video link,Interpreter")
    assert any(line.endswith(f",online,{VIDEO},Nguyen Thi Lan") for line in lines)
    assert any(line.endswith(",on site,,Nguyen Thi Lan") for line in lines)


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_event_day_online_group_is_marked_like_a_table(client, app, event, login, lang):
    login(staff_user(app), lang=lang)
    tables = lxml.html.fromstring(client.get(f"/{lang}/event/sessions/{event['ms_id']}/tables/").get_data(as_text=True))
    online_link = tables.cssselect("#host-tables a.host-online")[0]
    assert translated(app, lang, "Online") in online_link.text_content()
    url = online_link.get("href")
    page = client.get(url).get_data(as_text=True)
    assert VIDEO in page and JP in page and VN2 in page
    response = submit(client, url, f"#meeting-{event['online']} form", button="action=held", follow_redirects=True)
    assert translated(app, lang, "Saved.") in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ScheduledMeeting, event["online"]).status == "held"


def test_online_mark_refuses_a_table_meeting_or_another_session(client, app, event, login):  # hostile input
    login(staff_user(app))
    page = client.get(f"/en/event/sessions/{event['ms_id']}/online/").get_data(as_text=True)
    token = csrf_from(page)
    response = client.post(f"/en/event/sessions/{event['ms_id']}/online/meetings/{event['at_table']}",
                           data={f"m{event['at_table']}-csrf_token": token, f"m{event['at_table']}-expected": "scheduled",
                                 "action": "held"}, follow_redirects=True)
    assert response.status_code == 404  # not an online meeting: nothing to mark here
    with app.app_context():
        assert db.session.get(ScheduledMeeting, event["at_table"]).status == "scheduled"
    assert client.get("/en/event/sessions/999/online/").status_code == 404


def test_rematching_with_an_online_meeting_freed_proposes_no_table_for_the_online_company(app, organiser_client,
                                                                                          make_company, make_opportunity):
    from tests.rematch_helpers import waste_day

    e = waste_day(app, make_company, make_opportunity)
    with app.app_context():  # A's 10:00 meeting with G is online: G attends the session online
        remote = db.session.get(ScheduledMeeting, e["meetings"][1])
        remote.table_id, remote.online, remote.video_url = None, True, VIDEO
        db.session.add(SessionCompany(session_id=e["ms"], company_id=e["g"], mode="online"))
        db.session.commit()
    response = submit(organiser_client, f"/en/event/sessions/{e['ms']}/", "#mark-absent form",
                      fields={"absent-company": str(e["a"]), "absent-from_time": ""})
    page = organiser_client.get(response.location)
    assert page.status_code == 200
    assert "Online · Hanoi Waste did not come; Osaka Hydrogen was left alone" in page.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(ReplacementProposal)).all()
        assert rows and all(e["g"] not in (r.company_low, r.company_high) for r in rows)
        assert all(r.table_id is not None for r in rows)
