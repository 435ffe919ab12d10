"""The event-day blueprints: pages under ``/<lang>/event`` and the badge link ``/b/<token>``."""

from flask import Blueprint

bp = Blueprint("eventday", __name__, url_prefix="/<lang_code>/event")
# the link inside a badge's QR code: short (a smaller code), with no language in it
badge_link_bp = Blueprint("badge_link", __name__)
# organisers create and remove event-day staff accounts (in the admin area, organisers only)
staff_admin_bp = Blueprint("staff_admin", __name__, url_prefix="/<lang_code>/admin/staff")
