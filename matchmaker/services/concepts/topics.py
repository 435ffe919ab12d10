"""Topics as readers see them: an offer/need's concepts labelled in the reader's language, the
gist of a text written in another language, the nudge to write a missing version, and the
directory's search and filter through the glossary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.core.concepts import Glossary, find_in, normalise, tokens
from matchmaker.core.text import fold_accents, search_key
from matchmaker.models import Company, Opportunity, OpportunityConcept


@dataclass(frozen=True)
class Topic:
    """A concept of an offer/need, named in the reader's language; ``source`` auto|added|removed."""

    key: str
    label: str
    source: str = "auto"


def topics_of(session: Session, glossary: Glossary, opportunity_ids: Iterable[int], lang: str,
              *, with_removed: bool = False) -> dict[int, list[Topic]]:
    """The topics of each offer/need (those the glossary in use knows), by name in *lang*;
    removed ones only when *with_removed*."""
    ids = list(dict.fromkeys(opportunity_ids))
    found: dict[int, list[Topic]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        stmt = select(OpportunityConcept).where(OpportunityConcept.opportunity_id.in_(ids[start:start + 500]))
        for row in session.scalars(stmt):
            if row.concept_key in glossary and (with_removed or row.source != "removed"):
                found[row.opportunity_id].append(Topic(row.concept_key, glossary.label(row.concept_key, lang), row.source))
    for topics in found.values():
        topics.sort(key=lambda t: (t.source == "removed", normalise(t.label)))
    return found


def reads(opportunity: Opportunity, lang: str) -> bool:
    """True when *opportunity* is written in *lang* (the original or a version)."""
    return opportunity.language == lang or any(v.language == lang for v in opportunity.versions)


def search_concepts(glossary: Glossary, query: str, lang: str, *, category: str = "", limit: int = 20) -> list[str]:
    """Keys of the concepts whose forms (any language; diacritics, width and case ignored)
    contain *query*: those whose name in *lang* starts with it first, then those whose forms in
    *lang* contain it, then the rest, each by name in *lang*. An empty query lists by name."""
    key = normalise(query)
    hits: dict[str, int] = {}
    for concept in glossary.concepts.values():
        if category and concept.category != category:
            continue
        rank = _rank(concept, key, lang) if key else 2
        if rank is not None:
            hits[concept.key] = rank
    return sorted(hits, key=lambda k: (hits[k], normalise(glossary.label(k, lang))))[:limit]


def _rank(concept, key: str, lang: str) -> int | None:
    own = [normalise(f) for f in concept.forms[lang]]
    if own[0].startswith(key):
        return 0
    if any(key in f for f in own):
        return 1
    if any(key in normalise(f) for forms in concept.forms.values() for f in forms):
        return 2
    return None


def query_concepts(glossary: Glossary, text: str) -> list[str]:
    """The concepts a directory search names: those found in it, else the one whose form is the
    start of the query's words (so "methane" or "mê-tan" names methane)."""
    found = [f.key for f in find_in(glossary, text)]
    if found:
        return list(dict.fromkeys(found))
    words = tokens(text)
    return [key for form, key in glossary.forms.items() if words and form == words]


def search_keys_of(glossary: Glossary, keys: Iterable[str]) -> list[str]:
    """Every form of the concepts *keys* as directory search keys (NFKC + casefold, and without
    diacritics), each once: a company's text saying any of them matches."""
    found: dict[str, None] = {}
    for key in keys:
        for forms in glossary.concepts[key].forms.values():
            for form in forms:
                found[search_key(form)] = None
                found[fold_accents(search_key(form))] = None
    return [k for k in found if k]


def narrower_keys(glossary: Glossary, key: str) -> list[str]:
    """*key* and every concept below it (through any number of broader links)."""
    return [k for k in glossary.concepts if key in glossary.closure([k])]


def companies_with_concept(glossary: Glossary, key: str):
    """A select of the ids of companies with *key* (or a narrower concept) on an offer/need."""
    keys = narrower_keys(glossary, key) if key in glossary else [key]
    return (select(Opportunity.company_id)
            .join(OpportunityConcept, OpportunityConcept.opportunity_id == Opportunity.id)
            .where(OpportunityConcept.concept_key.in_(keys), OpportunityConcept.source != "removed"))


def concepts_in_use(session: Session, glossary: Glossary, lang: str) -> list[tuple[str, str]]:
    """(key, name in *lang*) of the concepts on approved companies' offers and needs, by name."""
    stmt = (select(OpportunityConcept.concept_key).distinct()
            .join(Opportunity, Opportunity.id == OpportunityConcept.opportunity_id)
            .join(Company, Company.id == Opportunity.company_id)
            .where(Company.status == "approved", OpportunityConcept.source != "removed"))
    keys = [k for k in session.scalars(stmt) if k in glossary]
    return sorted(((k, glossary.label(k, lang)) for k in keys), key=lambda pair: normalise(pair[1]))


@dataclass
class ReasonTopics:
    """The topics behind suggestions, in the reader's language: what both sides of a reason
    share, what a whole suggestion shares, and the gist of each text of a reason."""

    glossary: Glossary
    lang: str
    by_opportunity: dict[int, list[Topic]]

    def of(self, opportunity_id: int) -> list[str]:
        """The names of an offer/need's topics (its gist in the reader's language)."""
        return [t.label for t in self.by_opportunity.get(opportunity_id, [])]

    def both(self, reason, shared: Iterable[str] = ()) -> list[str]:
        """Names of the topics the need and the offer of *reason* both have, those in *shared*
        (a suggestion's keys, most telling first) first."""
        need = {t.key for t in self.by_opportunity.get(reason.need.opportunity.id, [])}
        offer = {t.key for t in self.by_opportunity.get(reason.offer.opportunity.id, [])}
        order = {key: i for i, key in enumerate(shared)}
        keys = sorted(need & offer, key=lambda k: (order.get(k, len(order)), normalise(self.glossary.label(k, self.lang))))
        return [self.glossary.label(k, self.lang) for k in keys]

    def shared(self, keys: Iterable[str]) -> list[str]:
        """Names of a suggestion's shared concepts, in its order (those the glossary knows)."""
        return [self.glossary.label(k, self.lang) for k in keys if k in self.glossary]

    def line(self, row) -> list[str]:
        """The one "both" line of a suggestion *row*: the names of the topics its two sides
        share, in the reader's language, each once, best first: the scorer's shared concepts
        (most telling first), then those both texts of a reason carry, reason by reason (the
        reasons come best first)."""
        shared = list(row.shared_concepts or [])
        names = dict.fromkeys(self.shared(shared))
        for reason in row.reasons:
            names.update(dict.fromkeys(self.both(reason, shared)))
        return list(names)


def reason_topics(session: Session, glossary: Glossary, rows: Iterable, lang: str) -> ReasonTopics:
    """The topics of every offer/need in the reasons of *rows* (``SuggestionRow``), for the page."""
    ids = {text.opportunity.id for row in rows for r in row.reasons for text in (r.need, r.offer)}
    return ReasonTopics(glossary, lang, topics_of(session, glossary, ids, lang))
