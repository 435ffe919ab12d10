"""Interpreters and online meetings in the generator, the draft, video links, publication and hand edits."""

import json
import re

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import (
    Interpreter,
    InterpreterUnavailability,
    MatchSession,
    ScheduleNotification,
    ScheduleRun,
    SessionCompany,
)
from matchmaker.services.schedule import publish, report, review, video
from matchmaker.services.schedule.instance import build_instance
from matchmaker.services.validation import ValidationError
from tests.interpreter_helpers import second_best_partners, second_best_scores
from tests.schedule_helpers import accept, generate, meetings, new_session, organiser, scores

TEMPLATE = "https://meet.jit.si/jvew-{room}"


@pytest.fixture
def people(make_company):
    """Japanese-only, Japanese+English, Vietnamese-only, Vietnamese+English and Thai+English companies."""
    return {key: make_company(name=name, country=country, languages=lang) for key, name, country, lang in (
        ("ja", "Hakata Marine", "JP", "ja"), ("jaen", "Osaka Hydrogen", "JP", "ja,en"),
        ("vi", "Hai Phong Water", "VN", "vi"), ("vien", "Da Nang Solar", "VN", "vi,en"),
        ("th", "Siam Biomass", "TH", "th,en"))}


def interpreter(name: str, pairs: str = "ja-vi", mode: str = "onsite", off=()) -> int:
    person = Interpreter(name=name, pairs=pairs, mode=mode, token=f"tok-{name}")
    db.session.add(person)
    db.session.flush()
    db.session.add_all(InterpreterUnavailability(interpreter_id=person.id, slot_id=slot_id) for slot_id in off)
    db.session.commit()
    return person.id


def attend_online(ms_id: int, *company_ids: int) -> None:
    db.session.add_all(SessionCompany(session_id=ms_id, company_id=cid, mode="online") for cid in company_ids)
    db.session.commit()


def with_video(ms_id: int, source: str = "template", template: str = TEMPLATE, pool: str = "") -> MatchSession:
    ms = db.session.get(MatchSession, ms_id)
    ms.video_source, ms.video_template, ms.video_pool = source, template, pool
    db.session.commit()
    return ms


def pair(a: int, b: int) -> tuple[int, int]:
    return (min(a, b), max(a, b))


def interpreted_and_online(app, people) -> tuple[int, int]:
    """A generated session: JA-only meets VI-only (interpreter Ha), JA+EN meets online VI+EN (a template link)."""
    ms_id = new_session()
    attend_online(ms_id, people["vien"])
    with_video(ms_id)
    ha = interpreter("Ha")
    assert generate(app, ms_id, scores({(people["ja"], people["vi"]): 0.9, (people["jaen"], people["vien"]): 0.8})) == "done"
    return ms_id, ha


def test_instance_carries_languages_modes_and_interpreters(app, ctx, people):
    ms_id = new_session()
    ms = db.session.get(MatchSession, ms_id)
    attend_online(ms_id, people["vi"])
    onsite = interpreter("Ha", off=[ms.slots[1].id])
    online = interpreter("Duc", "en-ja,ja-vi", "online")
    mapping = build_instance(db.session, ms, {})
    companies = {c.id: c for c in mapping.instance.companies}
    assert mapping.uses_interpreters is True
    assert companies[str(people["vi"])].mode == "online" and companies[str(people["ja"])].mode == "onsite"
    assert companies[str(people["jaen"])].languages == {"ja", "en"}
    assert companies[str(people["th"])].languages == {"en"}  # only ja/vi/en count
    found = {i.id: i for i in mapping.instance.interpreters}
    assert found[str(onsite)].languages == {"ja", "vi"} and found[str(onsite)].unavailable == {1}
    assert found[str(online)].languages == {"ja", "vi", "en"} and found[str(online)].mode == "online"


def test_without_interpreters_languages_are_left_out_and_the_pair_is_still_scheduled(app, ctx, people):
    ja, vi = people["ja"], people["vi"]
    ms_id = new_session()
    mapping = build_instance(db.session, db.session.get(MatchSession, ms_id), {})
    assert mapping.uses_interpreters is False and all(not c.languages for c in mapping.instance.companies)
    assert generate(app, ms_id, scores({(ja, vi): 0.9})) == "done"
    [meeting] = meetings(ms_id)
    board = review.load_board(db.session, db.session.get(MatchSession, ms_id))
    assert meeting.interpreter_id is None and board.needs_interpreter(meeting)
    assert [m.pair for m in report.resources(board, None).needed] == [pair(ja, vi)]


