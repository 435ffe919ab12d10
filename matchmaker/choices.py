"""Choice lists for forms, labelled in the viewer's language."""

from __future__ import annotations

import functools

import icu
from flask_babel import get_locale, lazy_gettext as _l

from matchmaker.services.validation import COUNTRY_CODES

# Japan and Vietnam, the two countries of the event, lead every country list.
FIRST_COUNTRIES = ("JP", "VN")


@functools.lru_cache(maxsize=8)
def _collator(lang: str) -> icu.Collator:
    """ICU's collator for *lang*: Vietnamese puts Đ after D and keeps Á, Ú among A, U; Japanese
    follows its own kana order. Code-point order would put every accented name at the end."""
    return icu.Collator.createInstance(icu.Locale(lang))


def collation_key(lang: str):
    """A sort key function ordering strings as readers of *lang* expect."""
    return _collator(lang).getSortKey

def country_name(code: str) -> str:
    """The country's name in the viewer's language (the code itself if unknown)."""
    return get_locale().territories.get(code, code)


def language_name(code: str) -> str:
    """A language's name in the viewer's language, from CLDR (e.g. 'ベトナム語')."""
    return get_locale().languages.get(code, code)


def meeting_language_choices() -> list[tuple[str, str]]:
    """The languages a company can tick for its meetings, named in the viewer's language."""
    from matchmaker.services.validation import MEETING_LANGUAGES

    return [(code, language_name(code)) for code in MEETING_LANGUAGES]


def country_choices(blank: str | None = None) -> list[tuple[str, str]]:
    """Japan and Viet Nam first, then every other country by its name in the viewer's collation."""
    locale = get_locale()
    names, key = locale.territories, collation_key(locale.language)
    rest = sorted((c for c in COUNTRY_CODES if c not in FIRST_COUNTRIES), key=lambda c: key(names.get(c, c)))
    choices = [(c, names.get(c, c)) for c in (*FIRST_COUNTRIES, *rest)]
    return ([("", blank)] if blank is not None else []) + choices


LANGUAGE_LABELS = {"ja": _l("Japanese"), "vi": _l("Vietnamese"), "en": _l("English")}
KIND_LABELS = {"offer": _l("Offer"), "need": _l("Need")}
# the states of background work: schedule generation runs and import jobs
JOB_STATUS_LABELS = {
    "queued": _l("Waiting to start"),
    "running": _l("Running"),
    "done": _l("Finished"),
    "failed": _l("Failed"),
}
TYPE_LABELS = {
    "technology": _l("Technology"),
    "business": _l("Business"),
    "finance": _l("Finance"),
    "partnership": _l("Partnership"),
}
SIZE_LABELS = {
    "startup": _l("Start-up"),
    "sme": _l("Small or medium enterprise"),
    "large": _l("Large enterprise"),
    "public": _l("Public body"),
    "ngo": _l("Non-profit organisation"),
}
STATUS_LABELS = {"pending": _l("Awaiting approval"), "approved": _l("Approved"), "rejected": _l("Rejected")}


def init_app(app) -> None:
    """Make the labels and the country-name lookup available to every template."""
    app.jinja_env.globals.update(
        country_name=country_name,
        language_name=language_name,
        LANGUAGE_LABELS=LANGUAGE_LABELS,
        KIND_LABELS=KIND_LABELS,
        TYPE_LABELS=TYPE_LABELS,
        SIZE_LABELS=SIZE_LABELS,
        STATUS_LABELS=STATUS_LABELS,
    )
