"""Where the video links of a session's online meetings come from: nothing, a template, a pool.

A template is an https URL with ``{room}``, which the generator fills with an unguessable room
name per meeting; a pool is a list of https links the organisers paste, one a line, each hosting
one meeting per slot (so the pool's size caps the online meetings of a slot). Every value is
checked before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from matchmaker.core.text import clean_text
from matchmaker.models import MatchSession, User
from matchmaker.services.schedule.common import load_session, require_organiser
from matchmaker.services.validation import ValidationError

VIDEO_SOURCES = ("", "template", "pool")
MAX_LINK = 300  # the meeting's video_url column
MAX_POOL = 2000


@dataclass
class VideoCapacity:
    """What the settings allow: ``per_slot`` online meetings per slot, None = no limit (template)."""

    source: str
    links: int
    per_slot: int | None


def is_https(url: str) -> bool:
    """Whether *url* is an absolute https link with a host and no spaces."""
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and not any(c.isspace() for c in url)


def _template(raw: str) -> str:
    url = clean_text(raw)
    if not url:
        raise ValidationError("template", _("Enter the link template, such as https://meet.example.org/{room}."))
    if len(url) > MAX_LINK or not is_https(url.replace("{room}", "room")):
        raise ValidationError("template", _("The template must be an https link of at most %(max)d characters.", max=MAX_LINK))
    if "{room}" not in url:
        raise ValidationError("template", _("The template must contain {room}, where each meeting's room name goes."))
    return url


def pool_links(raw: str) -> list[str]:
    """The pool's links in order, blank lines skipped (unchecked: for counting what is stored)."""
    return [line.strip() for line in (raw or "").splitlines() if line.strip()]


def _pool(raw: str) -> list[str]:
    links = pool_links(clean_text(raw) if raw else "")
    if not links:
        raise ValidationError("pool", _("Paste at least one video link, one per line."))
    if len(links) > MAX_POOL:
        raise ValidationError("pool", _("At most %(max)d links in the pool.", max=MAX_POOL))
    seen = set()
    for number, link in enumerate(links, start=1):
        if len(link) > MAX_LINK or not is_https(link):
            raise ValidationError("pool", _("Line %(line)d is not an https link of at most %(max)d characters.", line=number, max=MAX_LINK))
        if link in seen:
            raise ValidationError("pool", _("Line %(line)d repeats a link: each link hosts one meeting at a time.", line=number))
        seen.add(link)
    return links


def save_video_settings(session: Session, actor: User, ms_id: int, source: str, template: str, pool: str) -> MatchSession:
    """Set the session's video source and check and store its template or pool (the other one is
    kept as it was, so switching back finds it)."""
    require_organiser(actor)
    ms = load_session(session, ms_id)
    if source not in VIDEO_SOURCES:
        raise ValidationError("source", _("Choose where the video links come from."))
    if source == "template":
        ms.video_template = _template(template)
    elif source == "pool":
        ms.video_pool = "\n".join(_pool(pool))
    ms.video_source = source
    session.flush()
    return ms


def video_capacity(ms: MatchSession) -> VideoCapacity:
    """How many online meetings a slot of *ms* can have, given its video settings."""
    links = len(pool_links(ms.video_pool))
    if ms.video_source == "template":
        return VideoCapacity("template", 0, None)
    if ms.video_source == "pool":
        return VideoCapacity("pool", links, links)
    return VideoCapacity("", links, 0)
