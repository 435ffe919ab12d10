"""What the schedule's views share: slot labels for select boxes."""

from __future__ import annotations

from flask_babel import format_time


def slot_choices(ms) -> list[tuple[int, str]]:
    """(slot id, "09:00–09:25") in the viewer's zone, for select boxes (the page names the zone)."""
    return [(s.id, f"{format_time(s.starts_at, 'short')}–{format_time(s.ends_at, 'short')}") for s in ms.slots]
