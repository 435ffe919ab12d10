"""Badges: made for contacts, people added, Latin names corrected, revoked, re-issued; their PDF
(text extracted) and QR codes (decoded)."""

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Badge, Company, SessionCompany
from matchmaker.services.eventday import badge_print, badges as svc, tokens
from matchmaker.services.validation import ValidationError
from tests.badge_helpers import decode_qr, pdf_pages, pdf_text
from tests.schedule_helpers import new_session


@pytest.fixture
def pair(make_company):
    """A Japanese and a Vietnamese company with contact names; returns their ids."""
    ja = make_company(name="北九州エコエナジー株式会社", country="JP", languages="ja,en", contact_name="山田 太郎")
    vi = make_company(name="Công ty Môi trường Đô thị Hải Phòng", country="VN", languages="vi",
                      contact_name="Nguyễn Văn Đức")
    return ja, vi


def _badges(company_id):
    return list(db.session.scalars(select(Badge).where(Badge.company_id == company_id).order_by(Badge.id)))


def test_contacts_of_approved_companies_get_one_badge_each(ctx, pair, make_company):
    pending = make_company(name="Pending Co", status="pending", contact_name="Pending Person")
    nobody = make_company(name="No Contact Co")
    assert svc.ensure_badges(db.session) == 2
    assert svc.ensure_badges(db.session) == 0  # idempotent
    ja, vi = pair
    [jb], [vb] = _badges(ja), _badges(vi)
    assert (jb.name, jb.name_latin) == ("山田 太郎", "Yamada Taro")
    assert (vb.name, vb.name_latin) == ("Nguyễn Văn Đức", "Nguyen Van Duc")
    assert _badges(pending) == [] and _badges(nobody) == []
    assert jb.nonce != vb.nonce and tokens.verify(tokens.checkin_path(jb)).badge is jb


def test_a_revoked_contact_badge_is_not_replaced_behind_the_organisers_back(ctx, pair):
    svc.ensure_badges(db.session)
    [badge] = _badges(pair[0])
    svc.revoke_badge(db.session, badge)
    assert svc.ensure_badges(db.session) == 0
    assert svc.company_badges(db.session, badge.company) == []


def test_add_person_derives_the_latin_name_or_takes_the_one_given(ctx, pair):
    company = db.session.get(Company, pair[0])
    assert svc.add_person(db.session, company, " 佐藤 花子 ", "").name_latin == "Sato Hanako"
    assert svc.add_person(db.session, company, "高橋 健", "Takahashi Ken").name_latin == "Takahashi Ken"
    assert [b.name for b in _badges(company.id)] == ["佐藤 花子", "高橋 健"]


@pytest.mark.parametrize("name, latin, fields", [
    ("", "", {"name"}),
    ("x" * 121, "", {"name"}),
    ("김민준", "", {"name_latin"}),          # nothing to derive from Hangul: ask for it
    ("山田 花子", "山田", {"name_latin"}),
    ("", "Nguyễn", {"name", "name_latin"}),  # every problem at once
])
def test_add_person_refuses_bad_input_and_saves_nothing(ctx, pair, name, latin, fields):
    company = db.session.get(Company, pair[1])
    with pytest.raises(ValidationError) as error:
        svc.add_person(db.session, company, name, latin)
    assert {e.field for e in error.value.errors} == fields
    assert db.session.scalar(select(func.count(Badge.id))) == 0


def test_add_person_to_a_company_that_is_not_approved_is_refused(ctx, make_company):
    company = db.session.get(Company, make_company(status="pending"))
    with pytest.raises(LookupError):
        svc.add_person(db.session, company, "Someone", "")


@pytest.mark.parametrize("value, ok", [("Yamada Tarō", False), ("", False), ("山田", False), ("  Yamada   Taro ", True)])
def test_latin_name_correction(ctx, pair, value, ok):
    svc.ensure_badges(db.session)
    [badge] = _badges(pair[0])
    if ok:
        assert svc.set_latin_name(db.session, badge, value).name_latin == "Yamada Taro"
    else:
        with pytest.raises(ValidationError) as error:
            svc.set_latin_name(db.session, badge, value)
        assert error.value.field == "name_latin"


