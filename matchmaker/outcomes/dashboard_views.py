"""The organisers' dashboard: figures with plots and tables, the plots as SVG, the report download.

What is cached (``pagecache.cache``: Redis when configured, else this process's memory): the
counted figures per filter set, each plot's SVG and the report per language, under the dashboard's data
version (``services.outcomes.data_version``), so a commit that changes what is counted makes
them unreachable. The page itself renders each time (it carries the organiser's own forms).
"""

from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, Response, abort, g, render_template, request
from sqlalchemy import select

from matchmaker.access import organiser_required
from matchmaker.extensions import db
from matchmaker.models import Category
from matchmaker.pagecache import cache
from matchmaker.services.categories import list_categories
from matchmaker.services.outcomes import figures as figs
from matchmaker.services.outcomes import plots, report
from matchmaker.services.outcomes.dashboard import Dashboard, Filters, collect
from matchmaker.services.outcomes.data_version import dashboard_version
from matchmaker.services.schedule.common import session_label
from matchmaker.services.schedule.sessions import list_sessions
from matchmaker.urls import BadQuery, query_id

log = logging.getLogger(__name__)
bp = Blueprint("dashboard", __name__, url_prefix="/<lang_code>/admin/dashboard")
CACHE_SECONDS = 24 * 3600  # entries are keyed by the data version: the lifetime only bounds memory
# the SVG is shown as an image, never as a page: matplotlib's own <style> and style="" need this
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def filters_from_query() -> Filters:
    """The filters in ``?day=&session=&category=`` (empty: not set); a bad value is a 400 naming it."""
    raw_day = (request.args.get("day") or "").strip()
    try:
        day = date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        raise BadQuery("day") from None
    key = (request.args.get("category") or "").strip() or None
    if key is not None and db.session.scalar(select(Category.id).where(Category.key == key)) is None:
        raise BadQuery("category")
    return Filters(day=day, session_id=query_id("session"), category=key)


def _cached(key: str, make):
    try:
        value = cache.get(key)
    except Exception:  # a cache that is down must not take the page with it
        log.warning("dashboard cache unavailable", exc_info=True)
        return make()
    if value is None:
        value = make()
        try:
            cache.set(key, value, timeout=CACHE_SECONDS)
        except Exception:
            log.warning("dashboard cache unavailable: %s not stored", key, exc_info=True)
    return value


def board_for(filters: Filters, version: str | None = None) -> Dashboard:
    """The counted figures under *filters*, from the cache when the data did not change."""
    version = version or dashboard_version(db.session)
    return _cached(f"dashboard:{version}:board:{filters.key()}", lambda: collect(db.session, filters))


def _figure(key: str, board: Dashboard) -> figs.Figure:
    found = next((f for f in figs.all_figures(board, g.lang_code) if f.key == key), None)
    if found is None:
        abort(404)
    return found


@bp.route("/")
@organiser_required
def index():
    """Every figure with its plot and table; filters by day, session and cooperation area."""
    filters = filters_from_query()
    board = board_for(filters)
    sessions = list_sessions(db.session)
    return render_template("outcomes/dashboard.html", board=board, filters=filters,
                           figures=figs.all_figures(board, g.lang_code), funnel_labels=figs.funnel_labels(),
                           sessions=sessions, days=sorted({ms.day for ms in sessions}), session_label=session_label,
                           categories=list_categories(db.session), query=request.args.to_dict())


@bp.route("/plots/<key>.svg")
@organiser_required
def plot(key: str):
    """One figure's plot as SVG, in the page's language, under the same filters."""
    filters = filters_from_query()
    version = dashboard_version(db.session)
    board = board_for(filters, version)
    figure = _figure(key, board)
    body = _cached(f"dashboard:{version}:svg:{g.lang_code}:{key}:{filters.key()}", lambda: plots.svg(figure))
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response


@bp.route("/report.<fmt>")
@organiser_required
def download(fmt: str):
    """The report to the joint working group (the whole event, every filter left aside)."""
    if fmt not in report.FORMATS:
        abort(404)
    version = dashboard_version(db.session)
    body = _cached(f"dashboard:{version}:report:{g.lang_code}:{fmt}",
                   lambda: report.report(board_for(Filters(), version), g.lang_code, fmt))
    response = Response(body, mimetype=report.MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    return response
