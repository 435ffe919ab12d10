"""Interpreter agendas and online meetings in the services: items, .ics content, cancellations, exports."""

import csv
import io

import pytest
from icalendar import Calendar

from matchmaker.extensions import db
from matchmaker.models import CalendarCancellation, MatchSession, User
from matchmaker.services import agenda, interpreter_agenda as svc
from matchmaker.services.schedule import cancellations, export
from tests.interpreter_helpers import VIDEO, make_interpreter, publish_meeting
from tests.schedule_helpers import new_session


@pytest.fixture
def event(ctx, make_company):
    """A session (venue set) with an interpreted meeting at table 1 in slot 0, an interpreted online
    meeting in slot 1, an online meeting of companies sharing English, and one JA↔VI meeting left
    without an interpreter."""
    ids = {key: make_company(name=name, country=country, languages=langs) for key, name, country, langs in (
        ("jp", "Kitakyushu Eco", "JP", "ja"), ("vn", "Hai Phong Water", "VN", "vi"),
        ("jp2", "Osaka Recycling", "JP", "ja,en"), ("vn2", "Da Nang Biogas", "VN", "vi,en"), ("vn3", "Can Tho Solar", "VN", "vi"))}
    ms_id = new_session(venue="Hanoi, Melia hall")
    lan = make_interpreter()
    at_table = publish_meeting(ms_id, ids["jp"], ids["vn"], slot=0, table=0, interpreter_id=lan.id, sequence=3)
    online = publish_meeting(ms_id, ids["jp"], ids["vn3"], slot=1, table=None, interpreter_id=lan.id, video_url=VIDEO)
    shared = publish_meeting(ms_id, ids["jp2"], ids["vn2"], slot=1, table=None, video_url="")
    alone = publish_meeting(ms_id, ids["vn"], ids["jp2"], slot=2, table=1)
    return dict(ids=ids, ms_id=ms_id, lan=lan, at_table=at_table, online=online, shared=shared, alone=alone)


def _events(data: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_interpreter_items_list_their_meetings_in_time_order_with_place_and_languages(event):
    items = svc.interpreter_items(db.session, event["lan"])
    assert [i.meeting.id for i in items] == [event["at_table"].id, event["online"].id]
    first, second = items
    assert (first.low.name, first.high.name) == ("Kitakyushu Eco", "Hai Phong Water")
    assert first.place == "Table 1" and first.location == "Table 1, Hanoi, Melia hall" and not first.online
    assert first.languages == ("ja", "vi") and first.video_url == ""
    assert second.online and second.place == "Online" and second.location == VIDEO and second.video_url == VIDEO


def test_unknown_empty_or_overlong_token_finds_nobody(event):
    assert svc.interpreter_for_token(db.session, event["lan"].token).id == event["lan"].id
    for token in ("", "nope", event["lan"].token + "x", "a" * 65):
        assert svc.interpreter_for_token(db.session, token) is None


def test_interpreter_ics_uid_sequence_location_url(event):
    data = svc.interpreter_calendar(db.session, event["lan"], "Asia/Ho_Chi_Minh", "JVEW", keep_days=30,
                                    agenda_url="https://x.test/en/interpreter/t/")
    found = _events(data)
    ms_id, lan = event["ms_id"], event["lan"]
    at_table, online = event["at_table"], event["online"]
    table_uid = f"interp-{lan.id}-meeting-{ms_id}-{at_table.company_low}-{at_table.company_high}@jv-environment-week"
    online_uid = f"interp-{lan.id}-meeting-{ms_id}-{online.company_low}-{online.company_high}@jv-environment-week"
    assert set(found) == {table_uid, online_uid}
    t, o = found[table_uid], found[online_uid]
    assert int(t["SEQUENCE"]) == 3 and int(o["SEQUENCE"]) == 1
    assert str(t["LOCATION"]) == "Table 1, Hanoi, Melia hall" and str(t["URL"]) == "https://x.test/en/interpreter/t/"
    assert str(o["LOCATION"]) == VIDEO and str(o["URL"]) == VIDEO
    assert str(t["SUMMARY"]) == "Interpreting: Kitakyushu Eco ↔ Hai Phong Water"
    assert "Kitakyushu Eco (JP) ↔ Hai Phong Water (VN)" in str(t["DESCRIPTION"])
    assert "STATUS" not in t and t.get("DTSTART").params["TZID"] == "Asia/Ho_Chi_Minh"


def test_a_meeting_they_no_longer_serve_comes_back_cancelled_only_in_their_feed(event, make_company):
    lan, at_table = event["lan"], event["at_table"]
    cancellations.cancel_meetings(db.session, [at_table], sequence=4)
    db.session.delete(at_table)
    db.session.commit()
    found = _events(svc.interpreter_calendar(db.session, lan, "Asia/Ho_Chi_Minh", "JVEW", keep_days=30))
    gone = found[cancellations.interpreter_uid(lan.id, at_table)]
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) == 4
    assert str(gone["SUMMARY"]) == "Cancelled: Interpreting: Kitakyushu Eco ↔ Hai Phong Water"
    # another interpreter, the public programme and the companies do not see that entry
    other = make_interpreter(name="Tanaka Ken", token="tok-ken-fedcba9876543210")
    assert _events(svc.interpreter_calendar(db.session, other, "Asia/Ho_Chi_Minh", "JVEW", keep_days=30)) == {}
    assert all(not r.uid.startswith("interp-") for r in cancellations.cancelled_for(db.session))
    company_rows = cancellations.cancelled_for(db.session, company_id=event["ids"]["jp"])
    assert {r.uid for r in company_rows} == {at_table.uid}


