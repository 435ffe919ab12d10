"""Same-day re-matching (core): exact, lexicographic, hard rules; where the greedy loop is wrong."""

from __future__ import annotations

import itertools
import random

import pytest

from matchmaker.core.scheduling.rematch import Place, Problem, Proposal, _edges, greedy_refill, rematch


def problem(places, free, scores, caps=None, tables=None, **extra) -> Problem:
    everyone = {c for cs in free.values() for c in cs}
    return Problem(
        places=tuple(Place(*p) for p in places),
        free={s: frozenset(cs) for s, cs in free.items()},
        scores={tuple(sorted(k)): v for k, v in scores.items()},
        caps=caps if caps is not None else {c: 10 for c in everyone},
        tables=tables if tables is not None else {s: (0, 1, 2, 3) for s in free},
        **extra)


def pairs(outcome) -> set[tuple[int, int, int]]:
    return {(p.slot, p.a, p.b) for p in outcome.proposals}


def test_best_pair_first_strands_a_partner_the_exact_solve_refills_both():
    # 1 and 2 lost their partners in slot 0; 3 is everyone's favourite, 4 only fits 1
    p = problem([(0, 1), (0, 2)], {0: {1, 2, 3, 4}}, {(1, 3): 0.9, (1, 4): 0.5, (2, 3): 0.8})
    greedy, exact = greedy_refill(p), rematch(p)
    assert greedy.refilled == 1
    assert (exact.refilled, exact.possible) == (2, 2)
    assert pairs(exact) == {(0, 1, 4), (0, 2, 3)}


def test_a_partner_with_one_meeting_left_is_kept_for_the_slot_where_it_is_needed():
    # company 3 may have one more meeting; 1 is alone in slots 0 and 1, company 4 is free in slot 0 only
    p = problem([(0, 1), (1, 1)], {0: {1, 3, 4}, 1: {1, 3}}, {(1, 3): 0.9, (1, 4): 0.3}, caps={1: 5, 3: 1, 4: 5})
    assert greedy_refill(p).refilled == 1
    exact = rematch(p)
    assert exact.refilled == exact.possible == 2
    assert pairs(exact) == {(0, 1, 4), (1, 1, 3)}


def test_among_maximal_refills_the_total_score_is_highest():
    p = problem([(0, 1), (0, 2)], {0: {1, 2, 3, 4}},
                {(1, 3): 0.5, (2, 4): 0.5, (1, 4): 0.9, (2, 3): 0.7, (1, 2): 0.2})
    exact = rematch(p)
    assert exact.refilled == 2
    assert pairs(exact) == {(0, 1, 4), (0, 2, 3)}
    assert sum(r.score for r in exact.proposals) == pytest.approx(1.6)


def test_a_pair_meets_once_even_when_both_are_alone_in_two_slots():
    p = problem([(0, 1), (1, 1)], {0: {1, 2}, 1: {1, 2}}, {(1, 2): 0.9})
    assert rematch(p).refilled == 1 and greedy_refill(p).refilled == 1


def test_two_lone_partners_meeting_each_other_count_twice():
    p = problem([(0, 1), (0, 2)], {0: {1, 2, 3}}, {(1, 2): 0.1, (1, 3): 0.9}, tables={0: (5,)})
    exact = rematch(p)
    assert pairs(exact) == {(0, 1, 2)} and exact.refilled == 2
    assert exact.proposals[0].table == 5


def test_forbidden_met_unscored_and_busy_companies_are_never_proposed():
    p = problem([(0, 1)], {0: {1, 2, 3, 4}}, {(1, 2): 0.9, (1, 3): 0.8, (1, 5): 0.99},
                forbidden=frozenset({(1, 2)}), met=frozenset({(1, 3)}))
    exact = rematch(p)
    assert exact.proposals == [] and exact.possible == 0 and exact.bound == 0


def test_no_cap_left_and_no_table_left_mean_no_meeting():
    assert rematch(problem([(0, 1)], {0: {1, 2}}, {(1, 2): 0.9}, caps={1: 1, 2: 0})).proposals == []
    assert rematch(problem([(0, 1)], {0: {1, 2}}, {(1, 2): 0.9}, tables={0: ()})).proposals == []


def test_one_free_table_takes_one_meeting_and_the_lone_partner_keeps_its_table():
    p = problem([(0, 1, 7), (0, 2, 8)], {0: {1, 2, 3, 4}}, {(1, 3): 0.9, (2, 4): 0.8}, tables={0: (7,)})
    exact = rematch(p)
    assert exact.possible == 1 and exact.proposals == [Proposal(0, 1, 3, 7, 0.9)]
    p = problem([(0, 2, 8)], {0: {1, 2, 3, 4}}, {(2, 4): 0.8}, tables={0: (3, 8, 9)})
    assert rematch(p).proposals[0].table == 8


def test_fixed_tables_host_only_their_owners():
    # 3 exhibits at table 9; the pool tables 0 and 9's neighbour are free
    p = problem([(0, 1)], {0: {1, 3}}, {(1, 3): 0.9}, tables={0: (0, 9)}, fixed={3: 9})
    assert rematch(p).proposals == [Proposal(0, 1, 3, 9, 0.9)]
    # its table is taken: no meeting, even with a pool table free
    p = problem([(0, 1)], {0: {1, 3}}, {(1, 3): 0.9}, tables={0: (0,)}, fixed={3: 9})
    assert rematch(p).proposals == []
    # an absent exhibitor's free table is not a pool table
    p = problem([(0, 1)], {0: {1, 2}}, {(1, 2): 0.9}, tables={0: (9,)}, fixed={4: 9})
    assert rematch(p).proposals == []


def _brute_force(p: Problem) -> tuple[int, float]:
    edges, best = _edges(p), (0, 0.0)
    owned = set(p.fixed.values())
    for k in range(1, len(edges) + 1):
        for chosen in itertools.combinations(edges, k):
            seats = [(e.slot, c) for e in chosen for c in (e.a, e.b)]
            tables = [(e.slot, e.option) for e in chosen if e.option >= 0]
            uses = [c for e in chosen for c in (e.a, e.b)]
            pool_ok = all(sum(e.option < 0 and e.slot == s for e in chosen) <= len(set(p.tables[s]) - owned)
                          for s in p.tables)
            met = [(e.a, e.b) for e in chosen]
            if (len(set(seats)) == len(seats) and len(set(tables)) == len(tables) and pool_ok
                    and len(set(met)) == len(met)
                    and all(uses.count(c) <= p.caps.get(c, 0) for c in set(uses))):
                best = max(best, (sum(e.refills for e in chosen), round(sum(e.score for e in chosen), 9)))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_random_small_cases_match_brute_force_and_stay_under_the_bound(seed):
    rng = random.Random(seed)
    companies = list(range(1, 7))
    free = {s: set(rng.sample(companies, 4)) for s in range(2)}
    places = [(s, c) for s in free for c in rng.sample(sorted(free[s]), 2)]
    scores = {pair: round(rng.random(), 3) for pair in itertools.combinations(companies, 2) if rng.random() < 0.6}
    p = problem(places, free, scores, caps={c: rng.randint(0, 2) for c in companies},
                tables={s: tuple(range(rng.randint(0, 2))) for s in free})
    if len(_edges(p)) > 12:
        pytest.skip("too many edges to enumerate")
    exact = rematch(p)
    refills, score = _brute_force(p)
    assert exact.possible == exact.refilled == refills
    assert sum(r.score for r in exact.proposals) == pytest.approx(score)
    assert greedy_refill(p).refilled <= exact.possible <= exact.bound
