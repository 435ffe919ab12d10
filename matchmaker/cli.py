"""``flask`` commands: users, companies import/export, demo data, translations."""

from __future__ import annotations

# bandit B404: runs pybabel with fixed arguments only
import subprocess  # nosec B404
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from matchmaker.config import PROJECT_ROOT
from matchmaker.extensions import db
from matchmaker.services.accounts import command_line_organiser

users_cli = AppGroup("users", help="Manage accounts.")
companies_cli = AppGroup("companies", help="Import and export companies with their offers and needs.")
matches_cli = AppGroup("matches", help="Embeddings and partner suggestions.")
jobs_cli = AppGroup("jobs", help="The background job queue (needs REDIS_URL).")
translate_cli = AppGroup("translate", help="Extract, update and compile the translation catalogs.")


@users_cli.command("create-organiser")
@click.argument("email")
@click.password_option(help="The new organiser's password (asked for when not given).")
def create_organiser_command(email: str, password: str) -> None:
    """Create an organiser account."""
    from matchmaker.services.accounts import create_organiser
    from matchmaker.services.validation import ValidationError

    try:
        user = create_organiser(db.session, email=email, password=password)
        db.session.commit()
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field}: {error.message}") from None
    click.echo(f"Organiser {user.email} created.")


@click.command("mail-outbox")
@with_appcontext
def mail_outbox_command() -> None:
    """Say where outgoing mail goes (the outbox file when no SMTP host is set)."""
    from flask import current_app

    config = current_app.config
    if config.get("SMTP_HOST"):
        click.echo(f"Mail is sent through {config['SMTP_HOST']}.")
    else:
        click.echo(f"No SMTP host: mail (password-reset and invitation links too) is written to {config['MAIL_OUTBOX']}")


@companies_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pending", is_flag=True, help="Leave new companies pending approval.")
def import_command(file: Path, pending: bool) -> None:
    """Import companies with their offers and needs from a CSV (UTF-8) or XLSX FILE."""
    from matchmaker.services.imports.companies import IMPORTER, import_rows
    from matchmaker.services.imports.table import ImportFileError

    try:
        rows = IMPORTER.read(file.name, file.read_bytes())
        report = import_rows(db.session, rows, command_line_organiser(), approve=not pending)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    if report.errors:
        db.session.rollback()
        for err in report.errors:
            click.echo(f"row {err.row}, {err.column}: {err.message}", err=True)
        raise click.ClickException(f"{len(report.errors)} row(s) rejected; nothing was imported.")
    db.session.commit()
    click.echo(
        f"companies: {report.companies_created} new, {report.companies_updated} updated; "
        f"offers/needs: {report.opportunities_created} new, {report.opportunities_updated} updated."
    )


@companies_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
def export_command(fmt: str, output: Path | None) -> None:
    """Export every company with its offers and needs in the import format."""
    from matchmaker.services.imports.companies import export_rows
    from matchmaker.services.imports.table import to_csv, to_xlsx

    rows = export_rows(db.session)
    data = to_csv(rows) if fmt == "csv" else to_xlsx(rows)
    if output:
        output.write_bytes(data)
        click.echo(f"{len(rows) - 1} rows written to {output}.")
    else:
        sys.stdout.buffer.write(data)


@click.command("demo-data")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users or companies.")
@click.option("--after-event", is_flag=True, help="Then show it some weeks after the week: meetings held and missed, feedback, follow-ups.")
def demo_data_command(if_empty: bool, after_event: bool) -> None:
    """Load the demo event (companies, offers and needs, one organiser, a published matchmaking
    session) and print its logins; with --after-event, show it some weeks after the week."""
    from flask import current_app

    from matchmaker.services.demo import DEMO_ORGANISER, database_is_empty, demo_logins, load_demo
    from matchmaker.embeddings import EmbeddingModelError
    from matchmaker.services.schedule.demo import load_demo_session
    from matchmaker.services.validation import ValidationError

    if if_empty and not database_is_empty(db.session):
        click.echo("The database already has data; demo not loaded.")
    elif not (after_event and demo_logins(db.session)):
        load_demo(db.session)
        db.session.commit()
        click.echo("Demo event loaded. Scheduling its matchmaking session (embeddings, then the solver)…")
        try:
            ms_id = load_demo_session(current_app._get_current_object(), DEMO_ORGANISER)
        except (EmbeddingModelError, RuntimeError, ValidationError) as error:  # the rest of the demo stays
            raise click.ClickException(f"The demo matchmaking session was not scheduled: {error}") from None
        click.echo(f"Matchmaking session {ms_id} generated and published.")
    if after_event:
        from matchmaker.demo.after_event import after_event_command_body

        after_event_command_body()
    else:
        click.echo("To see it some weeks after the week (feedback, follow-ups): flask demo-data --after-event")
    logins = demo_logins(db.session)
    if logins:
        click.echo(f"Demo logins — organiser: {logins.organiser}   company: {logins.company}   "
                   f"event-day staff: {logins.staff}   password: {logins.password}")


