"""The organisers' badge page and its forms, the badge PDFs, and the QR code on a company's agenda."""

import re

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Badge, User
from matchmaker.services.eventday import tokens
from tests.badge_helpers import pdf_text
from tests.conftest import PASSWORD, _HASH, csrf_from, translated, translated_plural, user_email
from tests.webforms import submit

PAGE = "/{lang}/event/badges/"


@pytest.fixture
def pair(make_company):
    ja = make_company(name="北九州エコエナジー株式会社", country="JP", languages="ja,en", contact_name="山田 太郎")
    vi = make_company(name="Công ty Môi trường Đô thị Hải Phòng", country="VN", languages="vi",
                      contact_name="Nguyễn Văn Đức")
    return ja, vi


def _badge(app, company_id) -> Badge:
    with app.app_context():
        badge = db.session.scalar(select(Badge).where(Badge.company_id == company_id).order_by(Badge.id))
        db.session.expunge_all()
        return badge


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Badge.id)))


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_page_lists_every_contact_with_both_names(app, organiser_client, pair, lang):
    html = organiser_client.get(PAGE.format(lang=lang)).get_data(as_text=True)
    for text in ("山田 太郎", "Yamada Taro", "Nguyễn Văn Đức", "Nguyen Van Duc", "北九州エコエナジー株式会社"):
        assert text in html
    assert translated(app, lang, "Download every badge (PDF, A4)") in html
    assert translated(app, lang, "The QR codes link to %(url)s.", url="http://localhost") in html


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_latin_name_is_corrected(app, organiser_client, pair, lang):
    page = PAGE.format(lang=lang)
    organiser_client.get(page)
    badge = _badge(app, pair[0])
    response = submit(organiser_client, page, f"#badge-{badge.id} form", fields={f"b{badge.id}-name_latin": "Yamada Tarou"},
                      follow_redirects=True)
    assert translated(app, lang, "Latin name saved: %(name)s", name="Yamada Tarou") in response.get_data(as_text=True)
    assert _badge(app, pair[0]).name_latin == "Yamada Tarou"


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
@pytest.mark.parametrize("value, message", [
    ("Yamada Tarō", "Write the name with Latin letters only (A–Z, without accents)."),
    ("", "This field is required."),
])
def test_bad_latin_name_is_refused_in_the_readers_language(app, organiser_client, pair, lang, value, message):
    page = PAGE.format(lang=lang)
    organiser_client.get(page)
    badge = _badge(app, pair[0])
    response = submit(organiser_client, page, f"#badge-{badge.id} form", fields={f"b{badge.id}-name_latin": value},
                      follow_redirects=True)
    assert response.status_code == 200
    assert translated(app, lang, message) in response.get_data(as_text=True)
    assert _badge(app, pair[0]).name_latin == "Yamada Taro"


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_a_person_is_added_with_a_derived_latin_name(app, organiser_client, pair, lang):
    page = PAGE.format(lang=lang)
    response = submit(organiser_client, page, f"#company-{pair[1]} form.person-form",
                      fields={f"c{pair[1]}-name": "Trần Thị Hồng Nhung"}, follow_redirects=True)
    assert translated(app, lang, "Badge made for %(name)s.", name="Trần Thị Hồng Nhung") in response.get_data(as_text=True)
    with app.app_context():
        names = db.session.execute(select(Badge.name, Badge.name_latin).where(Badge.company_id == pair[1]).order_by(Badge.id)).all()
    assert names == [("Nguyễn Văn Đức", "Nguyen Van Duc"), ("Trần Thị Hồng Nhung", "Tran Thi Hong Nhung")]


@pytest.mark.parametrize("fields, message", [
    ({"name": "", "name_latin": ""}, "This field is required."),
    ({"name": "김민준", "name_latin": ""}, "The name cannot be written in Latin letters by itself: give the Latin name."),
    ({"name": "김민준", "name_latin": "김"}, "Write the name with Latin letters only (A–Z, without accents)."),
])
def test_adding_a_person_with_bad_input_saves_nothing(app, organiser_client, pair, fields, message):
    page = PAGE.format(lang="vi")
    organiser_client.get(page)
    before = _count(app)
    response = submit(organiser_client, page, f"#company-{pair[1]} form.person-form",
                      fields={f"c{pair[1]}-{k}": v for k, v in fields.items()}, follow_redirects=True)
    assert translated(app, "vi", message) in response.get_data(as_text=True)
    assert _count(app) == before


