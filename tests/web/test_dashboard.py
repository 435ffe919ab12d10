"""The organisers' dashboard page, its plots and the report download."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import user_email
from tests.dashboard_helpers import known_event
from tests.webforms import submit


@pytest.fixture
def event(app, make_company, make_opportunity):
    with app.app_context():
        return known_event(make_company, make_opportunity)


def _figure_table(html: str, key: str) -> str:
    section = html.split(f'id="figure-{key}"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.split("<table", 1)[1]))


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_organiser_sees_every_figure(organiser_client, event, lang):
    html = organiser_client.get(f"/{lang}/admin/dashboard/").get_data(as_text=True)
    for key in ("registrations", "supply", "funnel", "schedule", "attendance", "ratings", "pipeline", "areas"):
        assert f'id="figure-{key}"' in html
        assert f"/{lang}/admin/dashboard/plots/{key}.svg" in html
    assert re.findall(r'<img src="[^"]+" alt="[^"]{20,}"', html)
    assert f'href="/{lang}/admin/dashboard/"' in html  # the organiser navigation links to it


def test_funnel_numbers_and_small_counts(organiser_client, event):
    html = organiser_client.get("/en/admin/dashboard/").get_data(as_text=True)
    funnel = _figure_table(html, "funnel")
    assert "Suggested pairs 7" in funnel and "Meeting held 4" in funnel and "Request accepted &lt;3" in funnel
    assert "Rating 1 0" not in _figure_table(html, "ratings") and "5 &lt;3" in _figure_table(html, "ratings")


def test_filters_change_the_numbers(organiser_client, event):
    page = organiser_client.get("/en/admin/dashboard/")
    response = submit(organiser_client, page, "#dashboard-filters", fields={"session": str(event["s1"])})
    html = response.get_data(as_text=True)
    assert "Meeting held 3" in _figure_table(html, "funnel") and "Meeting scheduled 4" in _figure_table(html, "funnel")
    response = submit(organiser_client, page, "#dashboard-filters", fields={"category": "hydrogen"})
    html = response.get_data(as_text=True)
    assert "Suggested pairs &lt;3" in _figure_table(html, "funnel") and "Meeting held 0" in _figure_table(html, "funnel")
    assert "does not apply the cooperation area filter" in html.split('id="figure-schedule"', 1)[1].split("</section>")[0]


def test_bad_filter_is_a_clear_400(organiser_client, event):
    response = organiser_client.get("/en/admin/dashboard/?day=yesterday")  # hostile input: not a date
    assert response.status_code == 400 and "“day”" in response.get_data(as_text=True)
    response = organiser_client.get("/en/admin/dashboard/?category=nope")  # hostile input: unknown area
    assert response.status_code == 400 and "“category”" in response.get_data(as_text=True)


def test_empty_state(organiser_client):
    html = organiser_client.get("/en/admin/dashboard/").get_data(as_text=True)
    assert 'id="dashboard-empty"' in html and "<img" not in html


def test_plot_is_svg_in_the_page_language(organiser_client, event):
    response = organiser_client.get("/ja/admin/dashboard/plots/funnel.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<?xml") and "<svg" in body and body.count("<path") > 10
    assert "style-src 'unsafe-inline'" in response.headers["Content-Security-Policy"]
    assert organiser_client.get("/ja/admin/dashboard/plots/funnel.svg").get_data(as_text=True) == body  # cached
    assert organiser_client.get("/ja/admin/dashboard/plots/nothing.svg").status_code == 404


@pytest.mark.parametrize("who", ["company", "anonymous"])
def test_others_are_refused(app, client, login, event, who):
    if who == "company":
        login(user_email(app, event["JP1"]))
    for path in ("/en/admin/dashboard/", "/en/admin/dashboard/plots/funnel.svg", "/en/admin/dashboard/report.pdf"):
        response = client.get(path)
        assert response.status_code == (403 if who == "company" else 302)


def test_report_downloads(organiser_client, event):
    pdf = organiser_client.get("/vi/admin/dashboard/report.pdf")
    assert pdf.mimetype == "application/pdf"
    assert re.match(r'attachment; filename="environment-week-report-\d{4}-\d{2}-\d{2}\.pdf"',
                    pdf.headers["Content-Disposition"])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Quản lý chất thải" in text
    xlsx = organiser_client.get("/en/admin/dashboard/report.xlsx")
    assert xlsx.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames[:2] == ["Summary", "Cooperation areas"]
    assert organiser_client.get("/en/admin/dashboard/report.doc").status_code == 404


@pytest.mark.parametrize("lang, label", [("ja", "企業数"), ("vi", "Số doanh nghiệp"), ("en", "Number of companies")])
def test_the_count_axes_say_how_many_not_the_menu_s_word(app, event, lang, label):
    from matchmaker.extensions import db
    from matchmaker.services.outcomes import figures
    from matchmaker.services.outcomes.dashboard import Filters, collect
    from matchmaker.services.outcomes.plots import _draw

    with app.test_request_context(f"/{lang}/"):
        from flask import g

        g.lang_code = lang
        board = collect(db.session, Filters())
        shown = {f.key: f for f in figures.all_figures(board, lang)}
        assert shown["registrations"].value_label == shown["supply"].value_label == label  # the menu's word is a list
        days = [row[0] for row in shown["registrations"].table.rows]
        axes = _draw(shown["registrations"]).axes[0]
    assert axes.get_ylabel() == label
    low, high = axes.get_xlim()  # the event's companies all registered today: the week around it, not years of axis
    assert len(days) == 1 and 5.9 <= high - low <= 6.1 and low < days[0].toordinal() - 719163 < high  # matplotlib counts from 1970
