"""Interpreters and online meetings in the scheduling core (pure, no app)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.core.scheduling import (
    NO_INTERPRETER,
    Company,
    Instance,
    Interpreter,
    Meeting,
    Pair,
    Pin,
    instance_from_dict,
    instance_to_dict,
    result_to_dict,
    solve,
    solver,
    validate_schedule,
)
from matchmaker.core.scheduling import large
from matchmaker.core.scheduling.model import pair_key

METHODS = ["optimal", "greedy"]
LEGACY = Path(__file__).parent / "data" / "legacy_schedules.json"


def ja(cid, cap=4, **kw):
    return Company(cid, cap, languages={"ja"}, **kw)


def vi(cid, cap=4, **kw):
    return Company(cid, cap, languages={"vi"}, **kw)


def checked(instance, method, **kwargs):
    """Solve and assert the invariants every result must satisfy (interpreters included)."""
    result = solve(instance, method, **kwargs)
    assert validate_schedule(instance, result.meetings) == []
    assert result.score <= result.bound + 1e-6
    return result


@pytest.mark.parametrize("case", json.loads(LEGACY.read_text()), ids=lambda c: f"{c['method']}-{len(c['instance']['companies'])}")
def test_an_instance_without_the_new_fields_solves_exactly_as_before(case, monkeypatch):
    # The schedules were recorded with the solver before interpreters and online meetings existed
    # (branch sched-fair at 67ad929: lexicographic objective, flow selection); the optimal
    # 150-company case was re-recorded when the flow selection got its tiered weights (i16-flow):
    # one company fewer reaches six meetings there (149 -> 148), score 396.96 -> 395.74; and again
    # when this test let the large path's repair run until a pass gains nothing (score 396.98):
    # with the product's share of a 0.06 s solve, one window more or less under a loaded CI machine
    # changed the schedule. (The product's repair also stops after a pass that gains under
    # ``REPAIR_SETTLE`` of the score; here it runs on, as when the schedule was recorded.)
    monkeypatch.setattr(large, "REPAIR_MIN_SECONDS", 60.0)
    monkeypatch.setattr(large, "REPAIR_SETTLE", 0.0)
    result = solve(instance_from_dict(case["instance"]), case["method"], time_limit=60)
    assert sorted([x.a, x.b, x.slot, x.table] for x in result.meetings) == case["meetings"]
    assert result.score == case["score"]
    assert all(x.interpreter is None for x in result.meetings)
    assert (result.lost_to_interpreters, result.interpreter_slots) == (0, [])


@pytest.mark.parametrize("method", METHODS)
def test_one_interpreter_serves_one_meeting_per_slot(method):
    companies = [ja("j1"), ja("j2"), vi("v1"), vi("v2")]
    pairs = [Pair(a, b, 1.0) for a in ("j1", "j2") for b in ("v1", "v2")]
    inst = Instance(2, 4, companies, pairs, interpreters=[Interpreter("i1", {"ja", "vi"})])
    result = checked(inst, method)
    assert result.meetings_count == 2
    assert {x.slot for x in result.meetings} == {0, 1}
    assert all(x.interpreter == "i1" for x in result.meetings)
    assert result.lost_to_interpreters == 2
    assert result.interpreter_slots == [(0, 1), (1, 1)]


def test_a_shortage_that_costs_no_meeting_still_costs_score():
    # One slot, one interpreter: J1-V1 takes it, so J2 and V2 (no common language) meet the
    # bilingual X and Y instead of each other; every company meets, at 1.4 less than with two.
    companies = [ja("J1", 1), vi("V1", 1), ja("J2", 1), vi("V2", 1),
                 Company("X", 1, languages={"ja", "vi"}), Company("Y", 1, languages={"ja", "vi"})]
    pairs = [Pair("J1", "V1", 1.0), Pair("J2", "V2", 1.0), Pair("X", "Y", 1.0), Pair("J2", "X", 0.3), Pair("V2", "Y", 0.3)]
    short = checked(Instance(1, 3, companies, pairs, interpreters=[Interpreter("i1", {"ja", "vi"})]), "optimal")
    assert sorted((x.a, x.b) for x in short.meetings) == [("J1", "V1"), ("J2", "X"), ("V2", "Y")]
    assert (short.lost_to_interpreters, short.score_lost_to_interpreters) == (0, pytest.approx(1.4))
    assert short.interpreter_slots == [(0, 1)]  # one more interpreter in slot 0
    assert result_to_dict(short)["score_lost_to_interpreters"] == pytest.approx(1.4)
    enough = checked(Instance(1, 3, companies, pairs, interpreters=[Interpreter(f"i{k}", {"ja", "vi"}) for k in (1, 2)]), "optimal")
    assert enough.score == pytest.approx(3.0)
    assert (enough.lost_to_interpreters, enough.score_lost_to_interpreters, enough.interpreter_slots) == (0, 0.0, [])


def test_pairs_no_interpreter_can_serve_at_all_count_in_the_shortage_too():
    # The only interpreter is away in the only slot: J1-V1 is not even a candidate of the real
    # problem, so J1 and V1 meet the bilingual X and Y (0.6); with an interpreter, 2.0.
    companies = [ja("J1", 1), vi("V1", 1), Company("X", 1, languages={"ja", "vi"}), Company("Y", 1, languages={"ja", "vi"})]
    pairs = [Pair("J1", "V1", 1.0), Pair("X", "Y", 1.0), Pair("J1", "X", 0.3), Pair("V1", "Y", 0.3)]
    away = checked(Instance(1, 2, companies, pairs, interpreters=[Interpreter("i1", {"ja", "vi"}, unavailable={0})]), "optimal")
    assert sorted((x.a, x.b) for x in away.meetings) == [("J1", "X"), ("V1", "Y")]
    assert (away.lost_to_interpreters, away.score_lost_to_interpreters) == (0, pytest.approx(1.4))
    assert away.interpreter_slots == [(0, 1)]
    greedy = checked(Instance(1, 2, companies, pairs, interpreters=[Interpreter("i1", {"ja", "vi"}, unavailable={0})]), "greedy")
    assert [(x.a, x.b) for x in greedy.meetings] == [("X", "Y")]  # greedy takes the best pair, J1 and V1 meet no one
    assert (greedy.lost_to_interpreters, greedy.score_lost_to_interpreters, greedy.interpreter_slots) == (1, pytest.approx(1.0), [(0, 1)])


@pytest.mark.parametrize("method", METHODS)
def test_a_common_language_needs_no_interpreter(method):
    companies = [Company("j", 2, languages={"ja", "en"}), Company("v", 2, languages={"vi", "en"})]
    inst = Instance(1, 1, companies, [Pair("j", "v", 1.0)])
    result = checked(inst, method)
    assert [(x.table, x.interpreter) for x in result.meetings] == [(0, None)]


@pytest.mark.parametrize("method", METHODS)
def test_online_meetings_take_no_table(method):
    companies = [ja("j", mode="online"), Company("x", 2, languages={"ja"}), Company("y", 2, languages={"ja"})]
    inst = Instance(1, 1, companies, [Pair("j", "x", 0.9), Pair("x", "y", 0.5)], required=[("x", "y")])
    result = checked(inst, method, time_limit=10)
    # One slot: x can meet only one of them; the required on-site meeting keeps the one table.
    assert [(x.a, x.b, x.table) for x in result.meetings] == [("x", "y", 0)]
    both = Instance(1, 0, [ja("j", mode="online"), ja("k")], [Pair("j", "k", 1.0)])
    assert [(x.table, x.slot) for x in checked(both, method).meetings] == [(None, 0)]


@pytest.mark.parametrize("method", METHODS)
def test_an_online_interpreter_serves_online_meetings_only(method):
    companies = [ja("j1"), vi("v1"), ja("j2", mode="online"), vi("v2")]
    pairs = [Pair("j1", "v1", 1.0), Pair("j2", "v2", 0.5)]
    inst = Instance(1, 2, companies, pairs, interpreters=[Interpreter("remote", {"ja", "vi"}, "online")])
    result = checked(inst, method)
    assert [(pair_key(x.a, x.b), x.table, x.interpreter) for x in result.meetings] == [(("j2", "v2"), None, "remote")]


@pytest.mark.parametrize("method", METHODS)
def test_no_interpreter_who_speaks_both_sides_is_a_reason(method):
    companies = [ja("j"), vi("v"), Company("e", 2, languages={"en"})]
    inst = Instance(2, 2, companies, [], required=[("j", "v"), ("j", "e")],
                    interpreters=[Interpreter("i", {"ja", "en"}, unavailable={0, 1})])
    result = checked(inst, method)
    assert result.meetings == []
    assert sorted((pair_key(u.a, u.b), u.reason) for u in result.unplaced) == [
        (("e", "j"), NO_INTERPRETER), (("j", "v"), NO_INTERPRETER)]


def test_hall_rows_keep_a_specialist_for_the_meeting_only_they_can_serve():
    # Slot 0 only. "any" speaks ja, vi and en; "jv" only ja and vi. Two meetings: ja-vi and ja-en.
    companies = [ja("j1"), vi("v1"), ja("j2"), Company("e", 2, languages={"en"})]
    inst = Instance(1, 4, companies, [Pair("j1", "v1", 1.0), Pair("j2", "e", 1.0)],
                    interpreters=[Interpreter("any", {"ja", "vi", "en"}), Interpreter("jv", {"ja", "vi"})])
    result = checked(inst, "greedy")
    assert {pair_key(x.a, x.b): x.interpreter for x in result.meetings} == {("j1", "v1"): "jv", ("e", "j2"): "any"}


def _stranded_case() -> Instance:
    """One interpreter, four slots. The hub j1 likes v1..v4; j9's only partner is v4, and only a little."""
    companies = [ja("j1", cap=4), ja("j9", cap=4)] + [vi(f"v{i}", cap=4) for i in range(1, 5)]
    pairs = [Pair("j1", f"v{i}", 1.0) for i in range(1, 5)] + [Pair("j9", "v4", 0.2)]
    return Instance(4, 4, companies, pairs, interpreters=[Interpreter("i1", {"ja", "vi"})])


