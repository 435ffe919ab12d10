"""Organisers see what needs a look: approved companies with nothing to match, repeated names."""

from tests.conftest import translated


def test_an_approved_company_without_offer_or_need_is_flagged(client, app, make_company, make_opportunity, make_organiser, login):
    empty = make_company(name="Empty Co")
    full = make_company(name="Full Co")
    make_opportunity(full)
    make_company(name="Waiting Co", status="pending")  # not approved: nothing to flag yet
    login(make_organiser())
    page = client.get("/ja/admin/companies").get_data(as_text=True)
    flag = translated(app, "ja", "No offer or need: nothing to match")
    assert page.count(flag) == 1
    row = page[page.index("Empty Co"):]
    assert flag in row[:row.index("</tr>")]
    dashboard = client.get("/ja/dashboard").get_data(as_text=True)
    assert translated(app, "ja", "%(num)d approved company has no offer or need.", num=1) in dashboard
    assert empty


def test_no_flag_and_no_count_when_every_company_has_items(client, app, make_company, make_opportunity, make_organiser, login):
    make_opportunity(make_company(name="Full Co"))
    login(make_organiser())
    assert 'class="badge warn flag-empty"' not in client.get("/en/admin/companies").get_data(as_text=True)
    assert 'id="empty-companies"' not in client.get("/en/dashboard").get_data(as_text=True)


def test_the_same_name_written_differently_is_flagged(client, app, make_company, make_organiser, login):
    make_company(name="ＧＲＥＥＮ  Tech", status="approved")  # full-width letters, two spaces
    make_company(name="green tech", status="pending")
    make_company(name="Green Technologies", status="pending")
    login(make_organiser())
    page = client.get("/vi/admin/companies").get_data(as_text=True)
    assert page.count('class="badge warn flag-same-name"') == 2
    assert translated(app, "vi", "Same name as: %(names)s", names="green tech") in page
    assert translated(app, "vi", "Same name as: %(names)s", names="ＧＲＥＥＮ  Tech") in page
