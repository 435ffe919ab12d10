"""Badges on paper and on screen: QR codes (segno) and A4 sheets as PDF (WeasyPrint, Noto CJK).

The QR code holds the absolute check-in link ``<base>/b/<token>``. The base is
``MATCHMAKER_PUBLIC_URL`` when set (the address phones and the desk reach the site at, e.g.
``https://matching.example.org``); otherwise, in a request, the host the page was asked for; on
the command line without it, ``http://127.0.0.1:5000`` (what ``make run`` serves), which only
a desk on the same machine can follow.

A sheet is A4 with 2 × 4 badges of 90 × 60 mm, each with crop marks at its corners.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from babel import Locale
from flask import current_app, has_request_context, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from matchmaker.choices import country_name
from matchmaker.models import Badge
from matchmaker.services.eventday.tokens import checkin_path

LOCAL_BASE = "http://127.0.0.1:5000"
PER_SHEET = 8


def public_base_url() -> str:
    """The site address put in front of ``/b/<token>`` (see the module docstring)."""
    configured = (current_app.config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return LOCAL_BASE


def checkin_url(badge: Badge, base: str | None = None) -> str:
    """The absolute link in *badge*'s QR code."""
    return (base or public_base_url()) + checkin_path(badge)


def _qr(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, label: str) -> Markup:
    """The QR code of *url* as inline SVG: no XML declaration, no style attribute (strict CSP),
    sized by its ``qr`` class, named by *label* for screen readers."""
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", xmldecl=False, svgns=True, omitsize=True, svgclass="qr", lineclass=None,
                  border=2, title=label)
    svg = out.getvalue().decode()
    # segno writes the SVG itself and XML-escapes the title (the only text from users in it)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # nosec B704


def qr_png(url: str, scale: int = 10) -> bytes:
    """The QR code of *url* as a PNG image (a quiet zone of four modules around it)."""
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def language_autonym(code: str) -> str:
    """A language named in itself (日本語, Tiếng Việt, English): each reader finds their own."""
    try:
        return Locale.parse(code).get_display_name(code) or code
    except (ValueError, LookupError):
        return code


@dataclass(frozen=True)
class BadgeCard:
    """What one printed badge shows."""

    name: str
    name_latin: str
    company: str
    country: str
    languages: str
    qr: Markup


def badge_card(badge: Badge, base: str) -> BadgeCard:
    """The printed face of *badge* (country in the reader's language, meeting languages in their own)."""
    company = badge.company
    same = badge.name_latin.casefold() == badge.name.casefold()
    return BadgeCard(
        name=badge.name, name_latin="" if same else badge.name_latin, company=company.name,
        country=country_name(company.country),
        languages=" · ".join(language_autonym(code) for code in company.language_list),
        qr=qr_svg(checkin_url(badge, base), badge.name_latin or badge.name),
    )


def badges_pdf(badges: list[Badge], title: str, base: str | None = None) -> bytes:
    """The PDF of *badges* on A4 sheets (eight a sheet, in the given order)."""
    from weasyprint import HTML  # loads Pango; only when a PDF is made

    base = base or public_base_url()
    cards = [badge_card(b, base) for b in badges]
    sheets = [cards[i:i + PER_SHEET] for i in range(0, len(cards), PER_SHEET)] or [[]]
    html = render_template("eventday/badge_sheet.html", sheets=sheets, title=title, lang=get_locale().language)
    return HTML(string=html).write_pdf()
