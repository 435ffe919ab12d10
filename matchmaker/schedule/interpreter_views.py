"""An interpreter's agenda: page, print view and calendar feed, opened by their token (no account).

Whoever has the link reads the agenda, so these responses are kept out of search engines, caches
and Referer headers. An unknown token is a plain 404 in the reader's language.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import force_locale, gettext as _

from matchmaker.choices import language_name
from matchmaker.extensions import db
from matchmaker.i18n import LANGUAGES
from matchmaker.services import interpreter_agenda as svc
from matchmaker.services.schedule import places

bp = Blueprint("interpreter_agenda", __name__, url_prefix="/<lang_code>/interpreter")
feed_bp = Blueprint("interpreter_feed", __name__)

PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _interpreter(token: str):
    interpreter = svc.interpreter_for_token(db.session, token)
    if interpreter is None:
        abort(404)
    return interpreter


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response


def _page(template: str, token: str) -> Response:
    interpreter = _interpreter(token)
    items = svc.interpreter_items(db.session, interpreter)
    feed_url = url_for("interpreter_feed.feed", token=token, lang=g.lang_code, _external=True)
    return _private(Response(render_template(template, interpreter=interpreter, items=items, token=token,
                                             feed_url=feed_url)))


@bp.route("/<token>/")
def index(token: str):
    """The interpreter's published meetings, times in the viewer's zone."""
    return _page("schedule/interpreter_agenda.html", token)


@bp.route("/<token>/print")
def print_view(token: str):
    """The same agenda on A4."""
    return _page("schedule/interpreter_agenda_print.html", token)


@feed_bp.route("/interpreter/<token>.ics")
def feed(token: str):
    """The calendar feed: ``?lang=ja|vi|en`` picks the language of its texts; times carry the event's zone."""
    interpreter = _interpreter(token)
    lang = request.args.get("lang", "en")
    lang = lang if lang in LANGUAGES else "en"
    with force_locale(lang):
        agenda_url = url_for("interpreter_agenda.index", lang_code=lang, token=token, _external=True)
        body = svc.interpreter_calendar(db.session, interpreter, current_app.config["EVENT_TIMEZONE"],
                                        _("Japan–Vietnam Environment Week"),
                                        keep_days=current_app.config["CALENDAR_CANCELLED_DAYS"],
                                        agenda_url=agenda_url, language_name=language_name)
    return _private(Response(body, mimetype="text/calendar"))


@bp.app_context_processor
def meeting_place_helpers():
    """In templates: ``place_label(m)`` (table or "Online"), ``video_link(m)``, ``interpreter_note(m)``
    ("Interpreter: name" / "Interpreter needed" / "") for sheets and event-day pages."""
    return {"place_label": places.place_label, "video_link": places.video_link,
            "interpreter_note": places.interpreter_note}
