"""``flask programme …``: import a programme spreadsheet, set event days, publish, show warnings."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from matchmaker.extensions import db
from matchmaker.services.accounts import command_line_organiser

programme_cli = AppGroup("programme", help="Seminar and exhibition programme.")




@programme_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--allow-conflicts", is_flag=True, help="Import seminars even when they conflict (they are listed as warnings).")
@click.option("--publish", is_flag=True, help="Publish every draft seminar after the import.")
def import_command(file: Path, allow_conflicts: bool, publish: bool) -> None:
    """Import days, rooms, speakers, halls, booths and seminars from a CSV (UTF-8) or XLSX FILE."""
    from matchmaker.services.imports.table import ImportFileError
    from matchmaker.services.programme.importing import IMPORTER, import_programme
    from matchmaker.services.programme.seminars import publish_seminars

    try:
        rows = IMPORTER.read(file.name, file.read_bytes())
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    actor = command_line_organiser()
    report = import_programme(db.session, rows, actor, tz=current_app.config["EVENT_TIMEZONE"], allow_conflicts=allow_conflicts)
    if report.errors:
        db.session.rollback()
        for err in report.errors:
            click.echo(f"row {err.row}, {err.column}: {err.message}", err=True)
        raise click.ClickException(f"{len(report.errors)} row(s) rejected; nothing was imported.")
    published = publish_seminars(db.session, actor) if publish else 0
    db.session.commit()
    summary = ", ".join(f"{kind}: {report.created[kind]} new, {report.updated[kind]} updated" for kind in report.created)
    click.echo(summary + (f"; {published} seminars published." if publish else "."))


@programme_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
def export_command(fmt: str, output: Path | None) -> None:
    """Export the whole programme (drafts included) in the import format, times in the event's zone."""
    from matchmaker.services.imports.table import to_csv, to_xlsx
    from matchmaker.services.programme.importing import export_programme_rows

    rows = export_programme_rows(db.session, current_app.config["EVENT_TIMEZONE"])
    data = to_csv(rows) if fmt == "csv" else to_xlsx(rows, sheet_title="programme")
    if output:
        output.write_bytes(data)
        click.echo(f"{len(rows) - 1} rows written to {output}.")
    else:
        sys.stdout.buffer.write(data)


@programme_cli.command("days")
@click.argument("days", nargs=-1)
def days_command(days: tuple[str, ...]) -> None:
    """Add event DAYS (YYYY-MM-DD) and print the event days."""
    from matchmaker.services.programme.common import event_days
    from matchmaker.services.programme.seminars import add_event_day
    from matchmaker.services.validation import ValidationError

    try:
        for day in days:
            add_event_day(db.session, command_line_organiser(), day)
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field}: {error.message}") from None
    db.session.commit()
    click.echo(" ".join(d.isoformat() for d in event_days(db.session)) or "No event days set.")


@programme_cli.command("publish")
def publish_command() -> None:
    """Publish every draft seminar."""
    from matchmaker.services.programme.seminars import publish_seminars

    count = publish_seminars(db.session, command_line_organiser())
    db.session.commit()
    click.echo(f"{count} seminars published.")


@programme_cli.command("check")
def check_command() -> None:
    """Print every conflict of the programme; exit with status 1 when there is any."""
    from matchmaker.services.programme.conflicts import all_conflicts

    conflicts = all_conflicts(db.session, current_app.config["EVENT_TIMEZONE"])
    for conflict in conflicts:
        click.echo(f"{conflict.kind}: {conflict.message}")
    if conflicts:
        raise SystemExit(1)
    click.echo("No conflicts.")
