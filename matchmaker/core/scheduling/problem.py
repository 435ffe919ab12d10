"""The solver's indexed view of an ``Instance``: companies and viable pairs ("edges") by number.

``prepare`` validates the instance, merges listed, required and pinned pairs into one edge per
unordered pair, removes forbidden ones, and sets aside the required pairs that no schedule can
contain ("structural" unplaced entries). Every remaining edge has at least one slot in which
both companies are available and at least one table it may use. A plain instance (no pins,
interpreters, fixed tables, languages or online companies) gets its edges from arrays
(``specs``), the same edges in the same order as pair by pair.

Slots sets are Python int bit masks (bit s = slot s). Table options of an edge: ``(-1,)`` means
"any pool table" (a table that is nobody's fixed table); otherwise the specific tables allowed
(a fixed table of either company, or a pinned table); ``(ONLINE,)`` for an online meeting, which
takes no table. ``itype[e]`` is the edge's interpreter demand type (-1: no interpreter needed);
``interp`` holds the interpreter classes and per-slot capacity rows (see ``interpreters``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import model as m
from .checks import check_instance
from .interpreters import Plan, build_plan
from .specs import incidence, is_plain, plain_edges

POOL = -1
ONLINE = -2  # the table option of an online meeting: no table at all
PRECISION = 1e9  # largest level weight, in units of the best score (see fairness)
REQUIRED_PRECISION = 1e12  # largest provable required-pair weight, same units
LEXICOGRAPHIC = "lexicographic"
SCORE_RESOLUTION = 1e-6  # a positive score below this share of the largest |score| counts as no score
MIN_TOP = 1e-9  # ... and the unit is at least this (every score tiny: 2.2e-308 alone also made the units infinite)


@dataclass
class EdgeSpec:
    """Everything known about one unordered pair before it becomes an edge."""

    a: str
    b: str
    score: float = 0.0
    required: bool = False
    pin_slot: int = -1
    pin_table: int = -1
    itype: int = -1
    online: bool = False


@dataclass
class Problem:
    """Companies and edges by index; see the module docstring."""

    instance: m.Instance
    slots: int
    ids: list[str]
    cap: list[int]
    avail: list[int]
    fixed: list[int]
    pool: list[int]
    ea: list[int] = field(default_factory=list)
    eb: list[int] = field(default_factory=list)
    score: list[float] = field(default_factory=list)
    required: list[bool] = field(default_factory=list)
    pin_slot: list[int] = field(default_factory=list)
    pin_table: list[int] = field(default_factory=list)
    allowed: list[int] = field(default_factory=list)
    options: list[tuple[int, ...]] = field(default_factory=list)
    structural: list[m.Unplaced] = field(default_factory=list)
    bonus: tuple[float, ...] = ()
    required_weight: float = 0.0
    itype: list[int] = field(default_factory=list)
    interp: Plan = field(default_factory=lambda: Plan(0))
    lexicographic: bool = False

    @property
    def n(self) -> int:
        """Number of companies."""
        return len(self.ids)

    @property
    def m(self) -> int:
        """Number of edges."""
        return len(self.ea)

    @property
    def full_mask(self) -> int:
        """The mask of all slots."""
        return (1 << self.slots) - 1

    def __post_init__(self) -> None:
        self.pool_set = frozenset(self.pool)
        self.incident: list[list[int]] = [[] for _ in self.ids]
        self._wanting: list[int] | None = None

    def add_edge(self, spec: EdgeSpec, a: int, b: int, allowed: int, options: tuple[int, ...]) -> None:
        """Append a viable edge."""
        e = len(self.ea)
        for target, value in ((self.ea, a), (self.eb, b), (self.score, spec.score), (self.required, spec.required),
                              (self.pin_slot, spec.pin_slot), (self.pin_table, spec.pin_table),
                              (self.allowed, allowed), (self.options, options), (self.itype, spec.itype)):
            target.append(value)
        self.incident[a].append(e)
        self.incident[b].append(e)
        self._wanting = None

    def value(self, e: int) -> float:
        """Objective weight of edge *e* without fairness bonus (required edges weigh much more)."""
        return self.score[e] + (self.required_weight if self.required[e] else 0.0)

    def wanting(self) -> list[int]:
        """Companies that want meetings: cap > 0, a free slot, and at least one viable edge."""
        if self._wanting is None:
            self._wanting = [v for v in range(self.n) if self.cap[v] > 0 and self.incident[v]]
        return self._wanting

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ea, eb, score)`` as numpy arrays."""
        return np.asarray(self.ea, dtype=np.int64), np.asarray(self.eb, dtype=np.int64), np.asarray(self.score, dtype=float)


def _companies(instance: m.Instance) -> tuple[list[int], list[int], list[int], list[int]]:
    full = (1 << instance.slots) - 1
    avail, cap, fixed = [], [], []
    for company in instance.companies:
        mask = full & ~sum(1 << s for s in company.unavailable)
        avail.append(mask)
        cap.append(min(company.cap, mask.bit_count()))
        fixed.append(-1 if company.table is None else company.table)
    pool = sorted(set(range(instance.tables)) - {t for t in fixed if t >= 0})
    return avail, cap, fixed, pool


