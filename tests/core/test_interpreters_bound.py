"""The fair bound with interpreters, and the staged selection, checked by brute force on tiny instances.

Every schedule of a tiny instance (each pair in a slot or not at all; interpreters matched to
the interpreted meetings of each slot by trying every assignment) is enumerated; the solver's
bound must be at least the score of every schedule that places as many required pairs and is
at least as fair at every level, and the solver must reach the lexicographic optimum.
"""

from __future__ import annotations

import itertools
import random
from unittest import mock

import pytest

from matchmaker.core.scheduling import Company, Instance, Interpreter, Pair, solve, solver, validate_schedule
from matchmaker.core.scheduling.model import ONLINE, pair_key
from matchmaker.core.scheduling.problem import prepare

LANGUAGES = [{"ja"}, {"ja"}, {"vi"}, {"vi"}, {"en"}, {"ja", "en"}, {"vi", "en"}]
SPEAKS = [{"ja", "vi"}, {"ja", "vi"}, {"ja", "en"}, {"vi", "en"}]


def _tiny(seed: int) -> Instance:
    """5-6 companies in ja/vi/en, some online, 2 slots, 1-2 tables, 1-2 interpreters, up to 7 pairs."""
    rng = random.Random(seed)
    n, slots = rng.randint(5, 6), 2
    ids = [f"c{i}" for i in range(n)]
    companies = [Company(c, rng.randint(1, 2), frozenset({rng.randrange(slots)}) if rng.random() < 0.15 else frozenset(),
                         None, rng.choice(LANGUAGES), ONLINE if rng.random() < 0.2 else "onsite") for c in ids]
    chosen = rng.sample(list(itertools.combinations(ids, 2)), rng.randint(4, 7))
    pairs = [Pair(a, b, round(rng.uniform(0.1, 1.0), 3)) for a, b in chosen]
    required = [chosen[0]] if rng.random() < 0.4 else []
    interpreters = [Interpreter(f"i{k}", rng.choice(SPEAKS), "online" if rng.random() < 0.25 else "onsite",
                                frozenset({rng.randrange(slots)}) if rng.random() < 0.3 else frozenset())
                    for k in range(rng.randint(1, 2))]
    return Instance(slots, rng.randint(1, 2), companies, pairs, required, interpreters=interpreters)


def _staffed(instance: Instance, meetings: list[tuple[Company, Company]], slot: int) -> bool:
    """Whether the slot's meetings that need an interpreter can each get a different free one."""
    needy = [(a, b) for a, b in meetings if a.languages and b.languages and not a.languages & b.languages]
    free = [i for i in instance.interpreters if slot not in i.unavailable]
    for order in itertools.permutations(free, len(needy)):
        if all(i.languages & a.languages and i.languages & b.languages and (i.mode != ONLINE or ONLINE in (a.mode, b.mode))
               for i, (a, b) in zip(order, needy)):
            return True
    return False


def _schedules(instance: Instance, depth: int) -> list[tuple[int, tuple[int, ...], float]]:
    """``(required placed, levels, score)`` of every valid schedule."""
    by_id = {c.id: c for c in instance.companies}
    required = {pair_key(*r) for r in instance.required}
    wanting = [instance.companies[v].id for v in prepare(instance).wanting()]
    keys = []
    for choice in itertools.product(range(-1, instance.slots), repeat=len(instance.pairs)):
        count: dict[str, int] = {}
        busy: set[tuple[str, int]] = set()
        per_slot: list[list[tuple[Company, Company]]] = [[] for _ in range(instance.slots)]
        ok = True
        for pair, slot in zip(instance.pairs, choice):
            if slot < 0:
                continue
            a, b = by_id[pair.a], by_id[pair.b]
            per_slot[slot].append((a, b))
            for c in (a, b):
                ok = ok and (c.id, slot) not in busy and slot not in c.unavailable
                busy.add((c.id, slot))
                count[c.id] = count.get(c.id, 0) + 1
        ok = ok and all(count[c] <= by_id[c].cap for c in count)
        ok = ok and all(sum(ONLINE not in (a.mode, b.mode) for a, b in here) <= instance.tables for here in per_slot)
        if not ok or not all(_staffed(instance, here, s) for s, here in enumerate(per_slot)):
            continue
        placed = [p for p, s in zip(instance.pairs, choice) if s >= 0]
        reached = tuple(sum(1 for c in wanting if count.get(c, 0) >= k) for k in range(1, depth + 1))
        keys.append((sum(pair_key(p.a, p.b) in required for p in placed), reached, sum(p.score for p in placed)))
    return keys


def _at_least_as_fair(key, required: int, floors: tuple[int, ...]) -> bool:
    return key[0] >= required and all(k >= f for k, f in zip(key[1], floors))


def _check(instance: Instance, result) -> None:
    assert validate_schedule(instance, result.meetings) == []
    keys = _schedules(instance, max(len(result.levels), 1))
    best = max(keys, key=lambda k: (k[0], k[1], round(k[2], 9)))
    placed = sum(pair_key(x.a, x.b) in {pair_key(*r) for r in instance.required} for x in result.meetings)
    assert (placed, result.levels) == best[:2]
    assert result.score == pytest.approx(best[2], abs=1e-6)
    fair = max(k[2] for k in keys if _at_least_as_fair(k, placed, result.levels))
    assert result.bound >= fair - 1e-6
    assert result.unfair_bound >= max(k[2] for k in keys if k[0] >= placed) - 1e-6


@pytest.mark.parametrize("seed", range(30))
def test_tiny_interpreted_instances_meet_brute_force_and_the_bound_holds(seed):
    instance = _tiny(seed)
    _check(instance, solve(instance, "optimal", time_limit=10))


@pytest.mark.parametrize("seed", range(30))
def test_the_staged_selection_path_meets_brute_force_and_the_bound_holds(seed):
    instance = _tiny(seed)
    with mock.patch.object(solver, "EXACT_LIMIT", -1):
        result = solve(instance, "optimal", time_limit=10)
    assert result.stats.get("selection") == ("staged_milp" if prepare(instance).interp.rows else "flow")
    _check(instance, result)


def test_the_fair_bound_holds_the_forced_required_pairs_in_the_lp():
    """Forcing the placed required pairs in the LP itself (not only in the certificate) tightens the
    bound to the score of the only schedule that places them."""
    companies = [Company("a", 1), Company("b", 1), Company("c", 1), Company("d", 1)]
    pairs = [Pair("a", "b", 0.1), Pair("c", "d", 0.1), Pair("a", "c", 1.0), Pair("b", "d", 1.0)]
    result = solve(Instance(1, 2, companies, pairs, [("a", "b"), ("c", "d")]), "optimal", time_limit=10)
    assert result.score == pytest.approx(0.2)
    assert result.bound == pytest.approx(0.2, abs=1e-6)


def test_the_staged_selection_proves_most_tiny_instances_optimal_and_skips_the_repair():
    proven = 0
    for seed in range(30):
        instance = _tiny(seed)
        with mock.patch.object(solver, "EXACT_LIMIT", -1):
            result = solve(instance, "optimal", time_limit=10)
        if result.stats.get("proven_optimal"):
            proven += 1
            assert "repair" not in result.stats and result.score >= result.bound - 1e-6
    assert proven >= 20  # the 23 instances with interpreter rows, give or take a colouring the slots refuse
