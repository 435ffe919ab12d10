"""Company profile, offers and needs, and the public directory."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Company, Opportunity
from tests.conftest import csrf_from, translated, user_email
from tests.webforms import submit

PROFILE = {"name": "北九州エコエナジー株式会社", "country": "JP", "city": "北九州市", "sector": "廃棄物発電",
           "size": "sme", "website": "kitakyushu-eco.example", "contact_name": "山田 太郎",
           "contact_email": "yamada@kitakyushu-eco.example", "languages": ["ja", "en"],
           "description_ja": "廃棄物発電プラントの設計・建設を行っています。", "description_vi": "", "description_en": "We build WtE plants."}


def test_profile_edit_saves_every_field(client, app, make_company, login):
    company_id = make_company(status="pending")
    login(user_email(app, company_id), lang="ja")
    response = submit(client, "/ja/profile/", fields=PROFILE)
    assert response.headers["Location"] == f"/ja/companies/{company_id}"
    with app.app_context():
        company = db.session.get(Company, company_id)
        assert (company.name, company.city, company.size) == ("北九州エコエナジー株式会社", "北九州市", "sme")
        assert company.website == "https://kitakyushu-eco.example"
        assert company.language_list == ["ja", "en"]
        assert {d.language: d.text for d in company.descriptions} == {
            "ja": "廃棄物発電プラントの設計・建設を行っています。", "en": "We build WtE plants."}
        assert company.status == "pending"  # a company cannot approve itself


def test_profile_cannot_mass_assign_status(client, app, make_company, login):
    company_id = make_company(status="pending")
    login(user_email(app, company_id))
    token = csrf_from(client.get("/en/profile/").get_data(as_text=True))
    # hostile input: "status" and "role" are not fields of the profile form
    client.post("/en/profile/", data={**PROFILE, "status": "approved", "role": "organiser", "csrf_token": token})
    with app.app_context():
        company = db.session.get(Company, company_id)
        assert company.status == "pending" and company.users[0].role == "company"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": ""}, "This field is required."),
        ({"website": "ht!tp://"}, "This is not a valid web address."),
        ({"contact_email": "yamada@"}, "This is not a valid email address."),
        ({"description_en": "x" * 4001}, None),
    ],
)
def test_profile_rejects_bad_input(client, app, make_company, login, change, message):
    company_id = make_company(name="Before")
    login(user_email(app, company_id), lang="vi")
    response = submit(client, "/vi/profile/", fields={**PROFILE, **change})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if message:
        assert translated(app, "vi", message) in html
    else:
        assert translated(app, "vi", "Use at most %(max)d characters (you gave %(count)d).", max=4000, count=4001) in html
    with app.app_context():
        assert db.session.get(Company, company_id).name == "Before"


OFFER = {"kind": "offer", "type": "technology", "title": "ストーカ式焼却炉による廃棄物発電",
         "description": "1日500トンの都市ごみを焼却し、15MWを発電します。", "categories": ["waste-to-energy", "jcm"], "language": "ja"}


def test_add_edit_delete_offer(client, app, make_company, login):
    company_id = make_company()
    login(user_email(app, company_id), lang="ja")
    assert submit(client, "/ja/profile/opportunities/new?kind=offer", fields=OFFER).status_code == 302
    with app.app_context():
        opp = db.session.scalar(select(Opportunity))
        assert opp.title == OFFER["title"] and opp.language == "ja"
        assert [c.key for c in opp.categories] == ["jcm", "waste-to-energy"]  # taxonomy order
        opp_id = opp.id
    page = client.get(f"/ja/companies/{company_id}").get_data(as_text=True)
    assert OFFER["title"] in page and '<span class="lang-badge"' in page
    submit(client, f"/ja/profile/opportunities/{opp_id}/edit", "main form", index=0, fields={**OFFER, "title": "改訂版タイトル"})
    with app.app_context():
        assert db.session.get(Opportunity, opp_id).title == "改訂版タイトル"
    submit(client, f"/ja/companies/{company_id}", f'form[action="/ja/profile/opportunities/{opp_id}/delete"]')
    with app.app_context():
        assert db.session.get(Opportunity, opp_id) is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"categories": []}, "Choose at least one category."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_offer_bad_input(client, app, make_company, login, change, message):
    company_id = make_company()
    login(user_email(app, company_id), lang="ja")
    response = submit(client, "/ja/profile/opportunities/new", fields={**OFFER, **change})
    assert translated(app, "ja", message) in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Opportunity)) is None


@pytest.mark.parametrize(
    "change, message, variables",
    [
        ({"kind": "gift"}, "“%(value)s” is not allowed here; choose one of: %(allowed)s.", {"value": "gift", "allowed": "offer, need"}),
        ({"categories": ["space-elevators"]}, "Unknown category: %(keys)s.", {"keys": "space-elevators"}),
        ({"language": "fr"}, "Unknown language “%(code)s”: use ja, vi or en.", {"code": "fr"}),
    ],
)
def test_offer_values_the_page_does_not_offer_are_refused(client, app, make_company, login, change, message, variables):
    company_id = make_company()
    login(user_email(app, company_id), lang="ja")
    token = csrf_from(client.get("/ja/profile/opportunities/new").get_data(as_text=True))
    # hostile input: the kind, category and language choices hold none of these values
    response = client.post("/ja/profile/opportunities/new", data={**OFFER, **change, "csrf_token": token})
    assert translated(app, "ja", message, **variables) in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Opportunity)) is None


def test_other_companys_offer_is_404(client, app, make_company, make_opportunity, login):
    mine = make_company(name="Mine")
    theirs = make_company(name="Theirs")
    their_offer = make_opportunity(theirs)
    login(user_email(app, mine))
    assert client.get(f"/en/profile/opportunities/{their_offer}/edit").status_code == 404
    page = client.get("/en/profile/").get_data(as_text=True)
    # hostile input: the page shows no delete button for another company's offer
    response = client.post(f"/en/profile/opportunities/{their_offer}/delete", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Opportunity, their_offer) is not None


def test_company_user_gets_403_on_organiser_pages(client, app, make_company, login):
    login(user_email(app, make_company()))
    for url in ("/en/admin/companies", "/en/admin/categories", "/en/admin/import", "/en/admin/export.csv"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Not allowed" in response.get_data(as_text=True)


def test_pending_company_is_not_public(client, make_company):
    company_id = make_company(name="Hidden Pending Co", status="pending")
    assert client.get(f"/en/companies/{company_id}").status_code == 404
    assert "Hidden Pending Co" not in client.get("/en/companies/").get_data(as_text=True)


@pytest.fixture
def directory(make_company, make_opportunity):
    jp = make_company(name="ＪＰ　グリーン水素株式会社", country="JP", city="川崎市")
    make_opportunity(jp, title="水素混焼ガスタービン", language="ja", categories=("hydrogen",))
    vn = make_company(name="Công ty Nước Sạch Cần Thơ", country="VN", city="Cần Thơ")
    make_opportunity(vn, title="Xử lý nước thải thủy sản", kind="need", language="vi", categories=("water",))
    sg = make_company(name="Lion City Carbon", country="SG")
    make_opportunity(sg, title="Carbon credit registry", categories=("carbon-market",))
    return {"jp": jp, "vn": vn, "sg": sg}


def names_found(client, query):
    html = client.get(f"/en/companies/?{query}").get_data(as_text=True)
    return {name for name in ("グリーン水素", "Nước Sạch", "Lion City") if name in html}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=jp", {"グリーン水素"}),  # full-width ＪＰ found by half-width jp
        ("q=ｸﾞﾘｰﾝ", {"グリーン水素"}),  # half-width kana
        ("q=nuoc sach", {"Nước Sạch"}),  # no diacritics
        ("q=Nước", {"Nước Sạch"}),
        ("q=thủy sản", {"Nước Sạch"}),  # found through its need
        ("q=100%25", set()),  # LIKE wildcards are literal
        ("q=' OR 1=1 --", set()),
        ("country=VN", {"Nước Sạch"}),
        ("category=hydrogen", {"グリーン水素"}),
        ("kind=need", {"Nước Sạch"}),
        ("kind=offer&country=SG", {"Lion City"}),
        ("", {"グリーン水素", "Nước Sạch", "Lion City"}),
    ],
)
def test_directory_search_and_filters(client, directory, query, expected):
    assert names_found(client, query) == expected


def test_directory_result_count_is_translated(client, app, directory):
    html = client.get("/vi/companies/?country=VN").get_data(as_text=True)
    with app.test_request_context("/vi/"):
        from flask import g
        from flask_babel import ngettext

        g.lang_code = "vi"
        assert ngettext("%(num)d company found", "%(num)d companies found", 1) in html


# --------------------------------------------------------------------------- versions in other languages

VERSION_VI = {"version_title_vi": "Nhà máy đốt rác phát điện lò ghi cơ học",
              "version_description_vi": "Đốt 500 tấn rác sinh hoạt mỗi ngày và phát 15 MW điện."}


def _versions(app):
    with app.app_context():
        opportunity = db.session.scalar(select(Opportunity))
        return {v.language: (v.title, v.description) for v in opportunity.versions}


def test_an_offer_can_be_written_again_in_other_languages(client, app, make_company, login):
    company_id = make_company()
    login(user_email(app, company_id), lang="ja")
    assert submit(client, "/ja/profile/opportunities/new?kind=offer", fields={**OFFER, **VERSION_VI}).status_code == 302
    assert _versions(app) == {"vi": (VERSION_VI["version_title_vi"], VERSION_VI["version_description_vi"])}
    # a Vietnamese visitor reads the Vietnamese version first; the original stays one click away
    vietnamese = client.get(f"/vi/companies/{company_id}").get_data(as_text=True)
    assert vietnamese.index(VERSION_VI["version_title_vi"]) < vietnamese.index(OFFER["title"])
    assert translated(app, "vi", "(original)") in vietnamese
    japanese = client.get(f"/ja/companies/{company_id}").get_data(as_text=True)
    assert japanese.index(OFFER["title"]) < japanese.index(VERSION_VI["version_title_vi"])
    # the edit form shows the version, and clearing it removes it
    with app.app_context():
        opp_id = db.session.scalar(select(Opportunity.id))
    assert VERSION_VI["version_title_vi"] in client.get(f"/ja/profile/opportunities/{opp_id}/edit").get_data(as_text=True)
    submit(client, f"/ja/profile/opportunities/{opp_id}/edit", "main form", index=0,
           fields={**OFFER, "version_title_vi": "", "version_description_vi": ""})
    assert _versions(app) == {}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"version_title_ja": "同じ言語の版"},
         "The original is written in this language: clear this version or choose another language for the original."),
        ({"version_title_vi": "", "version_description_vi": "Chỉ có mô tả, không có tiêu đề."}, "This field is required."),
        ({"version_title_en": "x" * 201}, "Use at most %(max)d characters (you gave %(count)d)."),
    ],
)
def test_bad_versions_are_refused_and_nothing_is_saved(client, app, make_company, login, change, message):
    company_id = make_company()
    login(user_email(app, company_id), lang="vi")
    response = submit(client, "/vi/profile/opportunities/new?kind=offer", fields={**OFFER, **VERSION_VI, **change})
    assert response.status_code == 200
    expected = translated(app, "vi", message, max=200, count=201) if "%(max)d" in message else translated(app, "vi", message)
    assert expected in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Opportunity)) is None