def test_optimal_spends_interpreters_where_a_company_would_have_no_meeting():
    inst = _stranded_case()
    greedy, optimal = checked(inst, "greedy"), checked(inst, "optimal")
    assert "j9" not in {c for x in greedy.meetings for c in (x.a, x.b)}
    assert greedy.idle["j9"] == "no_interpreter"
    assert ("j9", "v4") in {pair_key(x.a, x.b) for x in optimal.meetings}
    assert optimal.meetings_count == 4 and optimal.idle == {}
    assert optimal.lost_to_interpreters == 1  # j1-v4, in a slot where the interpreter is with j9
    with mock.patch.object(solver, "EXACT_LIMIT", -1):  # the two-phase path gets there too
        two_phase = checked(inst, "optimal", time_limit=10)
    assert ("j9", "v4") in {pair_key(x.a, x.b) for x in two_phase.meetings}


def test_the_bound_counts_interpreter_capacity():
    result = checked(_stranded_case(), "optimal")
    # Four interpreted meetings at most: the bound is below the 4.2 the pairs alone would allow.
    assert result.score == pytest.approx(3.2)
    assert result.unfair_bound <= 4.0 + 1e-6


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["interpreters"][0].update(languages=["ja"]), "interpreters[0].languages: an interpreter needs two languages"),
    (lambda d: d["interpreters"][0].update(unavailable=[9]), "interpreters[0].unavailable: 9 is out of range (0..3)"),
    (lambda d: d["interpreters"][0].update(mode="hybrid"), "interpreters[0].mode: expected \"onsite\" or \"online\""),
    (lambda d: d["companies"][0].update(mode="remote"), "companies[0].mode: expected \"onsite\" or \"online\""),
    (lambda d: d["companies"][0].update(languages=[""]), "companies[0].languages[0]: expected a language code"),
    (lambda d: d["interpreters"].append(dict(d["interpreters"][0])), "interpreters[1].id: duplicate interpreter id 'i1'"),
    (lambda d: d["interpreters"][0].update(pairs=[]), "interpreters[0].pairs: unknown field"),
])
def test_bad_interpreter_and_mode_input_names_the_field(change, message):
    d = _example()
    change(d)
    with pytest.raises(ValueError) as caught:
        instance_from_dict(d)
    assert str(caught.value).startswith(message)


