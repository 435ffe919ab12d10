"""``flask event badges SESSION_ID --out DIR``: PDFs whose text holds the names, QR PNGs that decode to links that check in."""

import json

import pytest

from matchmaker.extensions import db
from matchmaker.models import Badge, SessionCompany
from matchmaker.services.eventday import badges as badge_svc, tokens
from tests.badge_helpers import decode_qr, pdf_text
from tests.schedule_helpers import new_session


@pytest.fixture
def session_of_three(app, make_company):
    """A session with a Japanese and a Vietnamese company taking part, and one left out."""
    ja = make_company(name="北九州エコエナジー株式会社", country="JP", languages="ja,en", contact_name="山田 太郎")
    vi = make_company(name="Công ty Môi trường Đô thị Hải Phòng", country="VN", languages="vi", contact_name="Nguyễn Văn Đức")
    out = make_company(name="Left Out Ltd", country="SG", languages="en", contact_name="Alex Tan")
    make_company(name="Pending Ltd", status="pending", contact_name="Pat Lee")
    with app.app_context():
        ms_id = new_session()
        db.session.add(SessionCompany(session_id=ms_id, company_id=out, excluded=True))
        db.session.commit()
    return ms_id, ja, vi, out


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["event", "badges", *map(str, args)])


def test_writes_the_session_pdf_one_pdf_and_one_png_per_company(app, session_of_three, tmp_path):
    ms_id, ja, vi, out = session_of_three
    app.config["PUBLIC_URL"] = "https://matching.example.org/"
    try:
        result = _run(app, ms_id, "--out", tmp_path / "badges")
    finally:
        app.config["PUBLIC_URL"] = ""
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads(result.stdout)
    folder = tmp_path / "badges"
    assert report["session"] == ms_id and report["badges"] == 2 and report["skipped"] == []
    assert report["pdf"] == str(folder / f"badges-session-{ms_id}.pdf")
    assert sorted(c["id"] for c in report["companies"]) == [ja, vi]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"badges-session-{ms_id}.pdf", f"badges-company-{ja}.pdf", f"badges-company-{vi}.pdf", f"{ja}.png", f"{vi}.png"])
    every = pdf_text((folder / f"badges-session-{ms_id}.pdf").read_bytes())
    for name in ("山田 太郎", "Yamada Taro", "Nguyễn Văn Đức", "Nguyen Van Duc", "北九州エコエナジー株式会社",
                 "Công ty Môi trường Đô thị Hải Phòng"):
        assert name in every
    assert "Alex Tan" not in every and "Pat Lee" not in every
    assert "Nguyễn" not in pdf_text((folder / f"badges-company-{ja}.pdf").read_bytes())
    link = decode_qr((folder / f"{ja}.png").read_bytes())
    assert link.startswith("https://matching.example.org/b/")
    with app.app_context():
        verdict = tokens.verify(link)
        assert verdict.ok and verdict.badge.company_id == ja and verdict.badge.name == "山田 太郎"


def test_after_reissue_the_old_png_is_refused_and_a_new_run_gives_a_working_one(app, session_of_three, tmp_path):
    ms_id, ja, _vi, _out = session_of_three
    assert _run(app, ms_id, "--out", tmp_path / "one").exit_code == 0
    old = decode_qr((tmp_path / "one" / f"{ja}.png").read_bytes())
    with app.app_context():
        [badge] = badge_svc.company_badges(db.session, db.session.get(Badge, tokens.verify(old).badge.id).company)
        badge_svc.reissue_badge(db.session, badge)
        db.session.commit()
        assert tokens.verify(old).outcome == "unknown"
    assert _run(app, ms_id, "--out", tmp_path / "two").exit_code == 0
    with app.app_context():
        assert tokens.verify(decode_qr((tmp_path / "two" / f"{ja}.png").read_bytes())).ok


def test_without_a_public_url_it_says_where_the_codes_point(app, session_of_three, tmp_path):
    result = _run(app, session_of_three[0], "--out", tmp_path)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["base_url"] == "http://127.0.0.1:5000"
    assert "MATCHMAKER_PUBLIC_URL" in result.stderr


def test_a_company_without_a_contact_is_listed_as_skipped(app, make_company, tmp_path):
    nobody = make_company(name="No Contact Co")
    with app.app_context():
        ms_id = new_session()
    report = json.loads(_run(app, ms_id, "--out", tmp_path).stdout)
    assert report["skipped"] == [{"id": nobody, "name": "No Contact Co", "reason": "no-badge"}]
    assert report["companies"] == [] and (tmp_path / f"badges-session-{ms_id}.pdf").exists()


def test_unknown_session_is_a_clear_error(app, tmp_path):
    result = _run(app, 999, "--out", tmp_path / "x")
    assert result.exit_code != 0
    assert "no matchmaking session with id 999" in result.stderr
    assert not (tmp_path / "x").exists()
