"""``flask event badges SESSION_ID --out DIR``: the session's badges as PDFs and QR code PNGs.

Writes into DIR ``badges-session-<id>.pdf`` (every badge of the session's companies, A4 sheets),
``badges-company-<company id>.pdf`` for each company, and ``<company id>.png``, the QR code of
the company's first (contact) badge. Companies are the approved ones the organisers did not
leave out of the session; badges missing for their contacts are made first. Prints JSON:

    {"session": 1, "base_url": "...", "pdf": "DIR/badges-session-1.pdf", "badges": 12,
     "companies": [{"id", "name", "badges", "pdf", "png"}],
     "skipped": [{"id", "name", "reason": "no-badge"}]}
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask_babel import force_locale, gettext as _

from matchmaker.eventday.cli_group import event_cli
from matchmaker.extensions import db
from matchmaker.i18n import LANGUAGES
from matchmaker.models import MatchSession
from matchmaker.services.eventday import badge_print, badges as badge_svc


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@event_cli.command("badges")
@click.argument("session_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the PDFs and PNGs into (made when missing).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the country names printed on the badges.")
def badges_command(session_id: int, out: Path, lang: str) -> None:
    """Write the badges of session SESSION_ID (PDFs, QR code PNGs) into --out; JSON on stdout."""
    ms = db.session.get(MatchSession, session_id)
    if ms is None:
        raise click.ClickException(f"no matchmaking session with id {session_id}")
    companies = badge_svc.session_companies(db.session, ms)
    badge_svc.ensure_badges(db.session, companies)
    db.session.commit()
    out.mkdir(parents=True, exist_ok=True)
    base = badge_print.public_base_url()
    if base == badge_print.LOCAL_BASE:
        click.echo(f"MATCHMAKER_PUBLIC_URL is not set: the QR codes link to {base}", err=True)
    report = {"session": ms.id, "base_url": base, "pdf": None, "badges": 0, "companies": [], "skipped": []}
    every = []
    with force_locale(lang):
        for company in companies:
            live = badge_svc.company_badges(db.session, company)
            if not live:
                report["skipped"].append({"id": company.id, "name": company.name, "reason": "no-badge"})
                continue
            every += live
            pdf = badge_print.badges_pdf(live, _("Badges: %(name)s", name=company.name), base)
            png = badge_print.qr_png(badge_print.checkin_url(live[0], base))
            report["companies"].append({"id": company.id, "name": company.name, "badges": len(live),
                                        "pdf": _write(out / f"badges-company-{company.id}.pdf", pdf),
                                        "png": _write(out / f"{company.id}.png", png)})
        pdf = badge_print.badges_pdf(every, _("Badges"), base)
    report["pdf"] = _write(out / f"badges-session-{ms.id}.pdf", pdf)
    report["badges"] = len(every)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