def test_draft_rows_carry_interpreters_online_meetings_and_links(app, ctx, people):
    ja, jaen, vi, vien = people["ja"], people["jaen"], people["vi"], people["vien"]
    ms_id, ha = interpreted_and_online(app, people)
    rows = {m.pair: m for m in meetings(ms_id)}
    interpreted, remote = rows[pair(ja, vi)], rows[pair(jaen, vien)]
    assert interpreted.interpreter_id == ha and not interpreted.online and interpreted.table_id is not None
    assert interpreted.video_url == ""
    assert remote.online and remote.table_id is None and remote.interpreter_id is None  # they share English
    assert re.fullmatch(r"https://meet\.jit\.si/jvew-[A-Za-z0-9_-]{20,}", remote.video_url)
    run = db.session.scalar(select(ScheduleRun))
    assert run.lost_to_interpreters == 0 and json.loads(run.interpreter_slots_json) == []


def test_a_shortage_that_costs_no_meeting_reports_the_score_it_costs(app, ctx, make_company):
    ids = second_best_partners(make_company)
    ms_id = new_session(end="09:30", tables="3")
    interpreter("Ha")
    assert generate(app, ms_id, second_best_scores(ids)) == "done"
    assert {m.pair for m in meetings(ms_id)} == {pair(ids["J1"], ids["V1"]), pair(ids["J2"], ids["X"]), pair(ids["V2"], ids["Y"])}
    run = db.session.scalar(select(ScheduleRun))
    assert run.score == pytest.approx(1.6) and run.lost_to_interpreters == 0
    assert run.score_lost_to_interpreters == pytest.approx(1.4) and json.loads(run.interpreter_slots_json) == [[0, 1]]
    found = report.resources(review.load_board(db.session, db.session.get(MatchSession, ms_id)), run)
    assert (found.lost, found.score_lost, found.score) == (0, pytest.approx(1.4), pytest.approx(1.6))
    assert [(slot.number, n) for slot, n in found.one_more] == [(0, 1)]


def test_shortage_is_counted_and_the_slot_where_one_more_interpreter_helps_is_named(app, ctx, make_company):
    jp = [make_company(name=f"JP {i}", country="JP", languages="ja") for i in range(2)]
    vn = [make_company(name=f"VN {i}", country="VN", languages="vi") for i in range(2)]
    ms_id = new_session(end="09:30")  # one slot, two tables
    interpreter("Ha")
    assert generate(app, ms_id, scores({(jp[0], vn[0]): 0.9, (jp[1], vn[1]): 0.8})) == "done"
    assert len(meetings(ms_id)) == 1  # one interpreter, one slot
    run = db.session.scalar(select(ScheduleRun))
    assert run.lost_to_interpreters == 1 and json.loads(run.interpreter_slots_json) == [[0, 1]]
    assert len(run.idle) == 2 and set(run.idle.values()) == {"no_interpreter"}  # the pair left out, and why
    ms = db.session.get(MatchSession, ms_id)
    found = report.resources(review.load_board(db.session, ms), run)
    assert found.lost == 1 and [(slot.number, saved) for slot, saved in found.one_more] == [(0, 1)]
    assert run.score_lost_to_interpreters == pytest.approx(0.8)  # the meeting lost: 0.8 more with a second interpreter
    assert [(person.name, n) for person, n in found.used] == [("Ha", 1)]


def test_online_interpreter_serves_online_meetings_only(app, ctx, make_company):
    ja_on = make_company(name="JP online", country="JP", languages="ja")
    ja_off = make_company(name="JP onsite", country="JP", languages="ja")
    vi1, vi2 = (make_company(name=f"VN {i}", country="VN", languages="vi") for i in range(2))
    ms_id = new_session(end="09:30")  # one slot
    attend_online(ms_id, ja_on)
    duc = interpreter("Duc", mode="online")
    generate(app, ms_id, scores({(ja_on, vi1): 0.5, (ja_off, vi2): 0.9}))
    assert [(m.pair, m.interpreter_id, m.online) for m in meetings(ms_id)] == [(pair(ja_on, vi1), duc, True)]


def test_template_links_are_unguessable_and_distinct():
    ms = MatchSession(video_source="template", video_template=TEMPLATE)
    rows = [dict(slot_id=1, company_low=i, company_high=i + 10, online=True) for i in range(50)]
    assert video.assign_links(ms, rows) == []
    links = [row["video_url"] for row in rows]
    assert len(set(links)) == 50 and all(video.from_template(TEMPLATE, link) for link in links)
    assert not video.from_template(TEMPLATE, "https://meet.jit.si/jvew-guess")


