"""The demo event looks like the real one."""

from collections import Counter

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Company, Interpreter, Opportunity, ScheduledMeeting, ScheduleRun, SessionCompany, User
from matchmaker.services.demo import DEMO_ORGANISER


def test_demo_data_loads_a_realistic_event(runner, app):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "organiser@demo.example" in result.output and "password: environment-week" in result.output
    with app.app_context():
        companies = db.session.scalars(select(Company)).all()
        assert 35 <= len(companies) <= 50
        countries = Counter(c.country for c in companies)
        assert countries["JP"] >= 15 and countries["VN"] >= 15
        assert all(c.status == "approved" and c.opportunities for c in companies)
        languages = {(c.country, o.language) for c in companies for o in c.opportunities}
        assert ("JP", "ja") in languages and ("VN", "vi") in languages
        kinds = Counter(db.session.scalars(select(Opportunity.kind)))
        assert kinds["offer"] >= 30 and kinds["need"] >= 30
        used = {cat.key for o in db.session.scalars(select(Opportunity)) for cat in o.categories}
        assert len(used) == 17  # every category of the plan appears
        assert db.session.scalar(select(User.role).where(User.email == DEMO_ORGANISER)) == "organiser"
        # some Japanese offers are also written in Vietnamese (and English), as exhibitors do
        versions = {(o.language, v.language) for o in db.session.scalars(select(Opportunity)) for v in o.versions}
        assert ("ja", "vi") in versions and ("ja", "en") in versions
        # meeting resources: interpreters, companies online, interpreted and online meetings with links
        interpreters = db.session.scalars(select(Interpreter)).all()
        assert {(p.pairs, p.mode) for p in interpreters} == {("ja-vi", "onsite"), ("ja-vi", "online"), ("en-ja", "onsite")}
        online = set(db.session.scalars(select(SessionCompany.company_id).where(SessionCompany.mode == "online")))
        assert 2 <= len(online) <= 3
        published = db.session.scalars(select(ScheduledMeeting).where(ScheduledMeeting.state == "published")).all()
        interpreted = [m for m in published if m.interpreter_id is not None]
        assert interpreted and {m.interpreter_id for m in interpreted} <= {p.id for p in interpreters}
        assert len({(m.interpreter_id, m.slot_id) for m in interpreted}) == len(interpreted)  # one meeting a slot each
        remote = [m for m in published if set(m.pair) & online]
        assert remote and all(m.online and m.table_id is None for m in remote)
        assert all(m.video_url.startswith("https://meet.jit.si/jvew-") and len(m.video_url) > 40 for m in remote)
        assert len({m.video_url for m in remote}) == len(remote)
        assert all(not m.online and m.table_id is not None and m.video_url == "" for m in published if m not in remote)
        run = db.session.scalar(select(ScheduleRun))
        assert run.lost_to_interpreters is not None and run.interpreter_slots_json.startswith("[")
    again = runner.invoke(args=["demo-data", "--if-empty"])
    assert "not loaded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Company.id))) == len(companies)
