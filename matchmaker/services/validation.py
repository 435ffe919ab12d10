"""One set of validators shared by forms, services and imports.

Each check returns the cleaned value or raises ``ValidationError`` naming the field and saying,
in the user's language, what is wrong.
"""

from __future__ import annotations

import functools
from importlib import resources
from urllib.parse import urlparse

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from matchmaker.core.text import clean_text
from matchmaker.i18n import LANGUAGES

# CLDR names a few two-letter codes that are not ISO 3166-1 countries: unions (EU, UN), reserved
# codes (Ascension, Canary Islands…), pseudo-locales (XA, XB), and groupings (QO "Outlying Oceania").
NOT_COUNTRIES = frozenset("AC CP CQ DG EA EU EZ IC QO TA UN XA XB XK ZZ".split())
COUNTRY_CODES = frozenset(
    code for code in Locale("en").territories if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
)


class ValidationError(ValueError):
    """Bad input: *field* is the form field (or import column) and *message* says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    @property
    def errors(self) -> list[ValidationError]:
        """Each problem on its own (one here; several in ``ValidationErrors``)."""
        return [self]


class ValidationErrors(ValidationError):
    """Several problems found in one submission, raised together so the form shows them all."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__(errors[0].field, " ".join(e.message for e in errors))
        self._errors = errors

    @property
    def errors(self) -> list[ValidationError]:
        return list(self._errors)


class Checks:
    """Run several checks and report every failure at once, not the first one only.

    ``value = checks(text, "name", raw, max_length=80)`` returns the clean value (None when the
    check failed); ``checks.done()`` raises all the failures together.
    """

    def __init__(self) -> None:
        self.failures: list[ValidationError] = []

    def __call__(self, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ValidationError as error:
            self.failures.extend(error.errors)
            return None

    def done(self) -> None:
        """Raise the failures collected so far (the single one as is, several together)."""
        if len(self.failures) == 1:
            raise self.failures[0]
        if self.failures:
            raise ValidationErrors(self.failures)


def text(field: str, value: str | None, *, max_length: int, required: bool = True) -> str:
    """NFC-clean *value*; reject it when required and empty, or longer than *max_length*."""
    cleaned = clean_text(value)
    if required and not cleaned:
        raise ValidationError(field, _("This field is required."))
    if len(cleaned) > max_length:
        raise ValidationError(
            field, _("Use at most %(max)d characters (you gave %(count)d).", max=max_length, count=len(cleaned))
        )
    return cleaned


def email(field: str, value: str | None) -> str:
    """Return the normalised (lower-case) address or reject a malformed one."""
    cleaned = clean_text(value)
    if not cleaned:
        raise ValidationError(field, _("This field is required."))
    try:
        result = validate_email(cleaned, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(field, _("This is not a valid email address.")) from None
    return result.normalized.lower()


def country(field: str, value: str | None) -> str:
    """Return an upper-case ISO 3166 alpha-2 code or reject an unknown one."""
    code = clean_text(value).upper()
    if not code:
        raise ValidationError(field, _("Choose a country."))
    if code not in COUNTRY_CODES:
        raise ValidationError(field, _("Unknown country code “%(code)s”: use two letters such as JP or VN.", code=code))
    return code


def language(field: str, value: str | None) -> str:
    """Return one of the site's languages (ja, vi, en) or reject the value."""
    code = clean_text(value).lower()
    if code not in LANGUAGES:
        raise ValidationError(field, _("Unknown language “%(code)s”: use ja, vi or en.", code=code))
    return code


MEETING_LANGUAGES = ("ja", "vi", "en", "ko", "zh", "th", "fr", "de")


def meeting_language(field: str, value: str | None) -> str:
    """Return a language a meeting can be held in (ISO 639-1: ja, vi, en, ko, zh, th, fr, de)."""
    code = clean_text(value).lower()
    if code not in MEETING_LANGUAGES:
        raise ValidationError(field, _("Unknown language “%(code)s”: use ja, vi or en.", code=code))
    return code


def choice(field: str, value: str | None, allowed: tuple[str, ...], *, required: bool = True) -> str | None:
    """Return *value* if it is one of *allowed* (or None when optional and empty)."""
    cleaned = clean_text(value).lower()
    if not cleaned and not required:
        return None
    if cleaned not in allowed:
        raise ValidationError(
            field, _("“%(value)s” is not allowed here; choose one of: %(allowed)s.", value=cleaned, allowed=", ".join(allowed))
        )
    return cleaned


def website(field: str, value: str | None) -> str:
    """Return an http(s) URL (``https://`` added when missing) or '' for no website."""
    cleaned = text(field, value, max_length=300, required=False)
    if not cleaned:
        return ""
    if "://" not in cleaned:
        cleaned = "https://" + cleaned
    parsed = urlparse(cleaned)
    if parsed.scheme not in ("http", "https") or "." not in parsed.netloc:
        raise ValidationError(field, _("This is not a valid web address."))
    return cleaned


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords too common to accept (lower-case)."""
    text = resources.files("matchmaker.data").joinpath("common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password(field: str, value: str | None) -> str:
    """Accept 8 to 128 characters that are not a well-known password (no composition rules, as NIST advises)."""
    value = value or ""
    if len(value) < 8:
        raise ValidationError(field, _("Use at least 8 characters."))
    if len(value) > 128:
        raise ValidationError(field, _("Use at most 128 characters."))
    if value.strip().lower() in common_passwords():
        raise ValidationError(field, _("This password is too common and easy to guess. Choose another one."))
    return value
