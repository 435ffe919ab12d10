"""``flask backup PATH`` and ``flask restore PATH``: the whole database to a file and back.

The work is done by ``matchmaker.services.backup``; these commands find the database URL of
the app (``DATABASE_URL``), release the app's own connections around a restore, and turn
``BackupError`` into a clean command-line error.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from matchmaker.extensions import db


def _database_url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the whole database to PATH (SQLite: a database file; PostgreSQL: a pg_dump archive).

    Safe while the site is running.
    """
    from matchmaker.services.backup import BackupError, backup_database

    try:
        backup_database(_database_url(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup of {db.engine.url.render_as_string(hide_password=True)} written to {path} ({path.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup in PATH. Stop the site first."""
    from matchmaker.services.backup import BackupError, restore_database

    shown = db.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {shown} with {path}? Stop the site before restoring.", abort=True)
    db.session.remove()  # no transaction of ours may hold a lock during the restore
    db.engine.dispose()
    try:
        restore_database(_database_url(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.engine.dispose()  # connections opened before the restore must not be reused
    click.echo(f"{shown} restored from {path}.")


def init_app(app: Flask) -> None:
    """Register ``backup`` and ``restore`` on *app*."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
