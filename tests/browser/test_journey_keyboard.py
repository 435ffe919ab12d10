"""Keyboard, in ja, vi and en: tabbing through the main pages reaches every action of the journeys,
and wherever the focus lands it is visible (an outline of at least 2 px or a box-shadow)."""

import pytest

from matchmaker.extensions import db
from matchmaker.services import meetings as meet_svc
from tests.browser.journeys import LANGS, log_in
from tests.conftest import user_email
from tests.programme_helpers import build_programme
from tests.schedule_helpers import company_user

MAX_TABS = 150

def tab_through(page):
    """Press Tab until the focus comes round again; returns the focused elements (name, html, visible)."""
    seen = []
    page.locator("body").focus()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        state = page.evaluate("""() => {
          const el = document.activeElement;
          if (!el || el === document.body) { return null; }
          const style = getComputedStyle(el);
          const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
          const shadow = !!style.boxShadow && style.boxShadow !== "none";
          el.setAttribute("data-tabbed", "1");
          return {html: el.outerHTML.slice(0, 160), visible: outline || shadow};
        }""")
        if state is None or (seen and state["html"] == seen[0]["html"]):
            break
        seen.append(state)
    return seen


def check_page(page, url, must_reach):
    page.goto(url)
    focused = tab_through(page)
    hidden = [f["html"] for f in focused if not f["visible"]]
    assert not hidden, f"focus not visible on {url}: {hidden}"
    for selector in must_reach:
        shown = page.locator(f"{selector} >> visible=true")
        assert shown.count(), f"{selector} not on {url}"
        unreached = page.locator(f"{selector}:not([data-tabbed]) >> visible=true")
        assert unreached.count() == 0, f"{url}: Tab never reaches {selector}"


@pytest.fixture
def company_with_request(app, make_company, make_opportunity):
    """A company that received a meeting request, with suggested partners (one sent it, one did not)."""
    me = make_company(name="北九州エコエナジー", country="JP", languages="ja,en", email="me@kitakyushu.example")
    partner = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi,en", email="p@hp.example")
    make_opportunity(me, title="Waste-to-energy plants", categories=("waste-to-energy",))
    make_opportunity(partner, title="A waste-to-energy plant for our city", kind="need", categories=("waste-to-energy",))
    other = make_company(name="Đà Nẵng Clean City", country="VN", languages="vi,en", email="o@dn.example")
    make_opportunity(other, title="Waste-to-energy for Da Nang", kind="need", categories=("waste-to-energy",))
    with app.app_context():
        meet_svc.request_meeting(db.session, company_user(partner), me, "Shall we meet?", cap=10, expiry_hours=72)
        db.session.commit()
    return me


@pytest.mark.parametrize("lang", LANGS)
def test_every_action_is_reachable_by_tab_with_a_visible_focus(lang, live_server, page, app, company_with_request):
    build_programme(app)
    base = f"{live_server}/{lang}"
    check_page(page, f"{base}/", ["header a[href$='/auth/register']", "nav.lang-switch a", "form.tz-switch button"])
    check_page(page, f"{base}/programme/", ["button.bookmark", "nav.day-tabs a"])
    check_page(page, f"{base}/auth/register", ["#company_name", "#country", "#submit"])
    log_in(page, live_server, user_email(app, company_with_request), lang)
    check_page(page, f"{base}/dashboard", ["main a[href$='/profile/opportunities/new?kind=offer']", "header form button"])
    check_page(page, f"{base}/profile/opportunities/new?kind=offer", ["#title", "input[name=categories]", "#submit"])
    check_page(page, f"{base}/meetings/", ["form:not(.decline) button[type=submit]", "input[name=reason]", "form.decline button"])
    check_page(page, f"{base}/matches/", ["li.suggestion summary", "li.suggestion button.link"])
    check_page(page, f"{base}/agenda/", ["#agenda-download", "main a[href$='/agenda/availability']"])
