"""The check-in desk's service: outcomes of every kind of token, idempotency, undo, counts, search."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Badge, CheckIn, User
from matchmaker.services.eventday import checkin as desk
from tests.checkin_helpers import make_badge  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("ctx")


def _rows() -> int:
    return db.session.scalar(select(func.count(CheckIn.id)))


def test_check_in_then_again_is_idempotent(make_company, make_badge):
    company = make_company()
    badge_id, link = make_badge(company)
    first = desk.check_in(db.session, "https://event.example" + link, None)
    db.session.commit()
    assert first.outcome == "checked-in" and first.ok and not first.already
    assert first.checkin.company_id == company and first.badge.id == badge_id
    again = desk.check_in(db.session, link, None)
    assert again.outcome == "already" and again.already and again.checkin.id == first.checkin.id
    assert _rows() == 1
    assert desk.company_checked_in_at(db.session, company) == first.checkin.checked_in_at


def test_bare_token_and_path_both_work(make_company, make_badge):
    _, link = make_badge(make_company())
    token = link.rsplit("/", 1)[1]
    assert desk.check_in(db.session, token, None).outcome == "checked-in"
    assert desk.check_in(db.session, " " + link + "\n", None).outcome == "already"


@pytest.mark.parametrize("junk", ["", "   ", "hello", "/b/", "/b/x.y.z", "https://evil.example/other/path",
                                  "' OR 1=1 --", "\x00\x01", "/b/" + "A" * 3000, "漢字のトークン"])
def test_junk_is_forged_and_changes_nothing(make_company, make_badge, junk):
    make_badge(make_company())
    result = desk.check_in(db.session, junk, None)
    assert result.outcome == "forged" and not result.ok
    assert _rows() == 0


def test_tampered_token_is_forged(make_company, make_badge):
    _, link = make_badge(make_company())
    token = link.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert desk.check_in(db.session, tampered, None).outcome == "forged"
    assert _rows() == 0


def test_expired_token(app, make_company, make_badge):
    _, link = make_badge(make_company())
    app.config["BADGE_MAX_AGE_DAYS"] = 0
    try:
        time.sleep(1.1)  # itsdangerous stamps whole seconds; max_age 0 rejects anything older than now
        assert desk.check_in(db.session, link, None).outcome == "expired"
    finally:
        app.config["BADGE_MAX_AGE_DAYS"] = 180
    assert _rows() == 0


def test_other_event(app, make_company, make_badge):
    _, link = make_badge(make_company())
    app.config["EVENT_KEY"] = "another-week"
    try:
        assert desk.check_in(db.session, link, None).outcome == "other-event"
    finally:
        app.config["EVENT_KEY"] = "jv-environment-week"
    assert _rows() == 0


def test_revoked_and_reissued(make_company, make_badge):
    company = make_company()
    _, revoked_link = make_badge(company, revoked=True)
    assert desk.check_in(db.session, revoked_link, None).outcome == "revoked"
    badge_id, link = make_badge(company, name="Nguyễn Văn An", name_latin="Nguyen Van An")
    db.session.get(Badge, badge_id).nonce = "re-issued"
    db.session.commit()
    assert desk.check_in(db.session, link, None).outcome == "unknown"
    db.session.delete(db.session.get(Badge, badge_id))
    db.session.commit()
    assert desk.check_in(db.session, link, None).outcome == "unknown"
    assert _rows() == 0


def test_undo_then_check_in_again(make_company, make_badge, make_organiser):
    make_organiser()
    actor = db.session.scalar(select(User))
    company = make_company()
    _, link = make_badge(company)
    first = desk.check_in(db.session, link, actor)
    db.session.commit()
    undone = desk.undo(db.session, first.checkin.id, actor)
    db.session.commit()
    assert undone.undone_at is not None and undone.undone_by == actor.id
    assert desk.company_checked_in_at(db.session, company) is None
    assert desk.undo(db.session, first.checkin.id, actor) is None  # twice: nothing to undo
    assert desk.undo(db.session, 9999, actor) is None
    second = desk.check_in(db.session, link, actor)
    db.session.commit()
    assert second.outcome == "checked-in" and second.checkin.id != first.checkin.id
    assert _rows() == 2 and desk.company_checked_in_at(db.session, company) == second.checkin.checked_in_at


def test_live_row_is_unique_in_the_database(make_company, make_badge):
    """Two desks that both saw no live row insert at once: the partial unique index keeps one."""
    company = make_company()
    badge_id, _ = make_badge(company)
    db.session.add(CheckIn(badge_id=badge_id, company_id=company))
    db.session.commit()
    badge = db.session.get(Badge, badge_id)
    original = desk.live_checkin
    desk.live_checkin = lambda session, bid: None  # this desk read before the other one wrote
    try:
        result = desk.check_in_badge(db.session, badge, None)
    finally:
        desk.live_checkin = original
    assert result.outcome == "already"
    db.session.commit()
    assert _rows() == 1


def test_two_desks_at_once(app, make_company, make_badge):
    """Real concurrency: two threads, two sessions, the same badge."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the index test above covers the race there")
    _, link = make_badge(make_company())
    outcomes, barrier = [], threading.Barrier(2)

    def desk_worker():
        with app.app_context():
            barrier.wait()
            result = desk.check_in(db.session, link, None)
            db.session.commit()
            outcomes.append(result.outcome)
            db.session.remove()

    threads = [threading.Thread(target=desk_worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["already", "checked-in"]
    assert _rows() == 1


def test_counts_people_and_companies(make_company, make_badge):
    a = make_company(name="A Co")
    b = make_company(name="B Co")
    pending = make_company(name="Pending Co", status="pending")
    _, a1 = make_badge(a)
    make_badge(a, name="Trần Thị Bình", name_latin="Tran Thi Binh")
    _, b1 = make_badge(b)
    make_badge(b, revoked=True)
    _, p1 = make_badge(pending)
    assert desk.counts(db.session) == desk.Counts(0, 3, 0, 2)
    desk.check_in(db.session, a1, None)
    desk.check_in(db.session, b1, None)
    desk.check_in(db.session, p1, None)  # a badge of a company not approved: not expected
    db.session.commit()
    assert desk.counts(db.session).as_json() == {"people": {"checked_in": 2, "expected": 3},
                                                 "companies": {"checked_in": 2, "expected": 2}}


@pytest.mark.parametrize("query", ["nguyen van an", "NGUYỄN", "ｎｇｕｙｅｎ", "dang", "Đặng", "đang", "hai phong green"])
def test_search_ignores_case_width_and_diacritics(make_company, make_badge, query):
    company = make_company(name="Hải Phòng Green Energy", country="VN")
    make_badge(company, name="Nguyễn Văn An Đặng", name_latin="")
    make_badge(make_company(name="Other Co"), name="佐藤 花子", name_latin="Sato Hanako")
    found = desk.search(db.session, query)
    assert [f.badge.name for f in found] == ["Nguyễn Văn An Đặng"]


def test_search_japanese_full_and_half_width(make_company, make_badge):
    make_badge(make_company(name="ｶﾌﾞｼｷｶﾞｲｼｬ テスト"), name="佐藤 花子", name_latin="Sato Hanako")
    assert [f.badge.name for f in desk.search(db.session, "カブシキ")] == ["佐藤 花子"]
    assert [f.badge.name for f in desk.search(db.session, "sato")] == ["佐藤 花子"]
    assert desk.search(db.session, "  ") == [] and desk.search(db.session, "nobody") == []


def test_search_shows_live_check_in(make_company, make_badge):
    _, link = make_badge(make_company())
    assert desk.search(db.session, "yamada")[0].checkin is None
    result = desk.check_in(db.session, link, None)
    db.session.commit()
    assert desk.search(db.session, "yamada")[0].checkin.id == result.checkin.id


def test_removing_a_staff_account_keeps_its_check_ins(make_company, make_badge, make_organiser):
    from matchmaker.services.eventday import staff as staff_svc

    make_organiser()
    organiser = db.session.scalar(select(User).where(User.role == "organiser"))
    member = staff_svc.create_staff(db.session, organiser, email="Desk@Example.com ", name=" Lê Thị Hoa ")
    db.session.commit()
    assert (member.email, member.name, member.role) == ("desk@example.com", "Lê Thị Hoa", "staff")
    _, link = make_badge(make_company())
    row = desk.check_in(db.session, link, member).checkin
    db.session.commit()
    assert row.checked_in_by == member.id
    with pytest.raises(PermissionError):
        staff_svc.remove_staff(db.session, member, member.id)  # staff cannot remove staff
    assert staff_svc.remove_staff(db.session, organiser, organiser.id) is None  # only staff accounts go
    staff_svc.remove_staff(db.session, organiser, member.id)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.scalar(select(CheckIn))
    assert kept.id == row.id and kept.checked_in_by is None and kept.undone_at is None
