"""The demo event looks like the real one."""

from collections import Counter

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Company, Opportunity, User
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
    again = runner.invoke(args=["demo-data", "--if-empty"])
    assert "not loaded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Company.id))) == len(companies)
