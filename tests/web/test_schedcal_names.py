"""Matchmaking session names in three languages, shown in the reader's language or the next one."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MatchSession
from tests.conftest import translated
from tests.webforms import submit


FIELDS = {"day": "2026-12-01", "start": "09:00", "end": "10:00", "slot_minutes": "25", "buffer_minutes": "5", "tables": "2"}


def test_names_are_given_in_three_languages_and_read_in_ones_own(organiser_client, app):
    response = submit(organiser_client, "/ja/admin/schedule/new", "main form",
                      fields={**FIELDS, "name_ja": "1日目 午前", "name_en": "Day 1 morning"})
    assert response.status_code == 302
    with app.app_context():
        ms = db.session.scalar(select(MatchSession))
        assert (ms.name_ja, ms.name_vi, ms.name_en) == ("1日目 午前", "", "Day 1 morning")
    assert "1日目 午前" in organiser_client.get("/ja/admin/schedule/").get_data(as_text=True)
    assert "Day 1 morning" in organiser_client.get("/vi/admin/schedule/").get_data(as_text=True)  # vi falls back to en
    english = organiser_client.get("/en/admin/schedule/").get_data(as_text=True)
    assert "Day 1 morning" in english and "1日目 午前" not in english


@pytest.mark.parametrize("lang, first", [("ja", "name_ja"), ("vi", "name_vi"), ("en", "name_en")])
def test_the_readers_language_comes_first_in_the_form(organiser_client, app, lang, first):
    html = organiser_client.get(f"/{lang}/admin/schedule/new").get_data(as_text=True)
    positions = {name: html.index(f'name="{name}"') for name in ("name_ja", "name_vi", "name_en")}
    assert min(positions, key=positions.get) == first
    assert translated(app, lang, "Name in Japanese") in html


def test_only_japanese_name_is_shown_to_everyone(organiser_client, app):
    submit(organiser_client, "/en/admin/schedule/new", "main form", fields={**FIELDS, "name_ja": "商談会"})
    for lang in ("ja", "vi", "en"):
        assert "商談会" in organiser_client.get(f"/{lang}/admin/schedule/").get_data(as_text=True)


def test_too_long_name_is_refused_on_its_field(organiser_client, app):
    html = submit(organiser_client, "/vi/admin/schedule/new", "main form", fields={**FIELDS, "name_vi": "x" * 121}).get_data(as_text=True)
    assert 'name="name_vi"' in html
    with app.app_context():
        assert db.session.scalar(select(MatchSession)) is None