def _confirm_page(client, lang, badge_id, action):
    html = client.get(PAGE.format(lang=lang)).get_data(as_text=True)
    link = re.search(r'href="([^"]*/badges/%d/%s)"' % (badge_id, action), html).group(1)
    return client.get(link)


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_revoke_asks_then_revokes_and_a_second_revoke_is_refused(app, organiser_client, pair, lang):
    organiser_client.get(PAGE.format(lang=lang))
    badge = _badge(app, pair[0])
    confirm = _confirm_page(organiser_client, lang, badge.id, "revoke")
    assert translated(app, lang, "Revoke the badge of %(name)s?", name="山田 太郎") in confirm.get_data(as_text=True)
    assert _badge(app, pair[0]).revoked_at is None  # asking changes nothing
    response = submit(organiser_client, confirm, "form.confirm-form", follow_redirects=True)
    assert translated(app, lang, "Badge revoked: %(name)s", name="山田 太郎") in response.get_data(as_text=True)
    assert _badge(app, pair[0]).revoked_at is not None
    # a second tab still shows the confirm page: the second revoke is refused, nothing changes
    again = submit(organiser_client, confirm, "form.confirm-form", follow_redirects=True)
    assert translated(app, lang, "This badge was already revoked.") in again.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_reissue_gives_a_new_link_and_the_old_one_stops_working(app, organiser_client, pair, lang):
    organiser_client.get(PAGE.format(lang=lang))
    badge = _badge(app, pair[1])
    with app.app_context():
        old_link = tokens.checkin_path(db.session.get(Badge, badge.id))
    confirm = _confirm_page(organiser_client, lang, badge.id, "reissue")
    response = submit(organiser_client, confirm, "form.confirm-form", follow_redirects=True)
    assert translated(app, lang, "Badge re-issued: %(name)s. Print it again.", name="Nguyễn Văn Đức") in response.get_data(as_text=True)
    with app.app_context():
        assert tokens.verify(old_link).outcome == "unknown"
        assert tokens.verify(tokens.checkin_path(db.session.get(Badge, badge.id))).ok


def test_other_ids_are_not_found_and_change_nothing(app, organiser_client, pair, make_company):
    html = organiser_client.get(PAGE.format(lang="en")).get_data(as_text=True)
    token = csrf_from(html)
    badge = _badge(app, pair[0])
    rejected = make_company(name="Rejected Co", status="rejected")
    with app.app_context():
        db.session.add(Badge(company_id=rejected, name="Ghost", name_latin="Ghost", nonce="n-rejected"))
        db.session.commit()
        ghost = db.session.scalar(select(Badge.id).where(Badge.name == "Ghost"))
    for bad in (badge.id + 1000, ghost):
        # hostile input: a badge id the page never showed (unknown, or of a rejected company)
        assert organiser_client.post(f"/en/event/badges/{bad}/latin", data={"csrf_token": token, f"b{bad}-csrf_token": token,
                                     f"b{bad}-name_latin": "Evil"}).status_code == 404
        assert organiser_client.post(f"/en/event/badges/{bad}/revoke", data={"csrf_token": token, "confirm": "1"}).status_code == 404
        assert organiser_client.get(f"/en/event/badges/{bad}/reissue").status_code == 404
    # hostile input: a person added to a company that is not approved
    assert organiser_client.post(f"/en/event/badges/company/{rejected}/people",
                                 data={f"c{rejected}-csrf_token": token, f"c{rejected}-name": "X"}).status_code == 404
    assert organiser_client.get(f"/en/event/badges/company/{rejected}.pdf").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Badge.revoked_at).where(Badge.id == ghost)) is None
        assert db.session.scalar(select(func.count(Badge.id)).where(Badge.name_latin == "Evil")) == 0


def _staff(app):
    with app.app_context():
        db.session.add(User(email="desk@example.com", password_hash=_HASH, role="staff"))
        db.session.commit()
    return "desk@example.com"


@pytest.mark.parametrize("who", ["company", "staff"])
def test_organiser_pages_are_refused_to_companies_and_staff(app, client, login, pair, who):
    login(user_email(app, pair[0]) if who == "company" else _staff(app))
    for url in ("/en/event/badges/", "/en/event/badges/badges.pdf", f"/en/event/badges/company/{pair[0]}.pdf",
                "/en/event/badges/1/revoke", "/en/event/badges/1/reissue"):
        assert client.get(url).status_code == 403, url
    token = csrf_from(client.get("/en/").get_data(as_text=True)) if who == "company" else ""
    # hostile input: posts to organiser forms never shown to this account
    assert client.post("/en/event/badges/1/latin", data={"csrf_token": token}).status_code in (400, 403)
    assert _count(app) == 0


def test_event_pdf_and_company_pdf_hold_the_names(app, organiser_client, pair):
    response = organiser_client.get("/ja/event/badges/badges.pdf")
    assert response.mimetype == "application/pdf" and "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for name in ("山田 太郎", "Yamada Taro", "Nguyễn Văn Đức", "Nguyen Van Duc", "Công ty Môi trường Đô thị Hải Phòng", "日本"):
        assert name in text
    one = pdf_text(organiser_client.get(f"/en/event/badges/company/{pair[1]}.pdf").data)
    assert "Nguyễn Văn Đức" in one and "Viet" in one and "山田" not in one


