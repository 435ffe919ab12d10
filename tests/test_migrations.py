"""The schema comes from the migrations, and they match the models."""

import subprocess
import sys

from sqlalchemy import create_engine, inspect, text


def test_upgrade_from_empty_matches_models(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/m.sqlite3", "MATCHMAKER_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    upgrade = subprocess.run([*flask, "db", "upgrade"], env=env, capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stderr
    check = subprocess.run([*flask, "db", "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from categories")).scalar() == 17
        assert "companies" in inspect(connection).get_table_names()
    engine.dispose()