def _collect(instance: m.Instance, known: dict[str, int]) -> tuple[dict, list[m.Unplaced]]:
    """Merge pairs, required and pins into EdgeSpecs keyed by pair; report unknown/forbidden."""
    forbidden = {m.pair_key(a, b) for a, b in instance.forbidden}
    specs: dict[tuple[str, str], EdgeSpec] = {}
    dropped: dict[tuple[str, str], m.Unplaced] = {}
    for pair in instance.pairs:
        key = m.pair_key(pair.a, pair.b)
        if key not in forbidden:
            specs[key] = EdgeSpec(*key, score=float(pair.score))
    wanted = [(a, b, None) for a, b in instance.required] + [(p.a, p.b, p) for p in instance.pins]
    for a, b, pin in wanted:
        key = m.pair_key(a, b)
        missing = [cid for cid in key if cid not in known]
        if missing or key in forbidden:
            code, text = (m.UNKNOWN_COMPANY, f"unknown company {missing[0]!r}") if missing else (m.FORBIDDEN, "the pair is forbidden")
            dropped.setdefault(key, m.Unplaced(*key, code, text))
            continue
        spec = specs.setdefault(key, EdgeSpec(*key))
        spec.required = True
        if pin is not None:
            spec.pin_slot = -1 if pin.slot is None else pin.slot
            spec.pin_table = -1 if pin.table is None else pin.table
    return specs, list(dropped.values())


def _allowed_slots(p: Problem, spec: EdgeSpec, a: int, b: int) -> tuple[int, str]:
    """Slots where both may meet (honouring a pinned slot); ``(0, why)`` when there are none."""
    if spec.pin_slot >= 0:
        for v in (a, b):
            if not p.avail[v] >> spec.pin_slot & 1:
                return 0, f"pinned slot {spec.pin_slot} is unavailable for {p.ids[v]!r}"
        return 1 << spec.pin_slot, ""
    if not p.avail[a] & p.avail[b]:
        return 0, f"{p.ids[a]!r} and {p.ids[b]!r} have no slot in which both are available"
    return p.avail[a] & p.avail[b], ""


def _table_options(p: Problem, spec: EdgeSpec, a: int, b: int) -> tuple[tuple[int, ...], str]:
    """Tables the meeting may use; ``((), why)`` when there are none."""
    if spec.online:
        return (ONLINE,), ""
    own = tuple(sorted({t for t in (p.fixed[a], p.fixed[b]) if t >= 0}))
    t = spec.pin_table
    if t >= 0 and own:
        return ((t,), "") if t in own else ((), f"pinned table {t} is not the fixed table of {spec.a!r} or {spec.b!r}")
    if t >= 0:
        return ((t,), "") if t in p.pool_set else ((), f"pinned table {t} is another company's fixed table")
    if own:
        return own, ""
    if not p.pool:
        return (), "there are no tables" if not p.instance.tables else "every table is an exhibitor's fixed table"
    return (POOL,), ""


def _interpreter_slots(p: Problem, spec: EdgeSpec, a: int, b: int, allowed: int) -> tuple[int, str]:
    """Narrow *allowed* to slots with a serving interpreter free, for a meeting that needs one."""
    first, second = p.instance.companies[a], p.instance.companies[b]
    spec.online = m.ONLINE in (first.mode, second.mode)
    spec.itype = p.interp.type_for(first, second)
    if spec.itype < 0 or allowed & p.interp.slot_ok[spec.itype]:
        return allowed & (p.full_mask if spec.itype < 0 else p.interp.slot_ok[spec.itype]), ""
    return 0, (f"{spec.a!r} and {spec.b!r} share no language and no interpreter who speaks both sides' "
               "languages is free in a slot where both are")


def _add_spec(p: Problem, spec: EdgeSpec, index: dict[str, int]) -> None:
    a, b = index[spec.a], index[spec.b]
    allowed, why = _allowed_slots(p, spec, a, b)
    code = m.NO_COMMON_FREE_SLOT
    options: tuple[int, ...] = ()
    if allowed:
        allowed, why = _interpreter_slots(p, spec, a, b, allowed)
        code = m.NO_INTERPRETER
    if allowed:
        options, why = _table_options(p, spec, a, b)
        code = m.NO_TABLE
    if options:
        zero = [v for v in (a, b) if p.cap[v] == 0]
        if zero:
            code, why, options = m.OVER_CAP, f"{p.ids[zero[0]]!r} has a cap of 0", ()
    if options:
        p.add_edge(spec, a, b, allowed, options)
    elif spec.required:
        p.structural.append(m.Unplaced(spec.a, spec.b, code, why))


def _set_plain_edges(p: Problem, instance: m.Instance, known: dict[str, int]) -> None:
    """The edges of a plain instance from arrays (``specs``): the per-pair loop's result, faster."""
    edges = plain_edges(instance, known, p.avail, p.cap)
    p.ea, p.eb, p.score = edges.ea.tolist(), edges.eb.tolist(), edges.score.tolist()
    p.required, p.allowed = edges.required.tolist(), edges.allowed.tolist()
    count = len(p.ea)
    p.pin_slot, p.pin_table, p.itype = [-1] * count, [-1] * count, [-1] * count
    p.options = [(POOL,)] * count
    p.incident = incidence(p.n, edges.ea, edges.eb)
    p.structural = edges.structural


