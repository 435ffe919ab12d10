"""The values matching takes and returns: Pool, Weights, Reason, Suggestion."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from matchmaker.core.concepts import Glossary

HUBNESS = ("csls", "none")


@dataclass(frozen=True)
class Pool:
    """Every offer and need of the companies taking part, as index-aligned arrays.

    Items and companies are numbered from 0. ``vectors`` should be unit length (needs encoded
    as e5 "query: ", offers as "passage: "); they are stored as C-contiguous float32.
    ``company_languages[c]`` is the set of languages company c can hold a meeting in;
    ``item_language[i]`` the language item i is written in (a code such as "ja"; None when
    unknown: then no language balance). ``item_concepts[i]`` holds the glossary concept keys of
    item i (None: no concept term), read through ``glossary`` (its broader links). Malformed
    input raises ValueError naming the field.
    """

    item_company: np.ndarray  # int (n_items,)
    item_is_need: np.ndarray  # bool (n_items,): True for a need, False for an offer
    vectors: np.ndarray  # float32 (n_items, d)
    item_categories: np.ndarray  # bool (n_items, n_categories)
    company_country: np.ndarray  # str (n_companies,), ISO 3166 alpha-2
    company_languages: tuple[frozenset[str], ...]
    item_language: np.ndarray | None = None  # str (n_items,)
    item_concepts: tuple[tuple[str, ...], ...] | None = None
    glossary: Glossary | None = None

    def __post_init__(self) -> None:
        fields = {
            "item_company": np.asarray(self.item_company, dtype=np.int64).reshape(-1),
            "item_is_need": np.asarray(self.item_is_need, dtype=bool).reshape(-1),
            "vectors": np.ascontiguousarray(self.vectors, dtype=np.float32),
            "item_categories": np.asarray(self.item_categories, dtype=bool),
            "company_country": np.asarray(self.company_country, dtype=object).reshape(-1),
            "company_languages": tuple(frozenset(langs) for langs in self.company_languages),
            "item_language": None if self.item_language is None else np.asarray(self.item_language, dtype=object).reshape(-1),
            "item_concepts": None if self.item_concepts is None else tuple(tuple(keys) for keys in self.item_concepts),
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)
        self._check()

    def _check(self) -> None:
        n_items, n_companies = len(self.item_company), len(self.company_country)
        if self.vectors.ndim != 2 or len(self.vectors) != n_items:
            raise ValueError(f"vectors must have shape (n_items={n_items}, d), not {self.vectors.shape}")
        if len(self.item_is_need) != n_items:
            raise ValueError(f"item_is_need must have {n_items} entries, not {len(self.item_is_need)}")
        if self.item_categories.ndim != 2 or len(self.item_categories) != n_items:
            raise ValueError(f"item_categories must have shape (n_items={n_items}, n_categories)")
        if len(self.company_languages) != n_companies:
            raise ValueError(f"company_languages must have {n_companies} entries, not {len(self.company_languages)}")
        if n_items and not (0 <= self.item_company.min() and self.item_company.max() < n_companies):
            raise ValueError(f"item_company must hold company indices 0..{n_companies - 1}")
        if self.item_language is not None and len(self.item_language) != n_items:
            raise ValueError(f"item_language must have {n_items} entries, not {len(self.item_language)}")
        if self.item_concepts is not None and len(self.item_concepts) != n_items:
            raise ValueError(f"item_concepts must have {n_items} entries, not {len(self.item_concepts)}")
        if not np.isfinite(self.vectors).all():
            raise ValueError("vectors must be finite")

    @property
    def n_companies(self) -> int:
        """Number of companies (including those without items)."""
        return len(self.company_country)


@dataclass(frozen=True)
class Weights:
    """How much each signal counts; see the package docstring for the formula.

    ``hubness`` is "csls" (cross-domain similarity local scaling over the pool, ``hub_k``
    neighbours) or "none" (raw cosine). ``bar_center`` and ``bar_width`` map the raw score to
    the 0..1 bar with a logistic curve. The defaults come from benchmarks/matching.py: on its
    evaluation set the hub-corrected cosine has a standard deviation of ~0.013 over all
    need/offer pairs, unrelated pairs sit near -0.02 and intended pairs near +0.04. The bar
    is calibrated for the default weights; change them and revisit it.
    """

    similarity: float = 1.0
    category: float = 0.03  # a full category match ~ 2 standard deviations of hub-corrected cosine
    cross_border: float = 0.01  # a preference among near-equals, a third of a category match
    concept: float = 0.02  # shared glossary concepts (cosine of idf-weighted concept vectors); tuned on
    concept_decay: float = 0.75  # the benchmark's even pairs; a broader concept k steps up keeps decay ** k
    hubness: str = "csls"
    hub_k: int = 10
    language_balance: bool = True  # subtract each language pair's mean cosine (``items``)
    cross_border_countries: tuple[str, str] = ("JP", "VN")
    bar_center: float = 0.01  # halfway between a typical unrelated pair and a typical intended one
    bar_width: float = 0.0125  # about one standard deviation of hub-corrected cosine

    def __post_init__(self) -> None:
        if self.hubness not in HUBNESS:
            raise ValueError(f"hubness must be one of {HUBNESS}, not {self.hubness!r}")
        if int(self.hub_k) != self.hub_k or self.hub_k < 1:
            raise ValueError(f"hub_k must be a positive integer, not {self.hub_k!r}")
        numbers = (self.similarity, self.category, self.cross_border, self.concept, self.bar_center, self.bar_width)
        if not all(math.isfinite(x) for x in numbers):
            raise ValueError("weights must be finite numbers")
        if len(self.cross_border_countries) != 2 or len(set(self.cross_border_countries)) != 2:
            raise ValueError(f"cross_border_countries must be two different codes, not {self.cross_border_countries!r}")
        if not 0.0 <= self.concept_decay <= 1.0:
            raise ValueError(f"concept_decay must lie in [0, 1], not {self.concept_decay!r}")
        if self.bar_width <= 0:
            raise ValueError(f"bar_width must be positive, not {self.bar_width!r}")

    def bar(self, raw: np.ndarray | float) -> np.ndarray:
        """The 0..1 score bar for raw scores: strictly increasing, 0.5 at ``bar_center``."""
        z = (np.asarray(raw, dtype=np.float64) - self.bar_center) / self.bar_width
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))

    def raw_from_bar(self, bar: float) -> float:
        """The raw score whose bar is *bar* (inverse of ``bar``); -inf for 0, +inf for 1."""
        if not 0.0 <= bar <= 1.0:
            raise ValueError(f"a bar threshold must lie in [0, 1], not {bar!r}")
        if bar in (0.0, 1.0):
            return -math.inf if bar == 0.0 else math.inf
        return self.bar_center + self.bar_width * math.log(bar / (1.0 - bar))


class Reason(NamedTuple):
    """One need↔offer item pair behind a suggestion (a named tuple: thousands are made at once).

    ``similarity`` is the raw cosine of the two texts; ``score`` the item score (hub-corrected
    similarity and category overlap, weighted, plus the pair's cross-border bonus).
    """

    need_item: int
    offer_item: int
    similarity: float
    score: float


class Suggestion(NamedTuple):
    """*partner* suggested to *company*, with the score bar (0..1) and why (a named tuple)."""

    company: int
    partner: int
    score: float
    reasons: tuple[Reason, ...]  # best first, at most 3
    shared_categories: tuple[int, ...]  # sorted; one needs it and the other offers it
    interpreter_needed: bool  # the two companies have no meeting language in common
    pinned: bool = False
    shared_concepts: tuple[str, ...] = ()  # glossary keys both sides of its reasons have, most telling first
