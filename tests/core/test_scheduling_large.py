"""The large path: min-cost-flow selection and bounds instead of HiGHS's LP (``scheduling.large``)."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.core.scheduling import Company, Instance, Pair, flow as flow_module, large, solve, validate_schedule
from matchmaker.core.scheduling import assign as assign_module, worker as worker_module
from matchmaker.core.scheduling.board import Board
from matchmaker.core.scheduling.fairness import fair_relaxation, levels
from matchmaker.core.scheduling.flow import flow_values, net_of, network
from matchmaker.core.scheduling.large import Flows, _Bounder, _minimise, applies, bounds, first_meetings
from matchmaker.core.scheduling.worker import FlowWorker
from matchmaker.core.scheduling.lp import relax
from matchmaker.core.scheduling.problem import POOL, prepare
from matchmaker.core.scheduling.repair import repair


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


def _counts(p, result) -> list[int]:
    index = {c: i for i, c in enumerate(p.ids)}
    count = [0] * p.n
    for meeting in result.meetings:
        count[index[meeting.a]] += 1
        count[index[meeting.b]] += 1
    return count


def test_the_selection_minorant_lies_below_g_and_tells_more_than_the_cut_at_zero_far_out():
    instance = _scarce(240, 4)
    p = prepare(instance)
    count = _counts(p, solve(instance, "greedy"))
    bounder = _Bounder(p, np.zeros(p.m, dtype=bool), levels(p, count), None)
    point, value, slope = bounder.minorant(flow_values(p))
    assert not point.any() and len(slope) == len(bounder.floors)
    gaps, cuts = [], []
    for multiplier in (0.0, 0.05, 0.3, 1.0, 4.0):
        at = bounder.rewards(np.full(len(bounder.floors), multiplier * bounder.top))
        exact = np.asarray(at, dtype=float) * 2 / bounder.units
        g, subgradient = bounder.g(at)
        gaps.append(g - (value + float(slope @ exact)))
        cuts.append((g, subgradient))
    assert min(gaps) >= -1e-9  # below g everywhere
    (g0, s0), far = cuts[0], np.full(len(bounder.floors), 4.0 * bounder.top)
    assert value + float(slope @ far) > g0 + float(s0 @ far)  # where Kelley's second flow would go, it says more


@pytest.mark.parametrize("seed", [1, 5])
def test_an_evaluation_made_for_other_floors_gives_the_cut_a_flow_gives_for_these(seed):
    instance = _scarce(200, seed)
    p = prepare(instance)
    count = _counts(p, solve(instance, "greedy"))
    forced = np.zeros(p.m, dtype=bool)
    early = _Bounder(p, forced, tuple(max(c - 7, 0) for c in levels(p, count)), None)
    final = _Bounder(p, forced, levels(p, count), None)
    rewards = final.rewards(np.full(len(final.floors), 0.3 * final.top))
    early.g(rewards)
    value, slope = final.cut(early.evaluations[0])
    direct_value, direct_slope = final.g(rewards)
    assert value == direct_value and np.array_equal(slope, direct_slope)
    assert early.cut(early.evaluations[0])[0] != value  # the floors do change the cut


def test_the_fair_search_starts_from_the_plain_search_s_last_flow_without_solving_it_again():
    instance = _scarce(240, 2, 0.05)
    p = prepare(instance)
    count = _counts(p, solve(instance, "greedy"))
    forced = np.zeros(p.m, dtype=bool)
    plain = _Bounder(p, forced, (), 3)
    _, required, _ = _minimise(plain, np.zeros(1), float("inf"))
    fair = _Bounder(p, forced, levels(p, count), 3)
    (lifted,) = fair.lifted(plain, required)
    value, slope = fair.cut(lifted)
    start = [0] * fair.depth + plain.rewards(np.asarray(required))
    assert list(lifted.rewards) == start
    direct_value, _ = fair.g(start)
    assert value == direct_value  # the same optimum; the slope may be another subgradient of the same point
    for multiplier in (0.0, 0.1, 0.5, 2.0):  # ... but a subgradient it is
        at = fair.rewards(np.r_[np.full(fair.depth, multiplier * fair.top), required])
        exact = np.asarray(at, dtype=float) * 2 / fair.units
        assert fair.g(at)[0] >= value + float(slope @ (exact - np.asarray(start, dtype=float) * 2 / fair.units)) - 1e-9


def test_bounds_with_a_flow_worker_are_valid_and_as_tight_as_without(monkeypatch):
    instance = _scarce(240, 2, 0.05)
    p = prepare(instance)
    result = solve(instance, "greedy")
    count = _counts(p, result)
    forced = np.zeros(p.m, dtype=bool)
    alone = bounds(p, count, forced, 3, 60.0)
    helper = FlowWorker(net_of(p))
    try:
        paired = bounds(p, count, forced, 3, 60.0, Flows(helper, flow_values(p)))
    finally:
        helper.close()
    lp = fair_relaxation(p, levels(p, count), 60.0, 3)
    lp_value = float(np.asarray(p.score) @ lp.x[: p.m])
    for fair, unfair, _ in (alone, paired):
        assert lp_value - 1e-6 <= fair <= lp_value * 1.001 + 1e-6 and fair <= unfair
    assert paired[1] == alone[1] and not helper.failed  # g(0) is the same flow wherever it is solved


def test_solve_with_a_flow_worker_gives_the_schedule_solve_without_it_gives(monkeypatch):
    monkeypatch.setattr(large, "REPAIR_MIN_SECONDS", 60.0)  # the repair runs until a pass gains nothing
    monkeypatch.setattr(large, "REPAIR_SETTLE", 0.0)
    instance = _scarce(300, 6)
    monkeypatch.setattr(worker_module, "_spare_core", lambda: False)
    alone = solve(instance, "optimal", time_limit=120)
    monkeypatch.setattr(worker_module, "_spare_core", lambda: True)
    monkeypatch.setattr(worker_module, "PARALLEL_EDGES", 0)
    paired = solve(instance, "optimal", time_limit=120)
    assert paired.stats["flow_worker"] and not paired.stats["flow_worker_failed"] and not alone.stats["flow_worker"]
    assert paired.meetings == alone.meetings
    assert paired.stats["bound_flows_early"] > 0 and paired.stats["bound_seeds"] == paired.stats["bound_flows_early"]
    assert alone.score <= paired.bound <= alone.bound * 1.001 and paired.unfair_bound == alone.unfair_bound


def test_a_flow_worker_that_dies_hands_its_jobs_back():
    p = prepare(_scarce(120, 1))
    net = net_of(p)
    helper = FlowWorker(net)
    rewards = flow_module.selection_rewards(p)
    try:
        helper.submit(*rewards)
        assert np.array_equal(helper.result().x, network(net, *rewards).x)
        helper._proc.kill()
        helper._proc.wait()
        helper.submit(*rewards)
        assert np.array_equal(helper.result().x, flow_values(p)) and helper.failed
    finally:
        helper.close()


@pytest.mark.parametrize("seed", range(8))
def test_the_one_row_model_read_off_the_lines_equals_the_lp(seed):
    rng = np.random.default_rng(seed)
    box = 4.0
    lines = [(rng.uniform(-5, 5), rng.uniform(-8, 3)) for _ in range(6)]  # g: the upper envelope of these
    cuts = []
    for at in rng.uniform(0.0, box, size=int(rng.integers(1, 6))):
        offset, slope = max(lines, key=lambda line: line[0] + line[1] * at)
        cuts.append((np.array([at]), offset + slope * at, np.array([slope])))
    best = min(value for _, value, _ in cuts)
    by_lines = large._model(cuts, 1, box, best)
    by_lp = _lp_model(cuts, box, best)
    assert by_lines[0] == pytest.approx(by_lp[0], abs=1e-7)
    assert by_lines[1][0] == pytest.approx(by_lp[1][0], abs=1e-6)
    assert by_lines[0] <= best + 1e-12 and 0.0 <= by_lines[1][0] <= box


def _lp_model(cuts, box, best):
    """The two LPs of ``large._model`` for one row, written out (the reference for the lines)."""
    from scipy.optimize import linprog
    a_ub = np.array([[c_slope[0], -1.0] for _, _, c_slope in cuts])
    b_ub = np.array([float(c_slope @ c_point) - c_value for c_point, c_value, c_slope in cuts])
    res = linprog([0.0, 1.0], A_ub=a_ub, b_ub=b_ub, bounds=[(0.0, box), (None, None)], method="highs")
    model = float(res.x[-1])
    level = model + large.LEAN * (best - model)
    leaning = linprog([-1.0], A_ub=a_ub[:, :-1], b_ub=b_ub + level, bounds=[(0.0, box)], method="highs")
    return model, leaning.x


@pytest.mark.parametrize("cores, load, wanted", [(2, 1.4, True), (2, 1.6, False), (4, 3.4, True), (1, 0.0, False)])
def test_a_flow_worker_is_started_only_when_a_core_looks_free(cores, load, wanted, monkeypatch):
    monkeypatch.setattr(worker_module.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(worker_module.os, "getloadavg", lambda: (load, load, load))
    assert worker_module.wanted(worker_module.PARALLEL_EDGES) is wanted
    assert worker_module.wanted(worker_module.PARALLEL_EDGES - 1) is False


def test_a_flow_worker_that_cannot_start_leaves_the_flows_here(monkeypatch):
    def refuse(*_, **__):
        raise OSError("no such interpreter")
    monkeypatch.setattr(worker_module.subprocess, "Popen", refuse)
    assert worker_module.start(net_of(prepare(_scarce(60, 1)))) is None


def _coloured(instance: Instance) -> Board:
    """The large path's first schedule: the selection flow, rounded and coloured, nothing repaired."""
    p = prepare(instance)
    board = Board(p)
    assign_module.colour(board, assign_module.round_selection(p, flow_values(p)))
    return board


