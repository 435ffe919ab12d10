"""What the programme's modules share: texts picked for a reader, the event's days.

They live below ``seminars``, ``conflicts``, ``attendance`` and ``public`` so that each of those
can import them without importing another (no circle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.models import PROGRAMME_LANGUAGES, ProgrammeDay, Seminar

# Which language to show when the reader's is missing: English is the shared second language;
# after it, Vietnamese (Latin script, the host country) for English readers.
FALLBACK_CHAINS = {"ja": ("ja", "en", "vi"), "vi": ("vi", "en", "ja"), "en": ("en", "vi", "ja")}


@dataclass(frozen=True)
class Localized:
    """A text picked for a reader: *lang* is the language it is written in (None when empty)."""

    text: str
    lang: str | None
    fallback: bool


def pick_text(texts: dict[str, str], reader: str) -> Localized:
    """The best of *texts* for a reader of *reader*; ``fallback`` says it is in another language."""
    chain = FALLBACK_CHAINS.get(reader, FALLBACK_CHAINS["en"])
    for lang in chain:
        if texts.get(lang):
            return Localized(texts[lang], lang, lang != reader)
    return Localized("", None, False)


def reader_language() -> str:
    """The language of the current page (the locale Flask-Babel selected)."""
    locale = get_locale()
    return locale.language if locale and locale.language in PROGRAMME_LANGUAGES else "en"


def seminar_title(seminar: Seminar, reader: str | None = None) -> str:
    """The seminar's title in the best language for *reader* (default: the page language)."""
    return pick_text(seminar.texts("title"), reader or reader_language()).text


def event_days(session: Session) -> list[date]:
    """The event's days in order (empty when the organisers have not set them)."""
    return list(session.scalars(select(ProgrammeDay.day).order_by(ProgrammeDay.day)))


def local_day(moment: datetime, tz: str) -> date:
    """The calendar date of *moment* in zone *tz*."""
    return moment.astimezone(ZoneInfo(tz)).date()