def test_an_interpreter_replaced_on_a_kept_meeting_gets_it_cancelled(event):
    lan, online = event["lan"], event["online"]
    other = make_interpreter(name="Tanaka Ken", token="tok-ken-fedcba9876543210")
    same = {"company_low": online.company_low, "company_high": online.company_high}
    cancellations.cancel_interpreter_changes(db.session, [online], [{**same, "interpreter_id": lan.id}], 2)
    assert db.session.query(CalendarCancellation).count() == 0
    cancellations.cancel_interpreter_changes(db.session, [online], [{**same, "interpreter_id": other.id}], 2)
    db.session.commit()
    [row] = cancellations.cancelled_for_interpreter(db.session, lan.id)
    assert row.uid == cancellations.interpreter_uid(lan.id, online) and row.sequence == 2


def _items_of(company_id: int):
    user = db.session.query(User).filter_by(company_id=company_id).one()
    return {item.meeting_id: item for item in agenda.meeting_items(db.session, user)}


def test_company_agenda_names_the_interpreter_shows_online_link_or_interpreter_needed(event):
    mine = _items_of(event["ids"]["jp"])
    at_table, online = mine[event["at_table"].id], mine[event["online"].id]
    assert at_table.interpreter == "Nguyen Thi Lan" and not at_table.interpreter_needed and not at_table.online
    assert at_table.location == "Table 1, Hanoi, Melia hall" and at_table.url == ""
    assert online.online and online.table == "Online" and online.location == VIDEO and online.url == VIDEO
    assert "Interpreter: Nguyen Thi Lan" in online.description and VIDEO in online.description
    alone = _items_of(event["ids"]["vn"])[event["alone"].id]
    assert alone.interpreter_needed and alone.interpreter == ""
    shared = _items_of(event["ids"]["jp2"])[event["shared"].id]
    assert shared.online and shared.video_url == "" and shared.location == "Online" and not shared.interpreter_needed


def test_company_ics_of_an_online_meeting_has_link_as_location_and_url(event):
    user = db.session.query(User).filter_by(company_id=event["ids"]["vn3"]).one()
    data = agenda.agenda_calendar(agenda.agenda_items(db.session, user, extra_sources=()), "Asia/Tokyo", "JVEW",
                                  "https://x.test/en/agenda/")
    [only] = _events(data).values()
    assert str(only["LOCATION"]) == VIDEO and str(only["URL"]) == VIDEO
    assert str(only["UID"]) == event["online"].uid


def test_export_appends_mode_video_link_and_interpreter_after_the_old_columns(event):
    ms = db.session.get(MatchSession, event["ms_id"])
    result = export.schedule_export(db.session, [ms], "published", "Asia/Ho_Chi_Minh")
    assert result.header[:13] == ["Version", "Session", "Date – Vietnam time (UTC+7)", "Start – Vietnam time (UTC+7)",
                                  "End – Vietnam time (UTC+7)", "Table", "Company A", "Country A", "Company B",
                                  "Country B", "Interpreter needed", "Score", "Pinned"]
    assert result.header[13:] == ["Mode", "Video link", "Interpreter"]
    rows = list(csv.reader(io.StringIO(export.to_csv(result).decode("utf-8-sig"))))[1:]
    by_pair = {frozenset((r[6], r[8])): r for r in rows}
    table_row = by_pair[frozenset(("Kitakyushu Eco", "Hai Phong Water"))]
    assert table_row[5] == "Table 1" and table_row[10] == "" and table_row[13:] == ["on site", "", "Nguyen Thi Lan"]
    online_row = by_pair[frozenset(("Kitakyushu Eco", "Can Tho Solar"))]
    assert online_row[5] == "" and online_row[13:] == ["online", VIDEO, "Nguyen Thi Lan"]
    alone_row = by_pair[frozenset(("Hai Phong Water", "Osaka Recycling"))]
    assert alone_row[10] == "yes" and alone_row[15] == ""
    assert [r[3] for r in rows] == sorted(r[3] for r in rows)  # time order, online after the tables of a slot
