"""Meeting requests: rules, expiry, caps, and the atomic answer."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MeetingRequest, PairRule, User, utcnow
from matchmaker.services import meetings
from matchmaker.services.meetings import RequestError


def user_of(company_id):
    return db.session.scalar(select(User).where(User.company_id == company_id))


@pytest.fixture
def pair(make_company):
    return make_company(name="Kitakyushu Eco", country="JP"), make_company(name="Hai Phong Green", country="VN")


def send(a, b, **kw):
    return meetings.request_meeting(db.session, user_of(a), b, kw.pop("message", "Let us talk"),
                                    cap=kw.pop("cap", 5), expiry_hours=kw.pop("hours", 24), **kw)


def test_request_then_accept(ctx, pair):
    a, b = pair
    request = send(a, b)
    assert (request.status, request.pair_low, request.pair_high) == ("pending", min(a, b), max(a, b))
    answered = meetings.respond(db.session, user_of(b), request.id, accept=True)
    assert answered.status == "accepted" and answered.responded_at is not None
    assert meetings.accepted_pairs(db.session) == [(min(a, b), max(a, b))]


@pytest.mark.parametrize("direction", ["same", "reverse"])
def test_second_open_request_for_the_pair_is_refused(ctx, pair, direction):
    a, b = pair
    send(a, b)
    with pytest.raises(RequestError, match="already an open meeting request"):
        send(a, b) if direction == "same" else send(b, a)


def test_request_to_self_and_unknown_and_pending(ctx, pair, make_company):
    a, b = pair
    with pytest.raises(RequestError, match="own company"):
        send(a, a)
    with pytest.raises(RequestError, match="not taking part"):
        send(a, 99999)
    pending = make_company(name="Not yet approved", status="pending")
    with pytest.raises(RequestError, match="must be approved"):
        send(pending, b)
    with pytest.raises(RequestError, match="not taking part"):
        send(a, pending)
    assert db.session.scalar(select(MeetingRequest)) is None


def test_cap_counts_only_open_unexpired_requests(ctx, make_company):
    me = make_company(name="Busy")
    others = [make_company(name=f"Partner {i}") for i in range(4)]
    send(me, others[0], cap=2)
    send(me, others[1], cap=2)
    with pytest.raises(RequestError, match="2 unanswered requests"):
        send(me, others[2], cap=2)
    meetings.respond(db.session, user_of(others[0]), db.session.scalar(select(MeetingRequest.id)), accept=False)
    assert send(me, others[2], cap=2).status == "pending"  # a declined one no longer counts


def test_expired_request_cannot_be_accepted_and_frees_the_pair(ctx, pair):
    a, b = pair
    request = send(a, b, hours=1)
    later = utcnow() + timedelta(hours=2)
    with pytest.raises(RequestError, match="expired"):
        meetings.respond(db.session, user_of(b), request.id, accept=True, now=later)
    again = send(a, b, now=later)  # the expired request stops blocking the pair
    assert again.status == "pending"
    db.session.refresh(request)
    assert request.status == "expired"


def test_cancelled_request_cannot_be_accepted(ctx, pair):
    a, b = pair
    request = send(a, b)
    meetings.cancel(db.session, user_of(a), request.id)
    with pytest.raises(RequestError, match="cancelled"):
        meetings.respond(db.session, user_of(b), request.id, accept=True)


def test_requester_cannot_answer_own_request(ctx, pair):
    a, b = pair
    request = send(a, b)
    with pytest.raises(RequestError, match="already been answered"):
        meetings.respond(db.session, user_of(a), request.id, accept=True)
    assert db.session.get(MeetingRequest, request.id).status == "pending"


def test_outsider_gets_lookup_error(ctx, pair, make_company):
    a, b = pair
    request = send(a, b)
    outsider = make_company(name="Outsider")
    with pytest.raises(LookupError):
        meetings.respond(db.session, user_of(outsider), request.id, accept=True)


def test_forbidden_pair_cannot_request(ctx, pair):
    a, b = pair
    db.session.add(PairRule(company_low=min(a, b), company_high=max(a, b), rule="forbid"))
    db.session.flush()
    with pytest.raises(RequestError, match="do not arrange"):
        send(a, b)


def test_database_refuses_two_open_requests_for_a_pair(ctx, pair):
    from sqlalchemy.exc import IntegrityError

    a, b = pair
    send(a, b)
    db.session.add(MeetingRequest(requester_id=b, recipient_id=a, pair_low=min(a, b), pair_high=max(a, b),
                                  expires_at=utcnow() + timedelta(hours=1)))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_two_answers_at_once_give_one_result(app, pair):
    a, b = pair
    with app.app_context():
        request_id = send(a, b).id
        db.session.commit()
    barrier = threading.Barrier(2)
    outcomes = []

    def answer(accept):
        with app.app_context():
            barrier.wait()
            try:
                meetings.respond(db.session, user_of(b), request_id, accept=accept)
                db.session.commit()
                outcomes.append("accepted" if accept else "declined")
            except RequestError:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=answer, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes)[-1] == "refused" and len(outcomes) == 2
    with app.app_context():
        final = db.session.get(MeetingRequest, request_id).status
    assert final in ("accepted", "declined") and final in outcomes
