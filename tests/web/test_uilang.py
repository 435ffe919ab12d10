"""What a new user tripped over in language, forms and formats (issue 11, point 8), through the pages.

Every form here is the one the page rendered, submitted with tests/webforms.py.
"""

from __future__ import annotations

import re
from pathlib import Path
import lxml.html
import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Company, MatchSession, MeetingRequest, User
from matchmaker.services import meetings
from tests.conftest import translated, user_email
from tests.mailbox import last_mail, link_in
from tests.webforms import submit

LANGS = ["ja", "vi", "en"]


def _doc(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def _field_errors(doc, name: str) -> list[str]:
    """The error messages shown under the field *name*."""
    field = doc.cssselect(f'[name="{name}"]')[0]
    holder = next(a for a in field.iterancestors() if "field" in (a.get("class") or "").split())
    return [p.text_content().strip() for p in holder.cssselect("p.error")]


# --- registration: every error at once, what was typed kept ----------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_registration_shows_every_problem_at_once_and_keeps_what_was_typed(client, app, lang):
    response = submit(client, f"/{lang}/auth/register", fields={
        "company_name": "", "country": "", "email": "not-an-address",
        "password": "short", "confirm": "different"})
    assert response.status_code == 200
    doc = _doc(response)
    assert _field_errors(doc, "company_name") == [translated(app, lang, "This field is required.")]
    assert _field_errors(doc, "country") == [translated(app, lang, "Choose a country.")]
    assert _field_errors(doc, "email") == [translated(app, lang, "This is not a valid email address.")]
    assert _field_errors(doc, "password") == [translated(app, lang, "Use at least 8 characters.")]
    assert _field_errors(doc, "confirm") == [translated(app, lang, "The passwords do not match.")]
    assert doc.cssselect('[name="email"]')[0].get("value") == "not-an-address"
    assert not any(i.get("value") for i in doc.cssselect('input[type="password"]'))  # passwords are not sent back
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_registration_keeps_the_typed_name_and_country_when_only_the_password_is_wrong(client, app):
    response = submit(client, "/vi/auth/register", fields={
        "company_name": "Môi trường Xanh", "country": "VN", "email": "a@xanh.example.vn",
        "password": "a long enough secret", "confirm": "another long secret"})
    doc = _doc(response)
    assert doc.cssselect('[name="company_name"]')[0].get("value") == "Môi trường Xanh"
    assert doc.cssselect('select[name="country"] option[selected]')[0].get("value") == "VN"
    assert _field_errors(doc, "confirm") == [translated(app, "vi", "The passwords do not match.")]


def test_the_registration_e_mail_becomes_the_contact_e_mail_of_the_profile(client, app):
    submit(client, "/en/auth/register", fields={
        "company_name": "Hai Phong Green Water", "country": "VN", "email": "Info@HPGW.example.vn",
        "password": "a long enough secret", "confirm": "a long enough secret"})
    confirm_page = client.get(link_in(last_mail(app, "info@hpgw.example.vn"), "/en/auth/confirm/"))
    submit(client, confirm_page)  # the mailed link confirms the address and signs in
    profile = _doc(client.get("/en/profile/"))
    assert profile.cssselect('[name="contact_email"]')[0].get("value") == "info@hpgw.example.vn"


# --- the country list --------------------------------------------------------------------------

def _countries(client, lang: str) -> list[tuple[str, str]]:
    doc = _doc(client.get(f"/{lang}/auth/register"))
    return [(o.get("value"), o.text_content()) for o in doc.cssselect('select[name="country"] option') if o.get("value")]


@pytest.mark.parametrize("lang, first", [("ja", ["日本", "ベトナム"]), ("vi", ["Nhật Bản", "Việt Nam"]), ("en", ["Japan", "Vietnam"])])
def test_countries_are_real_ones_with_japan_and_vietnam_first(client, lang, first):
    countries = _countries(client, lang)
    assert [name for _, name in countries[:2]] == first
    codes = [code for code, _ in countries]
    assert not {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"} & set(codes)
    assert len(codes) == len(set(codes)) == 249  # ISO 3166-1


def test_vietnamese_names_sort_as_vietnamese_readers_expect(client):
    names = [name for _, name in _countries(client, "vi")[2:]]
    position = names.index
    assert position("Anguilla") < position("Áo") < position("Argentina")  # Á is an A
    assert position("Tuvalu") < position("Úc") < position("Uganda")  # Ú is a U
    assert position("Dominica") < position("Đức") < position("Ecuador")  # Đ follows D
    assert names[-1] != "Đức" and names[-1] != "Úc"  # not pushed to the end by code points


def test_english_names_ignore_accents_when_sorting(client):
    names = [name for _, name in _countries(client, "en")[2:]]
    assert names.index("Afghanistan") < names.index("Åland Islands") < names.index("Albania")


# --- the profile form: the reader's language first, the company's own labels -----------------

@pytest.mark.parametrize("lang, order", [
    ("ja", ["description_ja", "description_vi", "description_en"]),
    ("vi", ["description_vi", "description_ja", "description_en"]),
    ("en", ["description_en", "description_ja", "description_vi"]),
])
def test_profile_descriptions_start_with_the_readers_language(client, app, make_company, login, lang, order):
    login(user_email(app, make_company()), lang=lang)
    doc = _doc(client.get(f"/{lang}/profile/"))
    assert [t.get("name") for t in doc.cssselect("textarea")] == order
    label = doc.cssselect('label[for="description_ja"]')[0].text_content()
    assert label == translated(app, lang, "Company description in Japanese")
    assert label != translated(app, lang, "Description in Japanese")  # the offers' label


def test_profile_reports_every_problem_at_once(client, app, make_company, login):
    login(user_email(app, make_company()), lang="ja")
    response = submit(client, "/ja/profile/", fields={
        "name": "", "website": "not a site", "contact_email": "nobody"})
    doc = _doc(response)
    assert _field_errors(doc, "name") == [translated(app, "ja", "This field is required.")]
    assert _field_errors(doc, "website") == [translated(app, "ja", "This is not a valid web address.")]
    assert _field_errors(doc, "contact_email") == [translated(app, "ja", "This is not a valid email address.")]
    assert doc.cssselect('[name="website"]')[0].get("value") == "not a site"


def test_an_offer_reports_every_problem_at_once(client, app, make_company, login):
    login(user_email(app, make_company()), lang="vi")
    response = submit(client, "/vi/profile/opportunities/new", fields={"title": "", "categories": []})
    doc = _doc(response)
    assert _field_errors(doc, "title") == [translated(app, "vi", "This field is required.")]
    assert translated(app, "vi", "Choose at least one category.") in response.get_data(as_text=True)


# --- the session form ------------------------------------------------------------------------

def test_the_session_form_reports_every_problem_at_once(client, app, make_organiser, login):
    login(make_organiser(), lang="ja")
    response = submit(client, "/ja/admin/schedule/new", fields={
        "day": "", "start": "nine", "end": "11:00", "slot_minutes": "x", "tables": "0"})
    doc = _doc(response)
    assert _field_errors(doc, "day") == [translated(app, "ja", "Enter a date such as 2026-12-01.")]
    assert _field_errors(doc, "start") == [translated(app, "ja", "Enter a time such as 09:00.")]
    assert _field_errors(doc, "slot_minutes") == [translated(app, "ja", "Enter a whole number.")]
    assert _field_errors(doc, "tables") == [translated(app, "ja", "A session needs at least one table.")]
    assert doc.cssselect('[name="start"]')[0].get("value") == "nine"
    with app.app_context():
        assert db.session.scalar(select(MatchSession)) is None


# --- meeting requests: the recipient's language, line breaks ---------------------------------

def _request(app, sender: int, recipient: int, message: str) -> None:
    with app.test_request_context("/en/"):
        actor = db.session.get(Company, sender).users[0]
        meetings.request_meeting(db.session, actor, recipient, message, cap=10, expiry_hours=72)
        db.session.commit()


def test_line_breaks_of_a_message_survive_and_stay_escaped(client, app, make_company, login):
    sender, recipient = make_company(name="Sender KK"), make_company(name="Công ty Nhận", country="VN", languages="vi")
    _request(app, sender, recipient, "Xin chào,\nchúng tôi muốn gặp.\n<b>bold?</b>")
    login(user_email(app, recipient), lang="vi")
    doc = _doc(client.get("/vi/meetings/"))
    quote = doc.cssselect("blockquote.prose")[0]
    assert quote.text_content() == "Xin chào,\nchúng tôi muốn gặp.\n<b>bold?</b>"  # text, not markup
    assert not quote.cssselect("b")
    css = (Path(app.static_folder) / "css" / "site.css").read_text(encoding="utf-8")
    assert re.search(r"\.prose\s*\{[^}]*white-space:\s*pre-line", css)


@pytest.mark.parametrize("lang", LANGS)
def test_request_times_read_in_the_one_format_of_the_language(client, app, make_company, login, lang):
    sender, recipient = make_company(name="Sender KK"), make_company(name="Receiver", country="VN", languages="vi")
    _request(app, sender, recipient, "Hello")
    login(user_email(app, recipient), lang=lang)
    text = _doc(client.get(f"/{lang}/meetings/")).text_content()
    expected = {
        "ja": r"\d{4}年\d{1,2}月\d{1,2}日（[月火水木金土日]）\d{2}:\d{2}（ベトナム時間）",
        "vi": r"\d{2}:\d{2} giờ Việt Nam, (?:thứ \w+|Chủ nhật) \d{1,2}/\d{1,2}/\d{4}",
        "en": r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} ICT",
    }[lang]
    assert re.search(expected, text), text[:2000]
    assert not re.search(r"\d{1,2}:\d{2}:\d{2}", text)  # no seconds


# --- navigation: skip link, two personal pages -----------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_a_skip_link_leads_to_the_content(client, app, lang):
    doc = _doc(client.get(f"/{lang}/programme/"))
    first = doc.cssselect("body a")[0]
    assert first.get("href") == "#content" and first.text_content() == translated(app, lang, "Skip to content")
    assert doc.cssselect("main#content")


def test_the_personal_pages_are_my_agenda_and_its_bookmarked_seminars(client, app, make_company, login):
    login(user_email(app, make_company()), lang="vi")
    agenda = _doc(client.get("/vi/agenda/"))
    assert agenda.cssselect("h1")[0].text_content() == translated(app, "vi", "My agenda") == "Lịch trình của tôi"
    link = [a for a in agenda.cssselect("main a") if a.text_content() == "Hội thảo đã lưu"]
    assert link, "My agenda links its bookmarked seminars"
    bookmarks = _doc(client.get(link[0].get("href")))
    assert bookmarks.cssselect("h1")[0].text_content() == "Hội thảo đã lưu"
    navigation = [a.text_content() for a in agenda.cssselect("header nav a")]
    assert "Lịch trình của tôi" in navigation and "Hồ sơ doanh nghiệp" in navigation and "Trang của tôi" not in navigation
    assert _doc(client.get("/vi/dashboard")).cssselect("h1")[0].text_content() == "Hồ sơ doanh nghiệp"


def test_dashboard_counts_are_plural_aware(client, app, make_company, make_opportunity, login):
    company = make_company()
    make_opportunity(company)
    login(user_email(app, company), lang="en")
    text = _doc(client.get("/en/dashboard")).text_content()
    assert "1 offer and 0 needs." in text and "1 offers" not in text


def test_a_service_error_and_a_form_error_both_show(client, app):
    """A WTForms validator (passwords differ) does not hide the service's check (country)."""
    response = submit(client, "/en/auth/register", fields={
        "company_name": "Acme", "country": "", "email": "a@acme.example",
        "password": "a long enough secret", "confirm": "not the same secret"})
    doc = _doc(response)
    assert _field_errors(doc, "country") == ["Choose a country."]
    assert _field_errors(doc, "confirm") == ["The passwords do not match."]
    with app.app_context():
        assert db.session.scalar(select(Company)) is None


@pytest.mark.parametrize("recipient_lang, country, expected", [
    ("vi", "VN", "Chúng tôi mong được trao đổi về chủ đề: Lò đốt rác phát điện"),
    ("ja", "JP", "次のトピックについて商談を希望します：ごみ発電プラント"),
    ("en", "SG", "We would like to discuss: Waste-to-energy plant"),
])
def test_the_prefilled_request_is_in_the_recipients_language(app, make_company, make_opportunity,
                                                               recipient_lang, country, expected):
    from matchmaker.models import Opportunity, OpportunityVersion

    sender = make_company(name="Sender KK", languages="ja")
    recipient = make_company(name="Recipient", country=country, languages=recipient_lang)
    offer_id = make_opportunity(sender, title="Waste-to-energy plant", language="en")
    with app.test_request_context("/ja/"):  # the sender reads Japanese; the recipient may not
        offer = db.session.get(Opportunity, offer_id)
        offer.versions.extend([OpportunityVersion(language="vi", title="Lò đốt rác phát điện", description=""),
                               OpportunityVersion(language="ja", title="ごみ発電プラント", description="")])
        db.session.flush()
        assert meetings.request_prefill(db.session.get(Company, recipient), offer) == expected


@pytest.mark.model
def test_the_suggestions_page_prefills_the_request_in_the_partners_language(client, app, make_company,
                                                                             make_opportunity, login):
    hp = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi")
    make_opportunity(hp, kind="need", language="vi", categories=("waste-to-energy",),
                     title="Cần giải pháp đốt rác phát điện 500 tấn/ngày")
    kk = make_company(name="北九州エコエナジー", country="JP", languages="ja")
    make_opportunity(kk, kind="offer", language="ja", categories=("waste-to-energy",), title="ごみ焼却発電プラント")
    login(user_email(app, kk), lang="ja")
    doc = _doc(client.get("/ja/matches/"))
    message = doc.cssselect(f'textarea#message-{hp}')[0].text_content()
    assert message.startswith("Chúng tôi mong được trao đổi về chủ đề: ")  # Vietnamese, for the Vietnamese partner
    response = submit(client, "/ja/matches/", f"form[action$='/meetings/request/{hp}']")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(MeetingRequest.message)) == message
