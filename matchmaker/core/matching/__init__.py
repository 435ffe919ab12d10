"""Who should meet whom: scores from text vectors and categories, with the reasons.

Public API
----------
Values (``model``): ``Pool`` (items as index-aligned arrays: company, need/offer, unit
vectors, categories, language; per company: country, meeting languages), ``Weights``, ``Reason(need_item,
offer_item, similarity, score)``, ``Suggestion(company, partner, score, reasons,
shared_categories, interpreter_needed, pinned)``. All indices are positions in the Pool.

``suggest(pool, weights=Weights(), *, top_k=10, exclude=(), pins=(), companies=None,
block_size=4096, prepared=None) -> {company: [Suggestion, ...]}``: best partners per company
(pins first). ``prepare(pool, weights, block_size)``: the pool-wide part of suggest (hub terms,
item rows), to pass as *prepared* when one pool serves many requests.
``pair_scores_above(pool, weights, threshold, *, exclude=(), pins=()) -> [Suggestion, ...]``:
every unordered pair whose bar is >= threshold, once, ``company < partner``, plus the pins.
``item_scores(need_vectors, offer_vectors, need_categories, offer_categories, weights)``: the
item score matrix, for evaluation. ``exclude`` takes the declined, already-met and forbidden
pairs; pairs are unordered; pins are listed even when excluded. Malformed input: ValueError.

The score
---------
For a need i and an offer j, with unit vectors n_i, o_j, category sets C_i, C_j and the
languages a_i, b_j they are written in (``Pool.item_language``)::

    s(i, j) = (n_i - N(a_i)) . (o_j - O(b_j))                     (language balance)
    item(i, j) = w_sim * (s(i, j) - (r_i + r_j) / 2)
               + w_cat * |C_i & C_j| / sqrt(|C_i| * |C_j|)
               + w_con * x_i . x_j                                (shared concepts, ``concepts``)
               + w_cross * [one company in JP, the other in VN]   (``cross_border_countries``)

N(a) is the mean vector of the pool's needs in language a and O(b) that of its offers in b,
each shrunk towards its whole side's mean by 8 pseudo-items. Multilingual encoders give every
text a component of its language: without this, a Vietnamese need prefers unrelated
Vietnamese offers to the Japanese one that answers it. The vectors are centred but not
re-normalised, so s keeps the scale of a cosine. With no item languages (or
``language_balance=False``), s is the cosine.

r_i is the mean s of need i to its ``hub_k`` nearest offers in the pool and r_j that of
offer j to its ``hub_k`` nearest needs: half of CSLS (cross-domain similarity local scaling).
An offer that is close to every need (a "hub") has a high r_j and stops topping every list;
multilingual-e5 cosines are compressed (most pairs 0.75-0.9), which is what lets hubs win.
With ``hubness="none"``, r = 0. The category term is the cosine of the category indicator
vectors (0 if either item has none): categories mean the same in every language. The concept
term is the cosine of idf-weighted glossary-concept vectors that carry each item's concepts and,
with weight ``concept_decay ** k``, the concepts k steps broader (``Pool.item_concepts`` read
through ``Pool.glossary``; 0 without them).

For companies A and B (same company, excluded and pinned pairs aside)::

    D(A, B) = max over needs i of A, offers j of B of item(i, j)      (-inf if none)
    raw(A, B) = max(D(A, B), D(B, A))
    score = 1 / (1 + exp(-(raw - bar_center) / bar_width))            (the 0..1 bar)

so a company with only offers (or only needs) is matched through what it has. Defaults:
w_sim 1, w_cat 0.03 (a full category match is worth about two standard deviations of the
hub-corrected cosine), w_con 0.02 (decay 0.75), w_cross 0.01, hub_k 10, bar_center 0.01, bar_width 0.0125 (see
``Weights`` and benchmarks/matching.py). Equal scores are ordered by partner index. The reasons
are the (at most 3) item pairs of both directions with the highest item scores; the score
is that of the first. ``shared_categories`` are those one company needs and the other offers;
``shared_concepts`` the concepts both items of a reason have, one of them tagged with it itself;
``interpreter_needed`` means the two have no meeting language in common.

Computation
-----------
All item pairs are scored by matrix products, in tiles of about ``block_size`` items per side
(``blocks``), so memory is linear in the number of items; each term of item(i, j) is a
product of a need feature and an offer feature, so one product per tile gives the whole item
score (``items``). The hub terms take one more pass over the tiles with running top-k
thresholds (``topk``). Pair scores fold item scores per company without Python loops over
pairs; only the shown pairs are re-scored exactly for their reasons (``explain``).
"""

from .items import hub_stats, item_scores
from .model import Pool, Reason, Suggestion, Weights
from .partners import pair_scores_above, prepare, suggest

__all__ = [
    "Pool",
    "Reason",
    "Suggestion",
    "Weights",
    "hub_stats",
    "item_scores",
    "pair_scores_above",
    "prepare",
    "suggest",
]
