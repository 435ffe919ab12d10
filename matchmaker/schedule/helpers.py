"""What the schedule's views share: slot labels for select boxes."""

from __future__ import annotations

from matchmaker.timefmt import clock


def slot_choices(ms) -> list[tuple[int, str]]:
    """(slot id, "09:00–09:25") in the viewer's zone, for select boxes (the page names the zone)."""
    return [(s.id, f"{clock(s.starts_at)}–{clock(s.ends_at)}") for s in ms.slots]
