"""Pair feedback: what companies did with suggested partners, kept to learn from.

Declining a meeting request, hiding a suggestion and accepting a request each leave a row
(``PairFeedback``), also when the hide is taken back. A declined pair is never suggested again
(``declined_pairs`` joins ``meetings.closed_pairs``).
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from matchmaker.models import FEEDBACK_SIGNALS, PairFeedback, pair_key


def record(session: Session, company_id: int, partner_id: int, signal: str) -> PairFeedback:
    """Keep that *company_id* gave *signal* (declined, hidden, accepted) about *partner_id*."""
    if signal not in FEEDBACK_SIGNALS:
        raise ValueError(f"unknown feedback signal {signal!r}")
    row = PairFeedback(company_id=company_id, partner_id=partner_id, signal=signal)
    session.add(row)
    return row


def declined_select(company_id: int | None = None, *columns) -> Select:
    """``SELECT *columns, company_id, partner_id`` of the declined pairs (of *company_id* only when
    given); *columns* lead, so a caller can label the rows inside a larger query."""
    stmt = select(*columns, PairFeedback.company_id, PairFeedback.partner_id).where(PairFeedback.signal == "declined")
    if company_id is not None:
        stmt = stmt.where(or_(PairFeedback.company_id == company_id, PairFeedback.partner_id == company_id))
    return stmt


def declined_pairs(session: Session, company_id: int | None = None) -> set[tuple[int, int]]:
    """Unordered pairs of which one side declined the other (of *company_id* only when given)."""
    return {pair_key(a, b) for a, b in session.execute(declined_select(company_id))}


def labelled_pairs(session: Session) -> dict[tuple[int, int], bool]:
    """Every pair with feedback, True when accepted, False when declined or hidden (the latest
    answer wins): the examples re-weighting learns from."""
    rows = session.execute(select(PairFeedback.company_id, PairFeedback.partner_id, PairFeedback.signal)
                           .order_by(PairFeedback.created_at, PairFeedback.id))
    return {pair_key(a, b): signal == "accepted" for a, b, signal in rows}
