"""Nudges to authors: matching companies that cannot read an offer or need in any language it is
written in, counted per language that would reach them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from matchmaker.i18n import LANGUAGES
from matchmaker.models import Company, Opportunity
from matchmaker.services import matching

MATCHING_SCORE = 0.5  # a suggested partner at least this high on the bar "matches you"
MATCHING_TOP = 50


@dataclass(frozen=True)
class Nudge:
    """*count* matching companies read *language* and none of the languages the text is written in."""

    language: str
    count: int


def written_in(opportunity: Opportunity) -> set[str]:
    """The languages *opportunity* is written in: its original and each version."""
    return {opportunity.language, *(v.language for v in opportunity.versions)}


def nudges(opportunities: Iterable[Opportunity], partners: Iterable[Company]) -> dict[int, list[Nudge]]:
    """For each offer/need, the languages a version in which would reach matching *partners*
    that read none of its languages now, most partners first; offers/needs read by all are left out."""
    partners = list(partners)
    found: dict[int, list[Nudge]] = {}
    for opportunity in opportunities:
        languages = written_in(opportunity)
        unread = [set(p.language_list) for p in partners if p.language_list and not languages & set(p.language_list)]
        counts = [Nudge(lang, sum(lang in reads for reads in unread)) for lang in LANGUAGES if lang not in languages]
        counts = sorted((n for n in counts if n.count), key=lambda n: -n.count)
        if counts:
            found[opportunity.id] = counts
    return found


def matching_partners(session: Session, company: Company, config) -> list[Company]:
    """The companies suggested to *company* at or above ``MATCHING_SCORE``."""
    result = matching.suggestions_for(session, company, config, matching.SuggestionFilters(), top_k=MATCHING_TOP)
    return [row.partner for row in result.rows if row.score >= MATCHING_SCORE]


def nudges_for(session: Session, company: Company, config) -> dict[int, list[Nudge]]:
    """``nudges`` of *company*'s offers and needs towards the partners that match it."""
    if not company.opportunities:
        return {}
    return nudges(company.opportunities, matching_partners(session, company, config))
