"""Pair feedback: declines, hides and accepts are kept; a declined pair never comes back."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import PairFeedback, User
from matchmaker.services import feedback, matching, meetings


def _user(company_id: int) -> User:
    return db.session.scalar(select(User).where(User.company_id == company_id))


def test_decline_hide_and_accept_are_kept(app, ctx, make_company):
    a, b, c = make_company("A Co", "JP"), make_company("B Co", "VN", languages="vi"), make_company("C Co", "VN", languages="vi")
    first = meetings.request_meeting(db.session, _user(b), a, "Hello", cap=15, expiry_hours=168)
    meetings.respond(db.session, _user(a), first.id, accept=False)
    second = meetings.request_meeting(db.session, _user(c), a, "Hello", cap=15, expiry_hours=168)
    meetings.respond(db.session, _user(a), second.id, accept=True)
    matching.set_hidden(db.session, _user(b), c, hidden=True)
    matching.set_hidden(db.session, _user(b), c, hidden=False)  # shown again: the feedback stays
    db.session.commit()
    rows = {(r.company_id, r.partner_id, r.signal) for r in db.session.scalars(select(PairFeedback))}
    assert rows == {(a, b, "declined"), (a, c, "accepted"), (b, c, "hidden")}
    assert feedback.declined_pairs(db.session) == {tuple(sorted((a, b)))}
    assert feedback.labelled_pairs(db.session) == {tuple(sorted((a, b))): False, tuple(sorted((a, c))): True,
                                                   tuple(sorted((b, c))): False}


def test_a_declined_pair_stays_closed_even_without_its_request(app, ctx, make_company):
    a, b = make_company("A Co", "JP"), make_company("B Co", "VN", languages="vi")
    feedback.record(db.session, a, b, "declined")
    db.session.commit()
    assert tuple(sorted((a, b))) in meetings.closed_pairs(db.session, b)
