"""Services report every problem of a submission at once (validation.Checks / ValidationErrors)."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.models import Room
from matchmaker.services import categories
from matchmaker.services.programme import seminars as programme
from matchmaker.services.programme import speakers as programme_speakers
from matchmaker.services import validation as v
from tests.programme_helpers import build_programme, organiser, seminar_data


def test_checks_collect_every_failure_and_return_clean_values():
    check = v.Checks()
    assert check(v.text, "name", "  Acme ", max_length=10) == "Acme"
    assert check(v.text, "city", "", max_length=10) is None
    assert check(v.email, "email", "nope") is None
    with pytest.raises(v.ValidationErrors) as caught:
        check.done()
    assert [e.field for e in caught.value.errors] == ["city", "email"]
    assert caught.value.field == "city"  # callers that read one field see the first


def test_a_single_failure_is_raised_as_itself():
    check = v.Checks()
    check(v.country, "country", "")
    with pytest.raises(v.ValidationError) as caught:
        check.done()
    assert type(caught.value) is v.ValidationError and caught.value.errors == [caught.value]


def test_nothing_to_report_raises_nothing():
    v.Checks().done()


def test_an_empty_country_asks_to_choose_one_and_a_wrong_code_names_it(ctx):
    with pytest.raises(v.ValidationError, match="Choose a country."):
        v.country("country", " ")
    with pytest.raises(v.ValidationError, match="“EU”"):
        v.country("country", "eu")  # a union, not a country
    assert v.country("country", "vn") == "VN"


def test_a_seminar_reports_every_field_at_once(app):
    ids = build_programme(app)
    with app.test_request_context("/en/"):
        room = db.session.get(Room, ids["main"])
        data = seminar_data(room, day="someday", start="25:99", titles={}, capacity="-3")
        with pytest.raises(v.ValidationErrors) as caught:
            programme.clean_seminar(db.session, data, "Asia/Ho_Chi_Minh")
    assert {e.field for e in caught.value.errors} == {"day", "start", "title_en", "capacity"}


def test_a_speaker_reports_every_field_at_once(app):
    with app.test_request_context("/en/"):
        data = programme_speakers.SpeakerData(name="", photo_url="not a site", bios={"en": "x" * 4001})
        with pytest.raises(v.ValidationErrors) as caught:
            programme_speakers.save_speaker(db.session, organiser(), data)
        db.session.rollback()
    assert {e.field for e in caught.value.errors} == {"name", "photo_url", "bio_en"}


def test_a_category_reports_every_field_at_once(app):
    with app.test_request_context("/en/"):
        with pytest.raises(v.ValidationErrors) as caught:
            categories.save_category(db.session, organiser(), key="Not OK!", names={"ja": "", "vi": "Nước", "en": ""})
        db.session.rollback()
    assert {e.field for e in caught.value.errors} == {"name_ja", "name_en", "key"}