def _set_edges(p: Problem, instance: m.Instance, known: dict[str, int], vectorised: bool = True) -> None:
    """Fill *p*'s edges and structural unplaced entries (*vectorised*: by arrays when the instance is plain)."""
    if vectorised and is_plain(instance):
        _set_plain_edges(p, instance, known)
        return
    specs, p.structural = _collect(instance, known)
    for key in sorted(specs):
        _add_spec(p, specs[key], known)


def prepare(instance: m.Instance, fairness: tuple[float, ...] | str = LEXICOGRAPHIC, *, vectorised: bool = True) -> Problem:
    """Validate *instance* (ValueError naming the field) and build its ``Problem``.

    *fairness* ``"lexicographic"`` (the default) gives the level weights of ``fairness``; a
    tuple gives bonuses for a company's 1st, 2nd, ... meeting as multiples of the largest pair
    score (the weighted objective of earlier versions; ``()`` = score only). *vectorised*: False
    builds the edges pair by pair even for a plain instance (the fast path's reference in tests).
    """
    known = check_instance(instance)
    avail, cap, fixed, pool = _companies(instance)
    p = Problem(instance, instance.slots, [c.id for c in instance.companies], cap, avail, fixed, pool)
    p.interp = build_plan(instance)
    _set_edges(p, instance, known, vectorised)
    p.interp.finish({t for t in p.itype if t >= 0})
    top = top_score(p)
    if isinstance(fairness, str):
        p.bonus, p.required_weight = lexicographic_weights(p, top)
        p.lexicographic = True
    else:
        p.bonus = tuple(float(f) * top for f in fairness)
        p.required_weight = local_required_weight(p, top)
    return p


def top_score(p: Problem) -> float:
    """The unit every weight and integer cost is measured in: the best pair score.

    Floored at ``SCORE_RESOLUTION`` of the largest |score| and at ``MIN_TOP`` (1.0 when no pair
    scores), so that a vanishing positive score (1e-300) cannot blow the integer cost units up to
    infinity, alone or beside others.
    """
    scores = np.asarray(p.score, dtype=float)
    largest = float(np.abs(scores).max()) if scores.size else 0.0
    positive = scores[scores > 0]
    best = float(positive.max()) if positive.size else 0.0
    top = max(best, SCORE_RESOLUTION * largest)
    return max(top, MIN_TOP) if top > 0 else 1.0


def score_span(p: Problem) -> float:
    """An upper bound on how much the score of two schedules can differ (computed once per problem:
    ``prepare`` asks it, and with no negative score it is also ``lp.simple_bound``)."""
    cached = p.__dict__.get("_score_span")
    if cached is None or cached[0] != p.m:
        cached = p.__dict__["_score_span"] = (p.m, best_sums(p, np.abs(np.asarray(p.score, dtype=float))))
    return cached[1]


def best_sums(p: Problem, values: np.ndarray) -> float:
    """Half the sum over companies of their ``cap`` largest *values* (one per edge).

    Summed as ``0.5 * sum(sum(sorted(company's values, reverse=True)[:cap]) for each company)``
    would sum them, in the same order (so to the same float), only sorted by numpy.
    """
    ends = np.concatenate([np.asarray(p.ea, dtype=np.int64), np.asarray(p.eb, dtype=np.int64)])
    both = np.concatenate([values, values])
    flat = both[np.lexsort((-both, ends))].tolist()
    start = np.concatenate([[0], np.cumsum(np.bincount(ends, minlength=p.n))]).tolist()
    total = 0
    for v in range(p.n):
        total += sum(flat[start[v]:min(start[v] + p.cap[v], start[v + 1])])
    return 0.5 * total


def lexicographic_weights(p: Problem, top: float) -> tuple[tuple[float, ...], float]:
    """``(level weights w[1..L], required weight R)`` as in the docstring of ``fairness``."""
    wanting = len(p.wanting())
    deepest = max((min(p.cap[v], len(p.incident[v])) for v in p.wanting()), default=0)
    span = score_span(p) + top
    weights: list[float] = []
    while len(weights) < deepest:
        heavier = span if not weights else (wanting + 1) * weights[0]
        if weights and heavier > PRECISION * top:
            break
        weights.insert(0, heavier)
    first = weights[0] if weights else 0.0
    proof = (wanting + 1) * max(len(weights), 1) * first + 2 * span + top
    if proof <= REQUIRED_PRECISION * top:
        return tuple(weights), proof
    # too large for the solvers' tolerances: fall back to a weight that wins every local trade
    return tuple(weights), 10.0 * (p.slots + 1) * (top + 2 * sum(weights))


def local_required_weight(p: Problem, top: float) -> float:
    """A required pair's weight that outweighs any local rearrangement of optional meetings."""
    return 10.0 * (p.slots + 1) * (top + 2 * sum(p.bonus))
