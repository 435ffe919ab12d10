"""``flask schedule``: generate a session's draft, or solve an instance file (the audit path).

    flask --app wsgi schedule generate --session ID [--time-limit S] [--method optimal|greedy] [--json]
    flask --app wsgi schedule solve-file INSTANCE.json [--time-limit S] [--method optimal|greedy]
    flask --app wsgi schedule publish SESSION_ID [--base-url URL]

``generate`` goes through the same service as the web button (start_generation takes the
session's lock, run_generation solves and replaces the draft in one transaction) and shows a
progress bar; the draft is then published on the web or with ``publish``. ``solve-file`` runs the pure core on a
JSON instance and prints the JSON result, so that a bad case can be reported reproducibly.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.services.accounts import command_line_organiser

schedule_cli = AppGroup("schedule", help="Generate meeting schedules; solve instance files.")
METHODS = click.Choice(["optimal", "greedy"])


def _report(run, names: dict[int, str]) -> dict:
    return {
        "run": run.id, "session": run.session_id, "status": run.status, "method": run.method,
        "score": run.score, "bound": run.bound, "fraction": run.fraction, "meetings": run.meetings_count,
        "fewest_meetings": run.fewest_meetings, "seconds": run.seconds, "error": run.error or None,
        "floor": run.floor_reached, "without_meeting": len(run.idle), "unfair_bound": run.unfair_bound,
        "greedy_score": run.greedy_score,
        "lost_to_interpreters": run.lost_to_interpreters, "score_lost_to_interpreters": run.score_lost_to_interpreters,
        "interpreter_slots": [{"slot": int(slot), "meetings": int(saved)} for slot, saved in json.loads(run.interpreter_slots_json or "[]")],
        "unplaced": [{"a": names.get(u["a"], u["a"]), "b": names.get(u["b"], u["b"]), "reason": u["reason"]}
                     for u in run.unplaced],
    }


def _print_report(report: dict) -> None:
    if report["status"] != "done":
        raise click.ClickException(f"run {report['run']} {report['status']}: {report['error']}")
    click.echo(f"meetings {report['meetings']}  score {report['score']:.3f}  bound {report['bound']:.3f}  "
               f"({report['fraction'] * 100:.2f} % of the bound)  fewest per company {report['fewest_meetings']}  "
               f"{report['seconds']:.1f} s")
    click.echo(f"floor {report['floor']}  companies without a meeting {report['without_meeting']}")
    if report["lost_to_interpreters"] or report["score_lost_to_interpreters"]:
        click.echo(f"lost for want of interpreters: {report['lost_to_interpreters']} meetings, "
                   f"score {report['score_lost_to_interpreters']:.3f}")
        for where in report["interpreter_slots"]:
            click.echo(f"slot {where['slot']}: {where['meetings']} more interpreters would help")
    for u in report["unplaced"]:
        click.echo(f"not placed: {u['a']} - {u['b']}: {u['reason']}")
    click.echo("The draft is ready: review and publish it on the organiser's schedule page.")


@schedule_cli.command("generate")
@click.option("--session", "session_id", type=int, required=True, help="The matchmaking session's id.")
@click.option("--time-limit", type=float, default=30.0, show_default=True, help="Seconds the solver may use.")
@click.option("--method", type=METHODS, default="optimal", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def generate_command(session_id: int, time_limit: float, method: str, as_json: bool) -> None:
    """Generate the draft schedule of a session (replaces the previous draft atomically)."""
    from matchmaker.models import Company, ScheduleRun
    from matchmaker.services.schedule import generation
    from matchmaker.services.validation import ValidationError

    try:
        run = generation.start_generation(db.session, command_line_organiser(), session_id, method=method, time_limit=time_limit)
        db.session.commit()
    except LookupError:
        raise click.ClickException(f"No session has the id {session_id}.") from None
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    app = current_app._get_current_object()
    if as_json:
        generation.run_generation(app, run.id)
    else:
        with click.progressbar(length=1000, label="Scheduling") as bar:
            seen = [0]

            def advance(stage: str, fraction: float) -> None:
                step = int(fraction * 1000) - seen[0]
                if step > 0:
                    bar.update(step)
                    seen[0] += step

            generation.run_generation(app, run.id, progress=advance)
    db.session.expire_all()
    run = db.session.get(ScheduleRun, run.id)
    names = {c.id: c.name for c in db.session.scalars(select(Company))} if run.unplaced else {}
    report = _report(run, names)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        if run.status != "done":
            raise SystemExit(1)
    else:
        _print_report(report)


@schedule_cli.command("solve-file")
@click.argument("instance", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--time-limit", type=float, default=30.0, show_default=True, help="Seconds the solver may use.")
@click.option("--method", type=METHODS, default="optimal", show_default=True)
def solve_file_command(instance: Path, time_limit: float, method: str) -> None:
    """Solve an INSTANCE.json file with the scheduling core and print the result as JSON."""
    from matchmaker.core.scheduling import instance_from_dict, result_to_dict, solve

    try:
        problem = instance_from_dict(json.loads(instance.read_text(encoding="utf-8")))
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{instance}: not JSON ({error})") from None
    except ValueError as error:
        raise click.ClickException(f"{instance}: {error}") from None
    result = solve(problem, method, time_limit)
    click.echo(json.dumps(result_to_dict(result), ensure_ascii=False, indent=2))


@schedule_cli.command("deliver")
@click.option("--base-url", required=True, help="The site's address for the agenda links, e.g. https://week.example.org/")
def deliver_command(base_url: str) -> None:
    """Mail the schedule notifications whose undo window has closed (for cron, if the site restarted)."""
    from matchmaker.schedule.background import deliver_notices

    deliver_notices(current_app._get_current_object(), 0, base_url)
    click.echo("ok")


@schedule_cli.command("publish")
@click.argument("session_id", type=int)
@click.option("--base-url", default="", help="The site's address for the agenda links in mails (default http://localhost/).")
def publish_command(session_id: int, base_url: str) -> None:
    """Publish the draft of SESSION_ID at once (no undo window) and print what it did as JSON."""
    from matchmaker.schedule.background import deliver_notices
    from matchmaker.services.schedule.publish import publish_schedule
    from matchmaker.services.validation import ValidationError

    try:
        report = publish_schedule(db.session, command_line_organiser(), session_id)
        db.session.commit()
    except LookupError:
        db.session.rollback()
        raise click.ClickException(f"No matchmaking session has the id {session_id}.") from None
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    deliver_notices(current_app._get_current_object(), 0, base_url)
    click.echo(json.dumps({"session": session_id, "meetings": report.meetings, "companies_told": len(report.kinds)}))
