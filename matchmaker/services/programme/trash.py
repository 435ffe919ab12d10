"""Deleting a seminar so that it can be undone for a while.

The seminar, its categories, panel, bookmarks and reservations are kept as a snapshot in an
:class:`~matchmaker.models.UndoAction`; undoing puts them back with their ids (the uid too, with a
higher SEQUENCE so calendars that saw the cancellation take the seminar back), removes the
'cancelled' notices and tells the followers that the seminar is back.
"""

from __future__ import annotations

from flask_babel import force_locale, gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from matchmaker.i18n import LANGUAGES
from matchmaker.models import (
    Bookmark, Category, Reservation, Room, Seminar, SeminarNotice, SeminarSpeaker, Speaker, UndoAction, User,
    seminar_categories,
)
from matchmaker.services import outbox, undo
from matchmaker.services.programme import attendance
from matchmaker.services.programme import seminars as programme_svc
from matchmaker.services.programme.common import pick_text, seminar_title
from matchmaker.services.schedule import cancellations
from matchmaker.services.validation import ValidationError

KIND = "seminar_delete"
# table, the column naming the seminar, and (column, model) pairs whose rows must still exist
_PARTS = (
    (seminar_categories, seminar_categories.c.seminar_id, ("category_id", Category)),
    (SeminarSpeaker.__table__, SeminarSpeaker.seminar_id, ("speaker_id", Speaker)),
    (Bookmark.__table__, Bookmark.seminar_id, ("user_id", User)),
    (Reservation.__table__, Reservation.seminar_id, ("user_id", User)),
)


def delete_seminar(session: Session, actor: User, seminar: Seminar) -> tuple[UndoAction, list[User]]:
    """Delete *seminar* (followers of a published one get a 'cancelled' notice); return the undo and them."""
    programme_svc.require_organiser(actor)
    payload = {"seminar": undo.snapshot_rows(session, Seminar.__table__, Seminar.id == seminar.id)[0],
               "parts": {table.name: undo.snapshot_rows(session, table, column == seminar.id) for table, column, _ in _PARTS}}
    last_notice = session.scalar(select(func.max(SeminarNotice.id))) or 0
    title = seminar_title(seminar)
    notified = programme_svc.delete_seminar(session, actor, seminar)
    payload["notices"] = list(session.scalars(select(SeminarNotice.id).where(SeminarNotice.id > last_notice,
                                                                            SeminarNotice.kind == "cancelled")))
    action = undo.record(session, actor, KIND, _("Deleted “%(title)s”", title=title), payload)
    return action, notified


@undo.handler(KIND)
def _restore(session: Session, actor: User, payload: dict) -> None:
    row = dict(payload["seminar"])
    _check_restorable(session, row)
    row["sequence"] = int(row.get("sequence") or 0) + 2  # past the cancellation calendars may have seen
    undo.restore_rows(session, Seminar.__table__, [row])
    for table, _column, (key, model) in _PARTS:
        rows = payload["parts"].get(table.name, [])
        alive = set(session.scalars(select(model.id).where(model.id.in_([r[key] for r in rows])))) if rows else set()
        undo.restore_rows(session, table, [r for r in rows if r[key] in alive])
    session.execute(delete(SeminarNotice).where(SeminarNotice.id.in_(payload.get("notices") or [])))
    seminar = session.get(Seminar, row["id"])
    cancellations.forget(session, [seminar.uid])  # calendars see it again, not as cancelled
    if seminar.published_at:
        _tell_followers_it_is_back(session, seminar)


def _check_restorable(session: Session, row: dict) -> None:
    if session.get(Room, row["room_id"]) is None:
        raise ValidationError("undo", _("The seminar cannot come back: its room has been deleted."))
    if row.get("code") and session.scalar(select(Seminar.id).where(Seminar.code == row["code"])):
        raise ValidationError("undo", _("The seminar cannot come back: another seminar now has the code %(code)s.",
                                        code=row["code"]))


def _tell_followers_it_is_back(session: Session, seminar: Seminar) -> None:
    for user in attendance.followers(session, seminar):
        lang = user.locale if user.locale in LANGUAGES else "en"
        with force_locale(lang):
            title = pick_text(seminar.texts("title"), lang).text
            outbox.queue(session, user.email, _("Programme change: %(title)s", title=title),
                         _("“%(title)s” is back on the programme: it was deleted by mistake. "
                           "Your bookmark and your seat are kept.", title=title))
