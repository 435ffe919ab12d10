"""The one way a date or a time is written, in each language.

    ja  2026年12月9日（水）13:30（ベトナム時間）
    vi  13:30 giờ Việt Nam, thứ Tư 9/12/2026
    en  Wed 9 Dec 2026, 13:30 ICT

No seconds, the year always written out, the month never a bare number that could be a day
(English spells it; Japanese and Vietnamese write day and month in their only order). A time
carries its zone beside it unless the page names the zone in a heading (``clock``).
Every template filter, mail and service message formats through here.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_date, format_time as babel_time
from babel.lists import format_list
from flask_babel import force_locale, get_locale, get_timezone, gettext as _, lazy_gettext as _l

CLOCK = "HH:mm"
DATE_PATTERNS = {"ja": "y年M月d日（E）", "en": "EEE d MMM y"}
VI_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
# the short name written beside a time; zone_label() gives the long one for headings
ZONE_SHORT = {"Asia/Ho_Chi_Minh": _l("ICT"), "Asia/Tokyo": _l("JST")}
TIMEZONES = {
    "Asia/Ho_Chi_Minh": _l("Vietnam time"),
    "Asia/Tokyo": _l("Japan time"),
}


def _lang(lang: str | None) -> str:
    code = lang or str(get_locale() or "en")
    return code if code in ("ja", "vi") else "en"


def _local(value: datetime, tz: str | None) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(ZoneInfo(tz) if tz else get_timezone())


def _zone_name(tz: str | None, lang: str) -> str:
    """The zone's short name in *lang* (a mail's recipient may read another language than the page)."""
    name = tz or str(get_timezone())
    if name not in ZONE_SHORT:
        return name
    if lang == _lang(None):
        return str(ZONE_SHORT[name])
    with force_locale(lang):
        return str(ZONE_SHORT[name])


def day(value: date | datetime | None, lang: str | None = None, tz: str | None = None) -> str:
    """'2026年12月9日（水）', 'thứ Tư 9/12/2026', 'Wed 9 Dec 2026' (a datetime: its day in the zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value, tz).date()
    code = _lang(lang)
    if code == "vi":
        return f"{VI_WEEKDAYS[value.weekday()]} {value.day}/{value.month}/{value.year}"
    return babel_date(value, DATE_PATTERNS[code], locale=code)


def clock(value: datetime | None, tz: str | None = None) -> str:
    """'13:30' in the viewer's zone, for pages whose heading names the zone."""
    if value is None:
        return ""
    return babel_time(_local(value, tz), CLOCK, locale="en")


def _join(code: str, the_day: str, times: str, zone: str) -> str:
    if code == "ja":
        return f"{the_day}{times}（{zone}）"
    if code == "vi":
        return f"{times} {zone}, {the_day}"
    return f"{the_day}, {times} {zone}"


def moment(value: datetime | None, lang: str | None = None, tz: str | None = None) -> str:
    """A point in time with its day and its zone, in the one format of *lang*."""
    if value is None:
        return ""
    code = _lang(lang)
    return _join(code, day(value, code, tz), clock(value, tz), _zone_name(tz, code))


def span(start: datetime, end: datetime, lang: str | None = None, tz: str | None = None) -> str:
    """'Wed 9 Dec 2026, 09:00–10:30 ICT': one day, two clock times, the zone once."""
    code = _lang(lang)
    times = f"{clock(start, tz)}–{clock(end, tz)}"
    return _join(code, day(start, code, tz), times, _zone_name(tz, code))


def zone_label(tz: str | None = None) -> str:
    """The zone's long name with its offset, for headings: 'Vietnam time (UTC+7)', 'ベトナム時間（UTC+7）'."""
    name = tz or str(get_timezone())
    offset = datetime.now(ZoneInfo(name)).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0
    return _("%(zone)s (UTC%(offset)s)", zone=str(TIMEZONES.get(name, name)), offset=f"{hours:+d}")


def listing(items: list[str], lang: str | None = None) -> str:
    """Items joined as the language joins a list ('A、B', 'A, B and C', 'A, B và C')."""
    return format_list(items, locale=_lang(lang)) if items else ""
