"""Import every event-day view module, so that their routes exist, and hand the blueprints over."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """The event-day blueprints with all their routes."""
    from matchmaker.eventday import attendance_views, badge_views, desk_views, rematch_views, staff_views  # noqa: F401
    from matchmaker.eventday.blueprint import badge_link_bp, bp, staff_admin_bp

    return (bp, badge_link_bp, staff_admin_bp)
