"""A newcomer's path in a real browser: register, add a Japanese offer (with a Vietnamese version), read it in Vietnamese."""

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Company
from tests.conftest import translated
from tests.mailbox import last_mail, link_in


def test_register_offer_switch_language_find(live_server, page, app):
    page.goto(live_server + "/")
    assert page.url == live_server + "/ja/"  # Accept-Language ja-JP
    page.click(f"text={translated(app, 'ja', 'Register your company')} >> nth=0")
    page.fill("#company_name", "大阪ハイドロジェン株式会社")
    page.select_option("#country", "JP")
    page.fill("#email", "info@osaka-h2.example")
    page.fill("#password", "a long enough secret")
    page.fill("#confirm", "a long enough secret")
    page.click("#submit")
    page.goto(live_server + link_in(last_mail(app, "info@osaka-h2.example"), "/ja/auth/confirm/"))  # the mailed link
    page.click("#submit")
    assert page.url.endswith("/ja/profile/")

    page.goto(live_server + "/ja/profile/opportunities/new?kind=offer")
    page.fill("#title", "定置用燃料電池による工場の脱炭素化")
    page.fill("#description", "水素を使う5kW級の燃料電池を工業団地に設置します。")
    page.check("input[value='hydrogen']")
    page.fill("#version_title_vi", "Pin nhiên liệu cố định giúp nhà máy giảm phát thải")  # the same offer in Vietnamese
    page.click("#submit", timeout=120000)  # the first text embedded loads the model: slow on a busy machine
    assert "定置用燃料電池による工場の脱炭素化" in page.inner_text("main")
    assert page.locator(".lang-badge", has_text="JA").count() >= 1

    with app.app_context():  # an organiser approves the company
        company = db.session.scalar(select(Company).where(Company.name == "大阪ハイドロジェン株式会社"))
        company.status = "approved"
        db.session.commit()

    page.click("nav.lang-switch >> text=Tiếng Việt")
    assert "/vi/companies/" in page.url
    assert page.locator("html").get_attribute("lang") == "vi"
    # a Vietnamese reader sees the Vietnamese version first, the Japanese original one click away
    assert page.locator("h3[lang=vi]", has_text="Pin nhiên liệu cố định").count() == 1
    page.click(f"summary >> text={translated(app, 'vi', 'Other languages')}")
    assert page.locator("details.versions [lang=ja]", has_text="定置用燃料電池による工場の脱炭素化").is_visible()
    page.click(f"nav.main-nav >> text={translated(app, 'vi', 'Companies')}")
    page.fill("input[name=q]", "ﾊｲﾄﾞﾛｼﾞｪﾝ")  # half-width katakana still finds it
    page.press("input[name=q]", "Enter")
    card = page.locator(".card", has_text="大阪ハイドロジェン株式会社")
    assert card.count() == 1
    assert "定置用燃料電池" in card.inner_text()
    page.screenshot(path=str(app.instance_path) + "/smoke-vi.png", full_page=True)