@click.command("seed-categories")
@with_appcontext
def seed_categories_command() -> None:
    """Add the default categories of the cooperation plan that are missing."""
    from matchmaker.services.categories import seed_categories

    added = seed_categories(db.session)
    db.session.commit()
    click.echo(f"{added} categories added.")


@matches_cli.command("embed")
@click.option("--all", "everything", is_flag=True, help="Recompute every vector, not only the stale ones.")
def embed_command(everything: bool) -> None:
    """Detect the concepts and compute the vectors of offers and needs that are new, changed, or
    from another model (or glossary)."""
    from flask import current_app

    from matchmaker import embeddings
    from matchmaker.services import vectors
    from matchmaker.services.concepts.items import refresh_concepts

    model = current_app.config["EMBEDDING_MODEL"]
    try:
        model_id = embeddings.model_id(model)
    except embeddings.EmbeddingModelError as error:
        raise click.ClickException(str(error)) from None
    detected = refresh_concepts(db.session)
    db.session.commit()
    click.echo(f"Concepts detected again in {detected} offers/needs.")
    expansion = vectors.expansion_for(db.session)
    todo = vectors.all_texts(db.session) if everything else vectors.stale_texts(db.session, model_id, expansion=expansion)
    if not todo:
        click.echo(f"All vectors are current ({model_id}).")
        return
    with click.progressbar(length=len(todo), label=f"Embedding with {model_id}") as bar:
        vectors.embed(db.session, todo, model, progress=bar.update, expansion=expansion)
    db.session.commit()
    click.echo(f"{len(todo)} texts of offers/needs embedded.")


@matches_cli.command("suggest")
@click.option("--top", "top_k", default=10, show_default=True, help="Partners per company.")
@click.option("--company", "company_name", help="Only this company (exact name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the default output is a readable list).")
@click.option("--lang", type=click.Choice(["ja", "vi", "en"]), default="en", show_default=True,
              help="Language of the shared concepts' labels.")
def suggest_command(top_k: int, company_name: str | None, as_json: bool, lang: str) -> None:
    """Print the best partners of every approved company (or one), best first."""
    import json

    from flask import current_app

    from matchmaker.embeddings import EmbeddingModelError
    from matchmaker.services.matching import suggest_all

    try:
        rows = suggest_all(db.session, current_app.config, top_k=top_k, company_name=company_name, lang=lang)
    except LookupError:
        raise click.ClickException(f"No approved company is named {company_name!r}.") from None
    except EmbeddingModelError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()  # vectors and concepts computed on the way are kept
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        concepts = "; ".join(c["label"] for c in row["shared_concepts"])
        click.echo(f"{row['company']} -> {row['partner']}  {row['score']:.2f}  [{', '.join(row['shared_categories'])}]"
                   + (f"  ({concepts})" if concepts else ""))


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Carry out queued jobs (schedule generation, re-embedding) from Redis."""
    from flask import current_app

    from matchmaker.jobs import run_worker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("Set REDIS_URL: without it jobs run inside the web process and need no worker.")
    run_worker(current_app._get_current_object(), url, burst=burst)


def _pybabel(*args: str) -> None:
    # bandit B603: fixed argv, no shell
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=PROJECT_ROOT)  # nosec B603


@translate_cli.command("extract")
def translate_extract() -> None:
    """Collect the interface strings into translations/messages.pot."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "-o", "translations/messages.pot", ".")


@translate_cli.command("update")
def translate_update() -> None:
    """Extract, then merge new strings into the ja and vi catalogs."""
    translate_extract.callback()
    _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching")


@translate_cli.command("compile")
def translate_compile() -> None:
    """Compile the catalogs into .mo files (done by the install step; .mo files are not committed)."""
    _pybabel("compile", "-d", "translations", "--statistics")


def init_app(app: Flask) -> None:
    """Register the command groups on *app*."""
    from matchmaker import backup_cli
    from matchmaker.programme.cli import programme_cli

    backup_cli.init_app(app)
    app.cli.add_command(programme_cli)
    from matchmaker.schedule.cli import schedule_cli

    app.cli.add_command(schedule_cli)
    from matchmaker.interpreters.cli import interpreters_cli

    app.cli.add_command(interpreters_cli)
    from matchmaker.eventday.cli import load_commands as event_commands

    app.cli.add_command(event_commands())
    from matchmaker.outcomes.cli import outcomes_cli

    app.cli.add_command(outcomes_cli)
    for command in (users_cli, mail_outbox_command, companies_cli, matches_cli, jobs_cli, translate_cli, demo_data_command, seed_categories_command):
        app.cli.add_command(command)
