"""Video links of online meetings, from the session's template or pool.

``template``: the organisers' https URL with ``{room}``; each meeting gets its own room name,
``secrets.token_urlsafe(16)`` (128 random bits), so nobody can guess another meeting's room.
``pool``: links the organisers pasted, one a line; each link hosts one meeting per slot, so a
slot with more online meetings than links leaves the rest without one. Without a source, or
with a pool too short, a meeting keeps ``video_url=""`` and the session page lists it.

A meeting generated again keeps the link it had (same pair, still online) while that link is
still valid: produced by the current template, or in the current pool and free in its slot.
"""

from __future__ import annotations

import re
import secrets
from typing import Iterable, MutableMapping

from matchmaker.models import MatchSession

ROOM = "{room}"


def room_name() -> str:
    """A fresh unguessable room name (URL-safe)."""
    return secrets.token_urlsafe(16)


def pool_links(ms: MatchSession) -> list[str]:
    """The session's pool: its non-empty lines, each once, in the order pasted."""
    seen: dict[str, None] = {}
    for line in (ms.video_pool or "").splitlines():
        if line.strip():
            seen.setdefault(line.strip(), None)
    return list(seen)


def source_of(ms: MatchSession) -> str:
    """``"template"`` or ``"pool"`` when that source is usable, else ``""``."""
    if ms.video_source == "template" and ROOM in (ms.video_template or ""):
        return "template"
    if ms.video_source == "pool" and pool_links(ms):
        return "pool"
    return ""


def from_template(template: str, url: str) -> bool:
    """Whether *url* is *template* with a room name in place of ``{room}``."""
    head, _sep, tail = template.partition(ROOM)
    return re.fullmatch(re.escape(head) + r"[A-Za-z0-9_-]{16,}" + re.escape(tail), url or "") is not None


def assign_links(ms: MatchSession, rows: Iterable[MutableMapping], keep: dict[tuple[int, int], str] | None = None,
                 taken: dict[int, set[str]] | None = None) -> list[MutableMapping]:
    """Set ``video_url`` on the online rows (dicts or meetings with slot_id, company_low/high, online).

    *keep* maps a pair to the link it had; *taken* maps a slot id to pool links already used
    there by meetings not in *rows*. Returns the online rows left without a link.
    """
    source, keep, used = source_of(ms), keep or {}, {slot: set(links) for slot, links in (taken or {}).items()}
    online = [row for row in rows if _get(row, "online")]
    pool = pool_links(ms)
    waiting = []
    for row in online:
        old = keep.get((_get(row, "company_low"), _get(row, "company_high")), "")
        slot_used = used.setdefault(_get(row, "slot_id"), set())
        if source == "template" and from_template(ms.video_template, old):
            _set(row, old)
        elif source == "pool" and old in pool and old not in slot_used:
            _set(row, old)
            slot_used.add(old)
        else:
            waiting.append(row)
    missing = []
    for row in waiting:
        slot_used = used[_get(row, "slot_id")]
        if source == "template":
            _set(row, ms.video_template.replace(ROOM, room_name()))
            continue
        free = next((link for link in pool if link not in slot_used), None)
        if free is None:
            _set(row, "")
            missing.append(row)
        else:
            _set(row, free)
            slot_used.add(free)
    return missing


def _get(row, key: str):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def _set(row, url: str) -> None:
    if isinstance(row, dict):
        row["video_url"] = url
    else:
        row.video_url = url