def _example() -> dict:
    return {"slots": 4, "tables": 2,
            "companies": [{"id": "j", "cap": 2, "unavailable": [], "languages": ["ja"]},
                          {"id": "v", "cap": 2, "unavailable": [], "languages": ["vi"], "mode": "online"},
                          {"id": "e", "cap": 2, "unavailable": [], "languages": ["en", "ja"]}],
            "pairs": [{"a": "j", "b": "v", "score": 0.9}, {"a": "j", "b": "e", "score": 0.5}],
            "required": [], "forbidden": [], "pinned": [],
            "interpreters": [{"id": "i1", "languages": ["ja", "vi"], "mode": "onsite", "unavailable": [0, 1, 2]}]}


def test_file_format_round_trip_and_result_fields():
    d = _example()
    instance = instance_from_dict(json.loads(json.dumps(d)))
    assert instance_to_dict(instance) == d
    out = json.loads(json.dumps(result_to_dict(solve(instance))))
    meetings = {(x["a"], x["b"]): x for x in out["meetings"]}
    assert meetings[("j", "v")] == {"a": "j", "b": "v", "slot": 3, "table": None, "interpreter": "i1"}
    assert meetings[("e", "j")]["interpreter"] is None and meetings[("e", "j")]["table"] in (0, 1)