def test_revoke_twice_is_refused_and_reissue_makes_old_links_unknown(ctx, pair):
    svc.ensure_badges(db.session)
    [badge] = _badges(pair[1])
    old = tokens.checkin_path(badge)
    svc.revoke_badge(db.session, badge)
    assert tokens.verify(old).outcome == "revoked"
    with pytest.raises(ValidationError, match="already revoked"):
        svc.revoke_badge(db.session, badge)
    svc.reissue_badge(db.session, badge)
    assert tokens.verify(old).outcome == "unknown"
    assert tokens.verify(tokens.checkin_path(badge)).ok


def test_managed_badge_refuses_unknown_ids_and_companies_no_longer_approved(ctx, pair):
    svc.ensure_badges(db.session)
    [badge] = _badges(pair[0])
    assert svc.managed_badge(db.session, badge.id) is badge
    with pytest.raises(LookupError):
        svc.managed_badge(db.session, badge.id + 1000)
    badge.company.status = "rejected"
    with pytest.raises(LookupError):
        svc.managed_badge(db.session, badge.id)


def test_session_companies_leave_out_excluded_and_unapproved(ctx, pair, make_company):
    make_company(name="Pending", status="pending")
    ms_id = new_session()
    db.session.add(SessionCompany(session_id=ms_id, company_id=pair[1], excluded=True))
    from matchmaker.models import MatchSession

    assert [c.id for c in svc.session_companies(db.session, db.session.get(MatchSession, ms_id))] == [pair[0]]


def test_pdf_holds_names_in_both_scripts_and_company_names(app, pair):
    with app.test_request_context("/en/"):
        svc.ensure_badges(db.session)
        every = [b for row in svc.badge_overview(db.session) for b in row.live]
        data = badge_print.badges_pdf(every * 5, "Badges", "https://matching.example.org")
    text = pdf_text(data)
    for expected in ("山田 太郎", "Yamada Taro", "Nguyễn Văn Đức", "Nguyen Van Duc", "北九州エコエナジー株式会社",
                     "Công ty Môi trường Đô thị Hải Phòng", "日本語", "Tiếng Việt", "Japan", "Vietnam"):
        assert expected in text
    assert pdf_pages(data) == 2  # ten badges, eight a sheet


def test_qr_png_holds_the_absolute_link_that_verifies(app, pair):
    app.config["PUBLIC_URL"] = "https://matching.example.org"
    try:
        with app.test_request_context("/en/"):
            svc.ensure_badges(db.session)
            [badge] = _badges(pair[0])
            link = decode_qr(badge_print.qr_png(badge_print.checkin_url(badge)))
            assert link.startswith("https://matching.example.org/b/")
            assert tokens.verify(link).badge is badge
    finally:
        app.config["PUBLIC_URL"] = ""


def test_base_url_falls_back_to_the_request_host_then_the_local_address(app):
    with app.test_request_context("/en/", base_url="https://desk.example.net"):
        assert badge_print.public_base_url() == "https://desk.example.net"
    with app.app_context():
        assert badge_print.public_base_url() == badge_print.LOCAL_BASE


def test_inline_svg_passes_the_strict_csp(app):
    with app.test_request_context("/en/"):
        svg = str(badge_print.qr_svg("https://x.example/b/abc", "Yamada <Taro>"))
    assert svg.startswith('<svg role="img" ') and "<?xml" not in svg
    assert "style" not in svg and "<title>Yamada &lt;Taro&gt;</title>" in svg
    assert 'class="qr"' in svg and "viewBox" in svg


def test_a_revoke_racing_another_is_told_it_was_done(ctx, pair):
    from sqlalchemy import update

    svc.ensure_badges(db.session)
    [badge] = _badges(pair[0])
    # another organiser's revoke lands after this one loaded the badge
    db.session.execute(update(Badge).where(Badge.id == badge.id).values(revoked_at=badge.created_at)
                       .execution_options(synchronize_session=False))
    assert badge.revoked_at is None  # what this organiser saw
    with pytest.raises(ValidationError, match="already revoked"):
        svc.revoke_badge(db.session, badge)
    assert badge.revoked_at == badge.created_at  # the first revoke stands