def test_pool_links_are_used_once_per_slot_and_a_short_pool_leaves_meetings_without_one():
    ms = MatchSession(video_source="pool", video_pool="https://v.example/a\n\nhttps://v.example/b\nhttps://v.example/a\n")
    rows = [dict(slot_id=slot, company_low=i, company_high=i + 10, online=True) for slot, i in ((1, 1), (1, 2), (1, 3), (2, 4))]
    rows.append(dict(slot_id=1, company_low=8, company_high=9, online=False))
    missing = video.assign_links(ms, rows)
    assert [row["video_url"] for row in rows[:4]] == ["https://v.example/a", "https://v.example/b", "", "https://v.example/a"]
    assert missing == [rows[2]] and "video_url" not in rows[4]


def test_no_source_leaves_links_empty_and_the_page_lists_the_meetings(app, ctx, people):
    ms_id = new_session()
    attend_online(ms_id, people["vien"])
    generate(app, ms_id, scores({(people["jaen"], people["vien"]): 0.9}))
    [meeting] = meetings(ms_id)
    assert meeting.online and meeting.video_url == ""
    board = review.load_board(db.session, db.session.get(MatchSession, ms_id))
    assert [m.id for m in report.resources(board, None).no_link] == [meeting.id]


def test_generating_again_keeps_the_link_of_a_pair_that_stays_online(app, ctx, people):
    jaen, vien, vi = people["jaen"], people["vien"], people["vi"]
    ms_id = new_session()
    attend_online(ms_id, vien)
    with_video(ms_id)
    generate(app, ms_id, scores({(jaen, vien): 0.9}))
    first = meetings(ms_id)[0].video_url
    generate(app, ms_id, scores({(jaen, vien): 0.9, (vi, vien): 0.5}))
    links = {m.pair: m.video_url for m in meetings(ms_id)}
    assert links[pair(jaen, vien)] == first and links[pair(vi, vien)] not in ("", first)
    with_video(ms_id, template="https://meet.example/{room}")  # a new template: new links
    generate(app, ms_id, scores({(jaen, vien): 0.9}))
    assert meetings(ms_id)[0].video_url.startswith("https://meet.example/")


def test_publication_copies_resources_and_counts_a_new_interpreter_as_a_change(app, ctx, people):
    ja, vi, jaen, vien = people["ja"], people["vi"], people["jaen"], people["vien"]
    ms_id, ha = interpreted_and_online(app, people)
    publish.publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    published = {m.pair: m for m in meetings(ms_id, "published")}
    draft = {m.pair: m for m in meetings(ms_id)}
    for key, m in draft.items():
        assert (published[key].online, published[key].video_url, published[key].interpreter_id, published[key].table_id) == \
            (m.online, m.video_url, m.interpreter_id, m.table_id)
    assert published[pair(ja, vi)].interpreter_id == ha
    sequence = published[pair(ja, vi)].sequence
    assert publish.draft_changes(db.session, ms_id) == 0
    # the organisers swap the interpreter in the draft: a change for both companies
    other = interpreter("Misaki")
    draft[pair(ja, vi)].interpreter_id = other
    db.session.commit()
    assert publish.draft_changes(db.session, ms_id) == 2  # one placement out, one in
    result = publish.publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    assert result.kinds == {ja: "changed", vi: "changed"}
    again = {m.pair: m for m in meetings(ms_id, "published")}
    assert again[pair(ja, vi)].interpreter_id == other and again[pair(ja, vi)].sequence > sequence
    assert again[pair(jaen, vien)].sequence == published[pair(jaen, vien)].sequence
    kinds = {(n.company_id, n.kind) for n in db.session.scalars(select(ScheduleNotification))}
    assert (ja, "changed") in kinds and (jaen, "changed") not in kinds