def test_revoked_badges_leave_the_pdfs(app, organiser_client, pair):
    organiser_client.get(PAGE.format(lang="en"))
    confirm = _confirm_page(organiser_client, "en", _badge(app, pair[0]).id, "revoke")
    submit(organiser_client, confirm, "form.confirm-form")
    assert "山田" not in pdf_text(organiser_client.get("/en/event/badges/badges.pdf").data)
    assert organiser_client.get(f"/en/event/badges/company/{pair[0]}.pdf").status_code == 404


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_agenda_shows_the_qr_code_and_the_own_pdf(app, client, login, pair, lang):
    login(user_email(app, pair[0]), lang=lang)
    response = client.get(f"/{lang}/agenda/")
    html = response.get_data(as_text=True)
    assert translated(app, lang, "Badges for check-in") in html
    svg = re.search(r"<svg role=\"img\".*?</svg>", html, re.S).group(0)
    assert "style" not in svg and "<title>Yamada Taro</title>" in svg  # the strict CSP allows no style attribute
    assert "style-src 'self'" in response.headers["Content-Security-Policy"].split("; ")
    pdf = client.get(re.search(r'id="my-badges-pdf" href="([^"]+)"', html).group(1))
    assert pdf.mimetype == "application/pdf" and "山田 太郎" in pdf_text(pdf.data)


def test_a_company_not_yet_approved_has_no_badge(app, client, login, make_company):
    pending = make_company(name="Waiting Co", status="pending", contact_name="Lê Văn Tám")
    login(user_email(app, pending))
    assert "my-badges" not in client.get("/en/agenda/").get_data(as_text=True)
    assert client.get("/en/event/my-badges.pdf").status_code == 404
    assert _count(app) == 0


def test_a_post_without_the_confirmation_only_asks(app, organiser_client, pair):
    html = organiser_client.get(PAGE.format(lang="ja")).get_data(as_text=True)
    badge = _badge(app, pair[0])
    # hostile input: the action posted straight, without going through the confirm page
    response = organiser_client.post(f"/ja/event/badges/{badge.id}/reissue", data={"csrf_token": csrf_from(html)})
    assert translated(app, "ja", "Re-issue the badge of %(name)s?", name="山田 太郎") in response.get_data(as_text=True)
    assert _badge(app, pair[0]).nonce == badge.nonce


def test_a_company_whose_badges_are_revoked_shows_no_code(app, client, login, pair):
    from matchmaker.services.eventday import badges as badge_svc

    with app.app_context():
        badge_svc.ensure_badges(db.session)
        db.session.commit()
    with app.app_context():
        badge_svc.revoke_badge(db.session, db.session.get(Badge, _badge(app, pair[0]).id))
        db.session.commit()
    login(user_email(app, pair[0]))
    assert "<svg" not in client.get("/en/agenda/").get_data(as_text=True)
    assert client.get("/en/event/my-badges.pdf").status_code == 404


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_the_page_is_paged_and_searched_and_a_correction_returns_to_its_page(app, organiser_client, make_company, lang):
    ids = [make_company(name=f"Green Works {n:03d}", contact_name=f"Person {n:03d}", email=f"works{n}@example.com")
           for n in range(55)]
    page = PAGE.format(lang=lang)
    html = organiser_client.get(page).get_data(as_text=True)
    assert html.count('class="panel badge-company"') == 50 and "Green Works 049" in html and "Green Works 050" not in html
    assert translated_plural(app, lang, "%(num)d company found", "%(num)d companies found", 55) in html
    assert f'href="{page}?page=2"' in html
    second = organiser_client.get(page + "?page=2").get_data(as_text=True)
    assert second.count('class="panel badge-company"') == 5 and "Person 054" in second and "Person 049" not in second
    found = organiser_client.get(page + "?q=person+052").get_data(as_text=True)  # a person's name finds the company
    assert found.count('class="panel badge-company"') == 1 and "Green Works 052" in found
    assert translated_plural(app, lang, "%(num)d company found", "%(num)d companies found", 1) in found
    badge = _badge(app, ids[53])
    response = submit(organiser_client, page + "?page=2", f"#badge-{badge.id} form", fields={f"b{badge.id}-name_latin": "Person Fifty-Three"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{page}?page=2#company-{ids[53]}")
    assert _badge(app, ids[53]).name_latin == "Person Fifty-Three"
    for hostile, status in (("?page=999", 200), ("?q=" + "%25" * 300, 200), ("?page=-3", 400), ("?page=abc", 400)):  # hostile input
        assert organiser_client.get(page + hostile).status_code == status  # as every paged list: a bad page number is a 400
    assert organiser_client.get(page + "?page=999").get_data(as_text=True).count('class="panel badge-company"') == 0
    assert translated(app, lang, "No company matches these filters.") in organiser_client.get(page + "?q=nobody+here").get_data(as_text=True)
