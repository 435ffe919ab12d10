"""Journey (e), in ja, vi and en: a visitor without an account bookmarks two seminars on the
programme (kept in the browser), logs in, saves the bookmarks to the account and reserves a seat."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Bookmark, Reservation, User
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated, translated_plural
from tests.programme_helpers import DAY2, build_programme

EMAIL = "visitor@attendee.example"


def bookmark_on_the_grid(page, seminar_id):
    button = page.locator(f"td.session-cell button.bookmark[data-seminar='{seminar_id}']")
    button.focus()
    page.keyboard.press("Enter")  # a keyboard user toggles the bookmark
    assert button.get_attribute("aria-pressed") == "true"


def saved(app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        bookmarks = sorted(db.session.scalars(select(Bookmark.seminar_id).where(Bookmark.user_id == user.id)))
        seats = [(r.seminar_id, r.status) for r in db.session.scalars(select(Reservation).where(Reservation.user_id == user.id))]
        return bookmarks, seats


@pytest.mark.parametrize("lang", LANGS)
def test_bookmark_anonymously_log_in_save_and_reserve(lang, live_server, page, app, make_company):
    ids = build_programme(app)
    make_company(name="Visitor Consulting", email=EMAIL)
    page.goto(f"{live_server}/{lang}/")
    follow(page, f"/{lang}/programme/", "nav.main-nav")
    bookmark_on_the_grid(page, ids["A"])
    with page.expect_navigation():
        page.click(f"nav.day-tabs a[href*='day={DAY2.isoformat()}']")
    bookmark_on_the_grid(page, ids["C"])
    stored = page.evaluate("() => JSON.parse(window.localStorage.getItem('matchmaker.programme.bookmarks'))")
    assert sorted(stored) == sorted([ids["A"], ids["C"]])

    log_in(page, live_server, EMAIL, lang)
    follow(page, f"/{lang}/programme/", "nav.main-nav")
    follow(page, f"/{lang}/programme/mine", "nav.programme-nav")
    offer = page.locator("form.import-bookmarks")
    assert offer.is_visible()
    with page.expect_navigation():
        offer.locator("button[type=submit]").click()
    assert translated_plural(app, lang, "%(num)d bookmark saved to your account.", "%(num)d bookmarks saved to your account.", 2) in page.inner_text("main")
    assert saved(app) == ([ids["A"], ids["C"]], [])
    assert page.evaluate("() => window.localStorage.getItem('matchmaker.programme.bookmarks')") == "[]"

    follow(page, f"/{lang}/programme/seminars/{ids['A']}", f"#seminar-{ids['A']}")
    with page.expect_navigation():
        page.click(f"main form[action$='/seminars/{ids['A']}/reserve'] button[type=submit]")
    assert translated(app, lang, "Your seat is reserved.") in page.inner_text("main")
    assert saved(app) == ([ids["A"], ids["C"]], [(ids["A"], "confirmed")])
    follow(page, f"/{lang}/programme/mine", "nav.programme-nav")
    assert translated(app, lang, "Seat reserved") in page.inner_text(f"#seminar-{ids['A']}")
