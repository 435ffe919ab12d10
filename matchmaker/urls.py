"""URL helpers: safe redirects, the ``<id:…>`` converter and numbers read from the query string."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, ValidationError

from matchmaker.core.numbers import INTEGER_MAX, parse_decimal, parse_id, parse_whole

PAGE_MAX = 1_000_000  # far past any real list, small enough for an SQL OFFSET


def safe_next(target: str | None) -> str | None:
    """Return *target* if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


class IdConverter(BaseConverter):
    """``<id:name>``: a database id in ASCII digits, 1 ≤ n ≤ 2^31−1 (see ``core.numbers``); else a 404.

    Werkzeug's ``int`` converter lets through numbers the database cannot hold, so every route
    uses this one (registered as ``id`` by ``create_app``).
    """

    regex = r"[0-9]{1,10}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def refuse_nul_bytes() -> None:
    """Answer 400 to a request with a NUL character in its path, query, form fields or file names.

    No page of ours can send one, and PostgreSQL can neither store nor compare it in text: left
    through, it would be a server error wherever the value reaches a query.
    """
    sent = [request.path, *_strings(request.args), *_strings(request.form)]
    sent += [upload.filename or "" for upload in request.files.values()]
    if any("\x00" in value for value in sent):
        raise BadRequest()


def _strings(values) -> list[str]:
    return [text for pair in values.items(multi=True) for text in pair]


class BadQuery(BadRequest):
    """A query parameter that is not what the page expects; the 400 page names it."""

    def __init__(self, name: str):
        super().__init__(_("The value of “%(name)s” in the address is not valid.", name=name))


def query_int(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = PAGE_MAX) -> int | None:
    """The whole number in ``?name=`` (*default* when absent or empty); a bad one is a 400."""
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return default
    number = parse_whole(raw, minimum=minimum, maximum=maximum)
    if number is None:
        raise BadQuery(name)
    return number


def query_id(name: str) -> int | None:
    """The database id in ``?name=`` (None when absent or empty); a bad one is a 400."""
    return query_int(name, minimum=1, maximum=INTEGER_MAX)


def query_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    """The finite decimal in ``?name=`` (*default* when absent or empty); NaN, inf or out of range is a 400."""
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return default
    number = parse_decimal(raw, minimum=minimum, maximum=maximum)
    if number is None:
        raise BadQuery(name)
    return number
