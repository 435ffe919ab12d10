"""Backup and restore: the whole database round-trips, row for row, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import stat

import numpy as np
import pytest
from sqlalchemy import MetaData, delete, select, update

from matchmaker.extensions import db
from matchmaker.models import Company, CompanyDescription, Opportunity, OpportunityEmbedding, User
from matchmaker.services import meetings
from matchmaker.services.backup import BackupError, backup_database, pg_conninfo, restore_database


def table_digests() -> dict[str, tuple[int, str]]:
    """Every table in the database (reflected, not only the models'): row count and a sha256 of
    its rows in primary-key order."""
    db.session.close()
    metadata = MetaData()
    with db.engine.connect() as connection:
        metadata.reflect(bind=connection)
        return {name: _digest(connection, table) for name, table in sorted(metadata.tables.items())}


def _digest(connection, table) -> tuple[int, str]:
    order = list(table.primary_key.columns) or list(table.columns)
    rows = connection.execute(select(table).order_by(*order)).all()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return len(rows), digest.hexdigest()


def _user(company_id: int) -> User:
    return db.session.scalar(select(User).where(User.company_id == company_id))


@pytest.fixture
def filled(ctx, make_company, make_opportunity, make_organiser):
    """An event with companies (non-ASCII text too), offers and needs, vectors, users and meeting requests."""
    names = [("Kitakyushu Eco Energy", "JP"), ("Công ty Môi trường Hải Phòng", "VN"), ("北九州リサイクル株式会社", "JP"),
             ("Saigon Solar", "VN")]
    ids = [make_company(name=name, country=country, languages="ja,en") for name, country in names]
    for i, company_id in enumerate(ids):
        make_opportunity(company_id, title=f"Offer {i}: 廃棄物発電", kind="offer", categories=("waste-to-energy",))
        make_opportunity(company_id, title=f"Need {i}: năng lượng", kind="need", categories=("finance", "hydrogen"))
    db.session.add(CompanyDescription(company_id=ids[2], language="ja", text="廃プラスチックのリサイクル。"))
    for opportunity in db.session.scalars(select(Opportunity)):
        vector = np.random.default_rng(opportunity.id).standard_normal(8).astype(np.float32)
        db.session.add(OpportunityEmbedding(opportunity_id=opportunity.id, language=opportunity.language,
                                            model_id="synthetic", text_hash="x" * 64,
                                            dim=8, vector=vector.tobytes()))
    make_organiser()
    first = meetings.request_meeting(db.session, _user(ids[0]), ids[1], "よろしく", cap=5, expiry_hours=24)
    meetings.request_meeting(db.session, _user(ids[2]), ids[3], "Xin chào", cap=5, expiry_hours=24)
    meetings.respond(db.session, _user(ids[1]), first.id, accept=True)
    db.session.commit()
    return ids


def _alter(ids: list[int]) -> None:
    """Lose a company (and by cascade its people, offers and requests), rename things, add one."""
    db.session.execute(delete(Company).where(Company.id == ids[0]))
    db.session.execute(update(Opportunity).values(title="overwritten"))
    db.session.add(Company(name="Added after the backup", country="TH", status="approved"))
    db.session.commit()


def test_round_trip_restores_every_table_exactly(filled, tmp_path):
    url = db.engine.url
    before = table_digests()
    assert before["companies"][0] == 4 and before["meeting_requests"][0] == 2 and before["opportunity_embeddings"][0] == 8

    backup_database(url, tmp_path / "event.backup")
    assert stat.S_IMODE((tmp_path / "event.backup").stat().st_mode) == 0o600  # password hashes inside
    _alter(filled)
    assert table_digests() != before

    db.engine.dispose()
    restore_database(url, tmp_path / "event.backup")
    db.engine.dispose()
    assert table_digests() == before
    # The restored database keeps working: new rows get fresh ids (PostgreSQL sequences restored too).
    db.session.add(Company(name="After the restore", country="VN", status="pending"))
    db.session.commit()
    assert db.session.scalar(select(Company.id).where(Company.name == "After the restore")) > max(filled)


def test_commands_back_up_and_restore(filled, runner, tmp_path):
    path = tmp_path / "cli.backup"
    before = table_digests()
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert f"written to {path}" in result.output and path.stat().st_size > 0

    _alter(filled)
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "restored from" in result.output
    assert table_digests() == before


def test_restore_of_a_file_that_is_no_backup_changes_nothing(filled, runner, tmp_path):
    garbage = tmp_path / "not-a-backup.bin"
    garbage.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 100)
    before = table_digests()
    result = runner.invoke(args=["restore", str(garbage), "--yes"])
    assert result.exit_code == 1
    assert f"restore of {garbage}" in result.output or f"{garbage} is not a usable SQLite database" in result.output
    assert table_digests() == before


def test_restore_asks_first(filled, runner, tmp_path):
    path = backup_database(db.engine.url, tmp_path / "b")
    _alter(filled)
    altered = table_digests()
    result = runner.invoke(args=["restore", str(path)], input="n\n")
    assert result.exit_code == 1 and "Stop the site before restoring" in result.output
    assert table_digests() == altered


def test_failed_backup_leaves_the_previous_one_intact(tmp_path):
    previous = tmp_path / "nightly.backup"
    previous.write_bytes(b"yesterday's backup")
    with pytest.raises(BackupError, match="no SQLite database at"):
        backup_database(f"sqlite:///{tmp_path / 'missing.sqlite3'}", previous)
    assert previous.read_bytes() == b"yesterday's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nightly.backup"]  # no partial file, no new database


@pytest.mark.parametrize(("url", "path", "message"), [
    ("sqlite://", "x.backup", "in-memory SQLite database"),
    ("sqlite:///{tmp}/db.sqlite3", "no-such-folder/x.backup", "does not exist"),
    ("mysql://u@localhost/event", "x.backup", "only SQLite and PostgreSQL"),
])
def test_backup_refuses_what_it_cannot_do(tmp_path, url, path, message):
    with pytest.raises(BackupError, match=message):
        backup_database(url.format(tmp=tmp_path), tmp_path / path)


def test_missing_pg_dump_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without the PostgreSQL client tools
    with pytest.raises(BackupError, match=r"pg_dump is not installed: install Debian's postgresql-client"):
        backup_database("postgresql+psycopg://postgres@127.0.0.1:5432/event", tmp_path / "x.backup")
    with pytest.raises(BackupError, match="pg_restore is not installed"):
        restore_database("postgresql://postgres@127.0.0.1/event", __file__)


def test_pg_conninfo_keeps_the_url_parameters_but_not_the_password():
    info = pg_conninfo("postgresql+psycopg://event:s3cret@db.internal:6543/matchmaker?sslmode=require&application_name=o'k")
    assert info == ("host='db.internal' port='6543' user='event' dbname='matchmaker' "
                    "sslmode='require' application_name='o\\'k'")
    assert "s3cret" not in info
