"""In a real browser, in ja, vi and en: an organiser opens the badge page, downloads the event's
badge PDF, revokes a badge and re-issues it; the company then opens its agenda and the QR code it
sees (a screenshot, decoded) checks its contact in."""

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Badge
from matchmaker.services.eventday import tokens
from tests.badge_helpers import decode_qr, pdf_text
from tests.browser.conftest import DOCUMENT_TIMEOUT
from tests.browser.journeys import LANGS, follow, log_in
from tests.conftest import translated, user_email


def _badge(app, company_id) -> Badge:
    with app.app_context():
        badge = db.session.scalar(select(Badge).where(Badge.company_id == company_id))
        db.session.expunge_all()
        return badge


def _confirm(page, link: str) -> None:
    with page.expect_navigation():
        page.click(link)
    with page.expect_navigation():
        page.click("form.confirm-form button[type=submit]")


@pytest.mark.parametrize("lang", LANGS)
def test_print_revoke_reissue_and_show_on_the_agenda(app, live_server, new_page, make_company, make_organiser, tmp_path, lang):
    ja = make_company(name="北九州エコエナジー株式会社", country="JP", languages="ja,en", contact_name="山田 太郎")
    make_company(name="Công ty Môi trường Đô thị Hải Phòng", country="VN", languages="vi", contact_name="Nguyễn Văn Đức")
    page = new_page()
    log_in(page, live_server, make_organiser(), lang)
    page.goto(f"{live_server}/{lang}/admin/companies")
    follow(page, f"/{lang}/event/badges/", "nav.subnav")
    assert "山田 太郎" in page.inner_text("main") and "Nguyễn Văn Đức" in page.inner_text("main")
    badge = _badge(app, ja)
    assert page.input_value(f"#b{badge.id}-name_latin") == "Yamada Taro"
    page.fill(f"#b{badge.id}-name_latin", "Yamada Tarou")
    with page.expect_navigation():
        page.click(f"#b{badge.id}-save")
    assert translated(app, lang, "Latin name saved: %(name)s", name="Yamada Tarou") in page.inner_html("main")
    assert _badge(app, ja).name_latin == "Yamada Tarou"

    with page.expect_download(timeout=DOCUMENT_TIMEOUT) as download:
        page.click("#badges-event-pdf", timeout=DOCUMENT_TIMEOUT)
    path = tmp_path / "badges.pdf"
    download.value.save_as(path)
    text = pdf_text(path.read_bytes())
    assert "山田 太郎" in text and "Yamada Tarou" in text and "Nguyễn Văn Đức" in text
    assert "Công ty Môi trường Đô thị Hải Phòng" in text

    _confirm(page, f"#badge-{badge.id} a.badge-revoke")
    assert translated(app, lang, "Badge revoked: %(name)s", name="山田 太郎") in page.inner_html("main")
    assert _badge(app, ja).revoked_at is not None
    _confirm(page, f"#badge-{badge.id} a.badge-reissue")
    assert translated(app, lang, "Badge re-issued: %(name)s. Print it again.", name="山田 太郎") in page.inner_html("main")
    reissued = _badge(app, ja)
    assert reissued.revoked_at is None and reissued.nonce != badge.nonce

    phone = new_page()
    log_in(phone, live_server, user_email(app, ja), lang)
    phone.goto(f"{live_server}/{lang}/agenda/")
    assert translated(app, lang, "Badges for check-in") in phone.inner_text("#my-badges")
    link = decode_qr(phone.locator("#my-badges svg.qr").first.screenshot())
    assert link.startswith(live_server + "/b/")
    with app.app_context():
        verdict = tokens.verify(link)
        assert verdict.ok and verdict.badge.id == badge.id