def test_validate_schedule_reports_interpreter_problems():
    d = _example()
    d["interpreters"][0]["unavailable"] = [0]
    inst = instance_from_dict(d)
    bad = [Meeting("j", "v", 0, None, "i1"), Meeting("j", "e", 1, None, "ghost"), Meeting("v", "e", 1, 0, None)]
    problems = "\n".join(validate_schedule(inst, bad))
    for text in ("interpreter i1 is unavailable in slot 0", "online meeting takes no table", "pair is not listed"):
        assert text in problems


@st.composite
def small_instances(draw) -> Instance:
    n = draw(st.integers(2, 10))
    slots, tables = draw(st.integers(1, 4)), draw(st.integers(0, 3))
    ids = [f"c{i}" for i in range(n)]
    languages = st.sampled_from([set(), {"ja"}, {"vi"}, {"en"}, {"ja", "en"}, {"vi", "en"}])
    slot_sets = st.frozensets(st.integers(0, slots - 1), max_size=slots)
    companies = [Company(cid, draw(st.integers(0, 3)), draw(slot_sets), None, draw(languages),
                         draw(st.sampled_from(["onsite", "onsite", "online"]))) for cid in ids]
    every = list(itertools.combinations(ids, 2))
    listed = draw(st.lists(st.sampled_from(every), unique=True, max_size=16))
    pairs = [Pair(a, b, draw(st.floats(0.0, 1.0, allow_nan=False))) for a, b in listed]
    required = draw(st.lists(st.sampled_from(every), unique=True, max_size=3))
    forbidden = draw(st.lists(st.sampled_from(every), unique=True, max_size=2))
    pinned = draw(st.lists(st.sampled_from(every), unique=True, max_size=2))
    maybe_table = st.none() | st.integers(0, tables - 1) if tables else st.none()
    pins = [Pin(a, b, draw(st.none() | st.integers(0, slots - 1)), draw(maybe_table)) for a, b in pinned]
    speaks = st.sampled_from([{"ja", "vi"}, {"ja", "en"}, {"vi", "en"}, {"ja", "vi", "en"}])
    interpreters = [Interpreter(f"i{k}", draw(speaks), draw(st.sampled_from(["onsite", "online"])), draw(slot_sets))
                    for k in range(draw(st.integers(0, 3)))]
    return Instance(slots, tables, companies, pairs, required, forbidden, pins, interpreters=interpreters)


def _both(instance: Instance) -> None:
    greedy, optimal = checked(instance, "greedy"), checked(instance, "optimal", time_limit=10)
    wanted = {pair_key(a, b) for a, b in instance.required} | {pair_key(x.a, x.b) for x in instance.pins}
    for result in (greedy, optimal):
        met = {pair_key(x.a, x.b) for x in result.meetings}
        assert {pair_key(u.a, u.b) for u in result.unplaced} == wanted - met
    placed = [len(wanted & {pair_key(x.a, x.b) for x in r.meetings}) for r in (greedy, optimal)]
    assert placed[1] >= placed[0]
    if placed[1] == placed[0]:  # lexicographic: companies with >= 1 meeting, >= 2, ..., then the score
        assert optimal.levels >= greedy.levels
        if optimal.levels == greedy.levels:
            assert optimal.score >= greedy.score - 1e-6


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_random_instances_with_interpreters_pins_and_forbids_are_valid_and_bounded(instance):
    _both(instance)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_random_instances_with_interpreters_through_the_two_phase_path(instance):
    with mock.patch.object(solver, "EXACT_LIMIT", -1):
        _both(instance)


def test_rescue_moves_an_interpreter_from_a_fourth_meeting_to_a_first():
    from matchmaker.core.scheduling.greedy import greedy
    from matchmaker.core.scheduling.problem import prepare
    from matchmaker.core.scheduling.rescue import rescue_idle

    p = prepare(_stranded_case())
    board = greedy(p)
    assert board.count[p.ids.index("j9")] == 0 and len(board.placed()) == 4
    assert rescue_idle(board) == 1
    assert board.count[p.ids.index("j9")] == 1 and len(board.placed()) == 4  # the ejected meeting found no slot
    meetings = [Meeting(p.ids[p.ea[e]], p.ids[p.eb[e]], s, t, "i1") for e, s, t in board.numbered()]
    assert validate_schedule(p.instance, meetings) == []
