"""One date and time format per language (matchmaker.timefmt), used by pages, mails and messages."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from flask import g

from matchmaker import timefmt

MOMENT = datetime(2026, 12, 9, 6, 30, tzinfo=timezone.utc)  # 13:30 in Vietnam, 15:30 in Japan
END = datetime(2026, 12, 9, 7, 0, tzinfo=timezone.utc)


@pytest.fixture
def in_lang(app):
    """Run formatting in a request of language *lang*."""
    def enter(lang: str):
        context = app.test_request_context(f"/{lang}/")
        context.push()
        g.lang_code = lang
        return context

    contexts = []
    yield lambda lang: contexts.append(enter(lang))
    for context in reversed(contexts):
        context.pop()


@pytest.mark.parametrize("lang, tz, expected", [
    ("ja", "Asia/Ho_Chi_Minh", "2026年12月9日（水）13:30（ベトナム時間）"),
    ("ja", "Asia/Tokyo", "2026年12月9日（水）15:30（日本時間）"),
    ("vi", "Asia/Ho_Chi_Minh", "13:30 giờ Việt Nam, thứ Tư 9/12/2026"),
    ("vi", "Asia/Tokyo", "15:30 giờ Nhật Bản, thứ Tư 9/12/2026"),
    ("en", "Asia/Ho_Chi_Minh", "Wed 9 Dec 2026, 13:30 ICT"),
    ("en", "Asia/Tokyo", "Wed 9 Dec 2026, 15:30 JST"),
])
def test_a_moment_reads_the_same_everywhere_in_a_language(in_lang, lang, tz, expected):
    in_lang(lang)
    assert timefmt.moment(MOMENT, tz=tz) == expected


@pytest.mark.parametrize("lang, expected", [
    ("ja", "2026年12月9日（水）13:30–14:00（ベトナム時間）"),
    ("vi", "13:30–14:00 giờ Việt Nam, thứ Tư 9/12/2026"),
    ("en", "Wed 9 Dec 2026, 13:30–14:00 ICT"),
])
def test_a_span_names_the_day_and_the_zone_once(in_lang, lang, expected):
    in_lang(lang)
    assert timefmt.span(MOMENT, END, tz="Asia/Ho_Chi_Minh") == expected


@pytest.mark.parametrize("lang, expected", [
    ("ja", ["2026年12月9日（水）", "2026年12月13日（日）"]),
    ("vi", ["thứ Tư 9/12/2026", "Chủ nhật 13/12/2026"]),
    ("en", ["Wed 9 Dec 2026", "Sun 13 Dec 2026"]),
])
def test_days_spell_the_weekday_and_the_whole_year(in_lang, lang, expected):
    in_lang(lang)
    assert [timefmt.day(date(2026, 12, 9)), timefmt.day(date(2026, 12, 13))] == expected


@pytest.mark.parametrize("lang, expected", [
    ("ja", "ベトナム時間（UTC+7）"),
    ("vi", "Giờ Việt Nam (UTC+7)"),
    ("en", "Vietnam time (UTC+7)"),
])
def test_zone_headings_use_the_language_s_brackets(in_lang, lang, expected):
    in_lang(lang)
    assert timefmt.zone_label("Asia/Ho_Chi_Minh") == expected


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_no_seconds_no_ambiguous_short_dates(in_lang, lang):
    in_lang(lang)
    text = timefmt.moment(datetime(2026, 3, 4, 1, 2, 3, tzinfo=timezone.utc), tz="Asia/Tokyo")
    assert "10:02" in text and ":03" not in text
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2}\b", text)  # never "3/4/26"
    assert "2026" in text


def test_japanese_has_no_ascii_comma_or_half_width_brackets(in_lang):
    in_lang("ja")
    texts = [timefmt.moment(MOMENT), timefmt.span(MOMENT, END), timefmt.zone_label("Asia/Tokyo"), timefmt.day(MOMENT)]
    assert not any(mark in text for text in texts for mark in ",()")


def test_a_mail_takes_the_recipient_s_language_and_zone_not_the_request_s(in_lang):
    in_lang("en")
    assert timefmt.moment(MOMENT, "ja", "Asia/Tokyo") == "2026年12月9日（水）15:30（日本時間）"
