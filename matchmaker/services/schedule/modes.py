"""How each company attends a session: on site (at a table) or online (a video link, no table).

The company chooses on its availability page; the organisers can set it on the session's
company list. A change after publication is saved but moves no meeting: it takes effect when
the organisers generate and publish the schedule again.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from matchmaker.models import SessionCompany, User
from matchmaker.services.schedule.common import load_session, require_organiser
from matchmaker.services.validation import ValidationError

COMPANY_MODES = ("onsite", "online")


def parse_company_mode(raw: str | None, field: str = "mode") -> str:
    """"onsite" or "online"; anything else is refused with a message naming the field."""
    mode = (raw or "").strip()
    if mode not in COMPANY_MODES:
        raise ValidationError(field, _("Choose whether the company attends on site or online."))
    return mode


def apply_mode(session: Session, ms_id: int, company_id: int, mode: str) -> bool:
    """Store a checked mode on the company's row of the session; True if it changed."""
    row = session.get(SessionCompany, (ms_id, company_id)) or SessionCompany(session_id=ms_id, company_id=company_id)
    changed = (row.mode or "onsite") != mode
    row.mode = mode
    session.add(row)
    return changed


def set_modes(session: Session, actor: User, ms_id: int, modes: dict[int, str]) -> list[int]:
    """Set several companies' modes in session *ms_id* (organisers); every value is checked first.

    Returns the ids of the companies whose mode changed.
    """
    require_organiser(actor)
    ms = load_session(session, ms_id)
    checked = {company_id: parse_company_mode(raw, f"mode-{company_id}") for company_id, raw in modes.items()}
    changed = [company_id for company_id, mode in checked.items() if apply_mode(session, ms.id, company_id, mode)]
    session.flush()
    return changed