def test_the_repair_stops_after_a_pass_that_gains_less_than_its_settle_share_of_the_score():
    board = _coloured(_scarce(300, 5, 0.02))
    after: list[tuple[float, float]] = []  # per pass: (gain so far, score)
    free = board.copy()
    stats = repair(free, float("inf"), on_pass=lambda s: after.append((s["gain"], free.score())))
    assert stats["passes"] >= 2 and after[0][0] > 1e-7  # without a settle share, passes go on after the first gains
    first = after[0][0] / after[0][1]  # the first pass's gain as a share of the score after it
    settled, shy = board.copy(), board.copy()
    assert repair(settled, float("inf"), settle=1.01 * first)["passes"] == 1
    assert repair(shy, float("inf"), settle=0.99 * first)["passes"] >= 2
    assert settled.score() == pytest.approx(after[0][1]) and shy.score() >= settled.score()


@pytest.mark.parametrize("seed, required", [(4, 0.0), (6, 0.03)])
def test_the_selection_s_tier_of_30_selects_what_the_exact_tier_selects(seed, required, monkeypatch):
    p = prepare(_scarce(400, seed, required))
    capped = network(net_of(p), *flow_module.selection_rewards(p))
    assert flow_module.tiers(p)[0] == flow_module.TIER < len(p.wanting()) + 1
    monkeypatch.setattr(flow_module, "TIER", 1e9)  # the exact order (companies + 1), or as near as the costs allow
    assert flow_module.tiers(p)[0] > 300
    exact = network(net_of(p), *flow_module.selection_rewards(p))
    assert capped.on_level == exact.on_level
    assert capped.x[np.asarray(p.required)].sum() == exact.x[np.asarray(p.required)].sum()
    assert float(capped.x @ np.asarray(p.score)) == pytest.approx(float(exact.x @ np.asarray(p.score)), abs=1e-3)


def test_the_colouring_s_shortcut_for_pool_tables_colours_as_the_board_s_own_check_does(monkeypatch):
    instance = _scarce(300, 7, 0.02)
    fast = _coloured(instance)
    monkeypatch.setattr(assign_module, "_feasible", lambda board: board.feasible_slots)
    assert _coloured(instance).slot_of == fast.slot_of and sum(s >= 0 for s in fast.slot_of) > 150
