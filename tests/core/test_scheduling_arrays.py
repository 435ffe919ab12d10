"""The array paths of the scheduler give what the per-edge loops give (``specs``, ``vectors``)."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.core.scheduling import Company, Instance, Pair, solver
from matchmaker.core.scheduling import repair as repair_module
from matchmaker.core.scheduling import board as board_module
from matchmaker.core.scheduling import vectors
from matchmaker.core.scheduling.board import Board
from matchmaker.core.scheduling.greedy import greedy, greedy_order
from matchmaker.core.scheduling.large import _Bounder, _minimise, bounds, first_meetings
from matchmaker.core.scheduling.fairness import levels
from matchmaker.core.scheduling.lp import simple_bound
from matchmaker.core.scheduling.problem import prepare, score_span
from matchmaker.core.scheduling.specs import incidence, is_plain

FIELDS = ("ea", "eb", "score", "required", "pin_slot", "pin_table", "allowed", "options", "itype", "incident",
          "structural", "bonus", "required_weight", "cap", "avail", "pool")


def _random_instance(seed: int, n: int = 14, slots: int = 5) -> Instance:
    """Plain, with everything prepare sorts out: forbidden pairs, unknown and repeated required
    pairs, required pairs nobody listed, companies with cap 0 or no common slot, ids out of order."""
    rng = np.random.default_rng(seed)
    ids = [f"{'zyx'[i % 3]}{rng.integers(1000)}-{i}" for i in range(n)]
    companies = [Company(c, int(rng.integers(0, 4)), frozenset(np.flatnonzero(rng.random(slots) < 0.4).tolist()))
                 for c in ids]
    keys = {tuple(rng.choice(n, size=2, replace=False).tolist()) for _ in range(3 * n)}
    unique = {frozenset(k): k for k in keys}.values()
    pairs = [Pair(ids[a], ids[b], float(rng.choice([0.0, -0.3, rng.random(), 1.0]))) for a, b in unique]
    listed = [(p.a, p.b) for p in pairs]
    fresh = [tuple(ids[i] for i in rng.choice(n, size=2, replace=False).tolist()) for _ in range(4)]
    required = [listed[i] for i in rng.choice(len(listed), size=5).tolist()] + fresh + [("nobody", ids[0])]
    forbidden = [listed[0][::-1], fresh[0]]
    tables = 0 if seed % 5 == 0 else int(rng.integers(1, 4))
    return Instance(slots, tables, companies, pairs, required, forbidden)


@pytest.mark.parametrize("seed", range(40))
def test_the_array_prepare_equals_the_per_pair_prepare(seed):
    instance = _random_instance(seed)
    assert is_plain(instance)
    fast, slow = prepare(instance), prepare(instance, vectorised=False)
    for name in FIELDS:
        assert getattr(fast, name) == getattr(slow, name), name
    assert all(type(x) is float for x in fast.score) and all(type(x) is bool for x in fast.required)
    assert all(type(x) is int for x in fast.ea + fast.eb + fast.allowed)
    assert (fast.m > 0) == (instance.tables > 0) and fast.structural


def test_the_array_prepare_reports_every_structural_reason_in_order():
    companies = [Company("b", 2), Company("a", 2, frozenset({0})), Company("c", 0), Company("d", 2, frozenset({1}))]
    pairs = [Pair("b", "a", 0.5), Pair("c", "b", 0.7)]
    instance = Instance(2, 1, companies, pairs, [("a", "d"), ("b", "c"), ("x", "a"), ("a", "b"), ("b", "a")], [("a", "b")])
    p = prepare(instance)
    assert [(u.a, u.b, u.reason) for u in p.structural] == [
        ("a", "x", "unknown_company"), ("a", "b", "forbidden"), ("a", "d", "no_common_free_slot"), ("b", "c", "over_cap")]
    assert [u.detail for u in p.structural][2:] == ["'a' and 'd' have no slot in which both are available", "'c' has a cap of 0"]
    assert p.m == 0 and p.structural == prepare(instance, vectorised=False).structural


def test_a_session_without_tables_reports_no_table_for_its_required_pairs():
    instance = Instance(2, 0, [Company("a", 1), Company("b", 1)], [Pair("a", "b", 0.4)], [("b", "a")])
    assert [(u.reason, u.detail) for u in prepare(instance).structural] == [("no_table", "there are no tables")]


@pytest.mark.parametrize("company", [Company("a", 2, table=0), Company("a", 2, languages=frozenset({"ja"})),
                                     Company("a", 2, mode="online")])
def test_fixed_tables_languages_and_online_companies_take_the_per_pair_path(company):
    instance = Instance(2, 2, [company, Company("b", 2)], [Pair("a", "b", 0.4)])
    assert not is_plain(instance)
    assert prepare(instance).options == prepare(instance, vectorised=False).options


def test_incidence_lists_each_company_s_edges_in_increasing_order():
    assert incidence(4, np.array([2, 0, 1, 0]), np.array([3, 2, 0, 3])) == [[1, 2, 3], [2], [0, 1], [0, 3]]


@pytest.mark.parametrize("pairs, message", [
    ([Pair("a", "b", 0.1), Pair("b", "a", 0.2)], "pairs[1]: duplicate pair ('a', 'b') (first at pairs[0])"),
    ([Pair("a", "q", 0.1)], "pairs[0].b: unknown company 'q'"),
    ([Pair("a", "a", 0.1)], "pairs[0]: a company cannot meet itself ('a')"),
    ([Pair("a", "b", float("nan"))], "pairs[0].score: expected a finite number, got nan"),
    ([Pair("a", "b", True)], "pairs[0].score: expected a finite number, got True"),
    ([Pair("a", "b", 0.1), Pair("a", "", 0.1)], "pairs[1].b: expected a non-empty company id string, got ''"),
])
def test_bad_pairs_still_name_the_first_bad_field(pairs, message):
    with pytest.raises(ValueError) as raised:
        prepare(Instance(2, 1, [Company("a", 1), Company("b", 1)], pairs))
    assert str(raised.value) == message


def _board(seed: int) -> Board:
    """A greedy board of a random instance with bonuses: some companies full, some short."""
    rng = np.random.default_rng(seed)
    instance = _random_instance(seed, n=30, slots=6)
    p = prepare(instance)
    board = greedy(p)
    for e in rng.choice(max(p.m, 1), size=min(p.m, 5), replace=False).tolist():
        if board.slot_of[e] >= 0:
            board.remove(e)
    return board


def _loops(monkeypatch) -> None:
    monkeypatch.setattr(vectors, "applies", lambda p: False)


@pytest.mark.parametrize("seed", range(20))
def test_the_repair_s_array_helpers_equal_its_loops(seed, monkeypatch):
    board = _board(seed)
    opps = repair_module.opportunities(board)
    weights = repair_module._slot_weights(board, opps)
    floors = repair_module.slot_floors(board)
    windows = [3, 5, 12, 48, 63]
    promising = [repair_module._promising(board, opps, w, floors, 4) for w in windows]
    _loops(monkeypatch)
    assert repair_module.opportunities(board) == opps
    assert repair_module._slot_weights(board, opps) == weights
    assert [repair_module._promising(board, opps, w, floors, 4) for w in windows] == promising
    assert sum(weights) >= len(opps) > 0 or not opps


@pytest.mark.parametrize("seed", range(20))
def test_the_refill_and_the_greedy_order_by_arrays_equal_the_loops(seed, monkeypatch):
    board = _board(seed)
    p = board.p
    by_arrays = board.copy()
    solver._fill(by_arrays)
    key = {e: ((0 if p.pin_slot[e] >= 0 or p.pin_table[e] >= 0 else (1 if p.required[e] else 2)), -p.score[e], e)
           for e in range(p.m)}
    assert greedy_order(p) == sorted(range(p.m), key=key.__getitem__)
    _loops(monkeypatch)
    by_loops = board.copy()
    solver._fill(by_loops)
    assert by_arrays.slot_of == by_loops.slot_of and by_arrays.table_of == by_loops.table_of


def test_the_unfair_bound_is_the_first_flow_of_the_fair_search():
    instance = _random_instance(3, n=40, slots=4)
    p = prepare(instance)
    board = greedy(p)
    forced = np.array([p.required[e] and board.slot_of[e] >= 0 for e in range(p.m)], dtype=bool)
    fair, unfair, stats = bounds(p, board.count, forced, None, 60.0)
    plain = _minimise(_Bounder(p, forced, (), None), np.zeros(0), float("inf"))[0]
    assert unfair == plain and fair <= unfair + 1e-9
    assert board.score() <= fair + 1e-9 and stats["bound_flows"] >= 1
    assert len(levels(p, board.count)) == len(stats["bound_multipliers"])


@pytest.mark.parametrize("seed", range(10))
def test_best_sums_add_the_same_floats_as_the_loops(seed):
    p = prepare(_random_instance(seed, n=30))
    def loops(value):
        per_company = [sorted((value(p.score[e]) for e in p.incident[v]), reverse=True)[: p.cap[v]] for v in range(p.n)]
        return 0.5 * sum(sum(best) for best in per_company)
    assert score_span(p) == loops(abs)
    assert simple_bound(p) == loops(lambda s: max(s, 0.0))
    assert simple_bound(p) > 0 or p.m == 0


@pytest.mark.parametrize("seed", range(10))
def test_placing_a_pool_meeting_by_the_pool_mask_picks_the_slot_the_table_scan_picks(seed, monkeypatch):
    p = prepare(_random_instance(seed, n=30))
    by_mask = greedy(p)
    feasible = [by_mask.feasible_slots(e) for e in range(p.m)]
    monkeypatch.setattr(board_module, "POOL_ONLY", ("never",))
    by_scan = greedy(p)
    assert [by_scan.feasible_slots(e) for e in range(p.m)] == feasible
    assert by_mask.slot_of == by_scan.slot_of and by_mask.table_of == by_scan.table_of
    assert len(by_mask.placed()) == len(by_scan.placed()) and (by_mask.placed() or p.m == 0)


def _first_meetings_by_scans(board: Board) -> int:
    """The reference: every slot's spare meetings scanned for the weakest, per attempt."""
    p, helped = board.p, 0
    for v in p.wanting():
        if board.count[v]:
            continue
        for e in sorted(p.incident[v], key=lambda e: -p.score[e]):
            mask = board.open_slots(e) if board.has_room(e) else 0
            while mask:
                s = (mask & -mask).bit_length() - 1
                mask &= mask - 1
                if not board.pool_free[s]:
                    spare = [g for g in board.placed() if board.slot_of[g] == s and not p.required[g]
                             and board.count[p.ea[g]] > 1 and board.count[p.eb[g]] > 1]
                    if not spare:
                        continue
                    board.remove(min(spare, key=lambda g: (p.score[g], g)))
                board.place(e, s, -1)
                helped += 1
                break
            if board.count[v]:
                break
    return helped


@pytest.mark.parametrize("seed", range(8))
def test_first_meetings_by_sorted_slots_equal_the_scans(seed):
    rng = np.random.default_rng(seed)
    n, hubs = 60, 4
    companies = [Company(f"c{i:02d}", 4) for i in range(n)]
    keys = {(min(a, b), max(a, b)) for a in range(n) for b in rng.choice(hubs, size=2).tolist() if a != b}
    keys |= {tuple(sorted(rng.choice(n, size=2, replace=False).tolist())) for _ in range(n)}
    pairs = [Pair(f"c{a:02d}", f"c{b:02d}", float(0.9 + 0.1 * rng.random() if b < hubs else rng.random()))
             for a, b in sorted(keys)]
    required = [(x.a, x.b) for x in pairs[:: 9]]
    p = prepare(Instance(3, 8, companies, pairs, required))
    start = greedy(p)
    by_lists, by_scans = start.copy(), start.copy()
    helped = first_meetings(by_lists)
    assert helped == _first_meetings_by_scans(by_scans) and helped > 0
    assert by_lists.slot_of == by_scans.slot_of
