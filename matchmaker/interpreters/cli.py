"""``flask interpreters``: register, list, mark unavailable and delete interpreters from scripts.

    flask --app wsgi interpreters add --name NAME --pair ja-vi [--pair en-ja] [--mode onsite|online] [--email E]
    flask --app wsgi interpreters list [--json]
    flask --app wsgi interpreters unavailable ID SESSION_ID SLOT_NUMBER...
    flask --app wsgi interpreters delete ID [--yes]

The same services as the organiser pages check every value; a refusal prints its reason and
exits 1 with nothing saved.
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from matchmaker.extensions import db
from matchmaker.services import interpreters as svc
from matchmaker.services.accounts import command_line_organiser
from matchmaker.services.validation import ValidationError

interpreters_cli = AppGroup("interpreters", help="Register the event's interpreters and their unavailable slots.")


def _agenda_path(token: str) -> str:
    return f"/interpreter/{token}/"


def _run(action):
    """Run a service call and commit; a refusal or a missing object exits 1 with its reason."""
    try:
        result = action()
        db.session.commit()
        return result
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field}: {error.message}") from None
    except LookupError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None


@interpreters_cli.command("add")
@click.option("--name", required=True)
@click.option("--pair", "pairs", multiple=True, help="A language pair such as ja-vi, en-ja or en-vi (repeat for more).")
@click.option("--mode", default="onsite", show_default=True, help="onsite or online.")
@click.option("--email", default="")
def add_command(name: str, pairs: tuple[str, ...], mode: str, email: str) -> None:
    """Register an interpreter; prints the new id and the agenda's URL path."""
    data = svc.InterpreterData(name=name, email=email, pairs=list(pairs), mode=mode)
    interpreter = _run(lambda: svc.create_interpreter(db.session, command_line_organiser(), data))
    click.echo(f"{interpreter.id} {_agenda_path(interpreter.token)}")


@interpreters_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of the interpreters.")
def list_command(as_json: bool) -> None:
    """Every interpreter: id, name, pairs, mode, email, agenda path."""
    rows = [{"id": r.interpreter.id, "name": r.interpreter.name, "pairs": r.interpreter.pair_list, "mode": r.interpreter.mode,
             "email": r.interpreter.email, "agenda": _agenda_path(r.interpreter.token)} for r in svc.list_interpreters(db.session)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']}\t{row['name']}\t{','.join(row['pairs'])}\t{row['mode']}\t{row['email']}\t{row['agenda']}")


@interpreters_cli.command("unavailable")
@click.argument("interpreter_id", type=int)
@click.argument("session_id", type=int)
@click.argument("slots", nargs=-1)
def unavailable_command(interpreter_id: int, session_id: int, slots: tuple[str, ...]) -> None:
    """Set the slots (numbers from 0) the interpreter cannot work in SESSION_ID; none clears them."""
    numbers = _run(lambda: svc.set_unavailable(db.session, command_line_organiser(), interpreter_id, session_id, list(slots)))
    click.echo(f"unavailable in session {session_id}: {' '.join(map(str, sorted(numbers))) or '-'}")


@interpreters_cli.command("delete")
@click.argument("interpreter_id", type=int)
@click.option("--yes", is_flag=True, help="Delete even when the interpreter has published meetings.")
def delete_command(interpreter_id: int, yes: bool) -> None:
    """Delete an interpreter; their meetings stay, flagged "interpreter needed"."""
    published = svc.published_meetings(db.session, interpreter_id)
    if published and not yes:
        raise click.ClickException(f"interpreter {interpreter_id} has {published} published meetings, which would show "
                                   "'interpreter needed'; run again with --yes to delete anyway")
    _run(lambda: svc.delete_interpreter(db.session, command_line_organiser(), interpreter_id))
    click.echo(f"deleted interpreter {interpreter_id}; published meetings left without an interpreter: {published}")