def test_a_moved_meeting_keeps_its_interpreter_or_gets_a_free_one_or_is_flagged(app, ctx, make_company):
    jp = [make_company(name=f"JP {i}", country="JP", languages="ja") for i in range(3)]
    vn = [make_company(name=f"VN {i}", country="VN", languages="vi") for i in range(3)]
    ms_id = new_session(tables="3")
    ms = db.session.get(MatchSession, ms_id)
    s0, s1, s2, s3 = (s.id for s in ms.slots)
    ha = interpreter("Ha")
    misaki = interpreter("Misaki", off=[s2])
    for a, b in zip(jp, vn):
        accept(a, b)
    generate(app, ms_id)
    rows = {m.pair: m for m in meetings(ms_id)}
    assert all(m.interpreter_id in (ha, misaki) for m in rows.values())
    first = rows[pair(jp[0], vn[0])]
    # to an empty slot: keeps its interpreter when they are free there
    target = next(s for s in (s0, s1, s2, s3) if not any(m.slot_id == s for m in rows.values()) and
                  (first.interpreter_id != misaki or s != s2))
    keep = first.interpreter_id
    moved = review.move_meeting(db.session, organiser(), first.id, target, first.table_id)
    db.session.commit()
    assert moved.slot_id == target and moved.interpreter_id == keep
    # next to another interpreted meeting: the interpreter busy there is swapped for a free one
    other = rows[pair(jp[1], vn[1])]
    db.session.refresh(other)
    table = next(t.id for t in ms.tables if t.id != other.table_id)
    if other.slot_id == s2:
        pytest.skip("the solver put the meeting in Misaki's unavailable slot")
    moved = review.move_meeting(db.session, organiser(), first.id, other.slot_id, table)
    db.session.commit()
    assert {moved.interpreter_id, other.interpreter_id} == {ha, misaki}
    # in a slot where both interpreters are taken or away, it stays and is flagged
    third = rows[pair(jp[2], vn[2])]
    db.session.refresh(third)
    review.move_meeting(db.session, organiser(), third.id, s2, third.table_id if third.slot_id != s2 else table)
    db.session.commit()
    review.move_meeting(db.session, organiser(), first.id, s2, table if third.table_id != table else ms.tables[0].id)
    db.session.commit()
    db.session.expire_all()
    flagged = review.load_board(db.session, ms)
    mine = next(m for m in flagged.meetings if m.id == first.id)
    assert mine.interpreter_id is None and flagged.needs_interpreter(mine)


def test_online_meetings_take_no_table_when_moved_or_added_by_hand(app, ctx, people):
    jaen, vien, vi, ja = people["jaen"], people["vien"], people["vi"], people["ja"]
    ms_id = new_session()
    ms = with_video(ms_id, "pool", pool="https://v.example/1\nhttps://v.example/2")
    attend_online(ms_id, vien)
    added = review.add_meeting(db.session, organiser(), ms_id, jaen, vien, ms.slots[0].id, ms.tables[0].id)
    second = review.add_meeting(db.session, organiser(), ms_id, vi, vien, ms.slots[1].id, None)
    db.session.commit()
    assert (added.online, added.table_id, added.video_url) == (True, None, "https://v.example/1")
    assert (second.online, second.table_id, second.video_url) == (True, None, "https://v.example/1")
    moved = review.move_meeting(db.session, organiser(), second.id, ms.slots[2].id, ms.tables[1].id)
    db.session.commit()
    assert moved.table_id is None and moved.slot_id == ms.slots[2].id
    # both on site: a table is needed
    with pytest.raises(ValidationError) as error:
        review.add_meeting(db.session, organiser(), ms_id, ja, vi, ms.slots[3].id, None)
    assert "table" in error.value.message
    db.session.rollback()
    # the pin of an online meeting keeps working, and the board breaks no rule
    review.set_pinned(db.session, organiser(), moved.id, True)
    db.session.commit()
    assert review.load_board(db.session, ms).all_problems() == []
    generate(app, ms_id, scores({(jaen, vien): 0.9}))
    again = {m.pair: m for m in meetings(ms_id)}
    assert again[pair(vi, vien)].slot_id == ms.slots[2].id and again[pair(vi, vien)].table_id is None


def test_agendas_and_exports_flag_a_missing_interpreter_by_the_solvers_rule(app, ctx, make_company):
    from matchmaker.services.schedule import places
    from tests.interpreter_helpers import publish_meeting

    ms_id = new_session(tables="4")
    ja, vi = make_company(name="JA", languages="ja"), make_company(name="VI", country="VN", languages="vi")
    silent = make_company(name="Says nothing", languages="")  # no meeting language stated: the solver pairs it freely
    thai = make_company(name="Thai and Vietnamese", country="TH", languages="th,vi")
    flagged = {name: places.interpreter_missing(publish_meeting(ms_id, a, b, table=t))
               for t, (name, a, b) in enumerate((("ja-vi", ja, vi), ("ja-silent", ja, silent), ("vi-thai", vi, thai),
                                                 ("ja-thai", ja, thai)))}
    assert flagged == {"ja-vi": True, "ja-silent": False, "vi-thai": False, "ja-thai": True}
