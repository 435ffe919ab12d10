"""In Chromium: the skip link is the first stop of the keyboard, and registration shows every
problem at once in the reader's language, keeping what was typed."""

from __future__ import annotations

import pytest

from tests.conftest import translated


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_the_first_tab_shows_the_skip_link_and_it_moves_focus_to_the_content(live_server, page, app, lang):
    page.goto(f"{live_server}/{lang}/programme/")
    page.keyboard.press("Tab")
    link = page.locator("a.skip-link")
    assert link.evaluate("element => element === document.activeElement")
    assert link.inner_text() == translated(app, lang, "Skip to content")
    box = link.bounding_box()
    assert box is not None and box["y"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_registration_lists_every_problem_in_one_round_trip(live_server, page, app, lang):
    page.goto(f"{live_server}/{lang}/auth/register")
    page.fill("#email", "not-an-address")
    page.fill("#password", "short")
    page.fill("#confirm", "other")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    errors = page.locator("p.error").all_inner_texts()
    for message in ("This field is required.", "Choose a country.", "This is not a valid email address.",
                    "Use at least 8 characters.", "The passwords do not match."):
        assert translated(app, lang, message) in errors
    assert page.input_value("#email") == "not-an-address"
    assert page.input_value("#password") == ""


def test_the_vietnamese_country_list_reads_in_vietnamese_order(live_server, page):
    page.goto(f"{live_server}/vi/auth/register")
    names = page.locator("#country option").all_inner_texts()
    assert names[1:3] == ["Nhật Bản", "Việt Nam"]
    assert names.index("Anguilla") < names.index("Áo") < names.index("Argentina")
