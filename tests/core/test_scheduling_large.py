"""The large path: min-cost-flow selection and bounds instead of HiGHS's LP (``scheduling.large``)."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.core.scheduling import Company, Instance, Pair, solve, validate_schedule
from matchmaker.core.scheduling.board import Board
from matchmaker.core.scheduling.fairness import fair_relaxation, levels
from matchmaker.core.scheduling.large import applies, bounds, first_meetings
from matchmaker.core.scheduling.lp import relax
from matchmaker.core.scheduling.problem import POOL, prepare


def _scarce(n: int, seed: int, required: float = 0.0) -> Instance:
    """6 slots, tables for ~0.6 n meetings, a few hubs everyone scores highly, random other pairs."""
    rng = np.random.default_rng(seed)
    ids = [f"c{i}" for i in range(n)]
    hubs = rng.choice(n, size=max(2, n // 30), replace=False)
    keys = set()
    for a in range(n):
        for b in rng.choice(n, size=6, replace=False).tolist() + rng.choice(hubs, size=2).tolist():
            if a != b:
                keys.add((min(a, b), max(a, b)))
    hub = set(hubs.tolist())
    pairs = [Pair(ids[a], ids[b], round(float(0.9 + 0.1 * rng.random() if {a, b} & hub else rng.random() * 0.8), 3))
             for a, b in sorted(keys)]
    chosen = [(p.a, p.b) for p in pairs if rng.random() < required]
    companies = [Company(c, 6, frozenset(np.flatnonzero(rng.random(6) < 0.2).tolist())) for c in ids]
    return Instance(6, max(1, round(0.6 * n / 6)), companies, pairs, chosen)


@pytest.mark.parametrize("seed, required", [(1, 0.0), (2, 0.05)])
def test_flow_bounds_bound_the_lp_and_are_as_tight_as_highs(seed, required):
    instance = _scarce(240, seed, required)
    p = prepare(instance)
    assert applies(p)
    result = solve(instance, "greedy")  # a schedule whose floors the fair bound must respect
    index = {c: i for i, c in enumerate(p.ids)}
    count = [0] * p.n
    for meeting in result.meetings:
        count[index[meeting.a]] += 1
        count[index[meeting.b]] += 1
    placed = sum(1 for meeting in result.meetings if tuple(sorted((meeting.a, meeting.b))) in
                 {tuple(sorted(r)) for r in instance.required})
    min_required = placed or None
    none = np.zeros(p.m, dtype=bool)
    fair, unfair, stats = bounds(p, count, none, min_required, 60.0)
    lp = fair_relaxation(p, levels(p, count), 60.0, min_required)
    lp_value = float(np.asarray(p.score) @ lp.x[: p.m])
    plain = relax(p, weighted=False, min_required=min_required, time_limit=60.0)
    plain_value = float(np.asarray(p.score) @ plain.x)
    # valid: never below an LP optimum (HiGHS's primal values); tight: within 0.1 % of them
    assert lp_value - 1e-6 <= fair <= lp_value * 1.001 + 1e-6
    assert plain_value - 1e-6 <= unfair <= plain_value * 1.001 + 1e-6
    assert result.score <= fair + 1e-9 and stats["bound_flows"] >= 1


def test_the_large_path_solves_without_highs_and_gives_everyone_a_meeting():
    instance = _scarce(900, 3, 0.01)
    result = solve(instance, "optimal", time_limit=60)
    assert validate_schedule(instance, result.meetings) == []
    assert "bound_flows" in result.stats and result.stats["selection"] == "flow"
    assert result.idle == {} and result.levels[0] == 900
    assert result.score <= result.bound + 1e-9 and result.fraction >= 0.99
    greedy = solve(instance, "greedy")
    assert greedy.levels[0] < 900  # the hubs strand companies under greedy, not under the flow


@pytest.mark.parametrize("required, helped", [((), 1), ((("b", "d"),), 0)])
def test_a_company_without_a_meeting_takes_the_table_of_a_spare_meeting(required, helped):
    # 3 slots, 1 table: a-b, a-d, b-d fill it; c's only partner a is free in slot 2 only
    companies = [Company(c, 3) for c in "abcd"]
    pairs = [Pair("a", "b", 0.9), Pair("a", "d", 0.8), Pair("b", "d", 0.7), Pair("a", "c", 0.4)]
    p = prepare(Instance(3, 1, companies, pairs, list(required)))
    edge = {(p.ids[a], p.ids[b]): e for e, (a, b) in enumerate(zip(p.ea, p.eb))}
    board = Board(p)
    for slot, pair in enumerate([("a", "b"), ("a", "d"), ("b", "d")]):
        board.place(edge[pair], slot, POOL)
    assert first_meetings(board) == helped
    if helped:  # b and d each give up one of their two meetings so that c has one
        assert board.slot_of[edge[("a", "c")]] == 2 and board.slot_of[edge[("b", "d")]] == -1
        assert [board.count[p.ids.index(c)] for c in "abcd"] == [3, 1, 1, 1]
    else:  # a required meeting is never given up
        assert board.slot_of[edge[("b", "d")]] == 2 and board.count[p.ids.index("c")] == 0
