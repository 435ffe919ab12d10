"""Meeting selection for large sessions as a min-cost flow (OR-Tools' ``SimpleMinCostFlow``).

A b-matching on a general graph is not a flow, but its bipartite double cover is: every company
v appears as a left node ``L_v`` and a right node ``R_v``, and a pair {u, v} as the arcs
``L_u -> R_v`` and ``L_v -> R_u``. An integral flow there is a fractional b-matching with values in
{0, 1/2, 1} (``x_uv`` = half the flow on its two arcs), the same LP relaxation as ``lp`` without
its table rows. The rest of the objective maps onto arcs (``network``):

* degrees: ``source -> L_v`` and ``R_v -> sink`` carry at most ``cap_v`` units each;
* levels: the first unit on each of those arcs earns half of level 1's reward, the second half of
  level 2's, ... (parallel arcs with falling rewards: the flow takes the first ones first), so
  a company's k-th meeting earns the reward of level k; only companies wanting meetings have them;
* tables: every unit leaves the source through a budget node holding ``2 x tables x slots``;
* every pair arc earns half the pair's reward; forbidden and impossible pairs are not arcs.

Flow that is not worth sending goes straight from the source to the sink at cost 0. Costs are
integers and the solver multiplies them by the node count, so ``|cost| x nodes`` must stay inside
int64 (``COST_LIMIT``).

Selection (``flow_values``) rewards pairs by score (a resolution of ``top / SCORE_UNITS``), levels
and required pairs in tiers: level L earns ``G x top``, level k ``G`` times level k+1, a required
pair ``G`` times level 1, with ``G`` = ``TIER`` (30), or companies + 1 if fewer, or the largest
factor that fits the cost limit if smaller. One more company at a level then outweighs 30 at
the next. That is the lexicographic order of ``fairness`` in all but name: two selections differ
by alternating paths, each of which changes the degrees of the two companies at its ends only,
and a path that adds a meeting needs a table-slot another path gives up, so giving up one
company's level buys at most a few at the next. Costs as large as the exact order's factor
(companies + 1) made the flow slower and chose the same meetings: on the generated families,
1,000 to 20,000 companies, ``G`` = 10, 30, 100 and the exact factor select the same level counts,
required pairs and score, and ``G`` = 30 takes 0.6-0.8 of the time (scarce 20,000: 1.3 s, not
2.0). The exact key is compared afterwards anyway and the fair bound (``large``) does not depend
on ``G``, so a tier too small would show in the share of the bound the report gives; the flow
only chooses which meetings to colour. The half edges are rounded by ``assign.round_selection``;
slots and tables come from the colouring and repair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from .problem import Problem, top_score

SCORE_UNITS = 1e4  # selection: integer cost units per best score
COST_LIMIT = 4e17  # |cost| x nodes must stay well inside int64 (the solver scales costs by the node count)
MIN_TIER = 10.0
TIER = 30.0  # the selection's factor between tiers when the exact one (companies + 1) is larger (module docstring)


@dataclass
class Solved:
    """An optimal flow: objective in cost units (a maximum), edge values, units on each level's arcs."""

    reward: int
    x: np.ndarray
    on_level: list[int]


@dataclass(frozen=True)
class Net:
    """What the double cover takes from a ``Problem``: plain arrays, so a flow worker can receive it."""

    n: int
    ea: np.ndarray
    eb: np.ndarray
    cap: np.ndarray
    wanting: np.ndarray  # bool per company (``Problem.wanting``)
    seats: int  # 2 x pool tables x slots


def net_of(p: Problem) -> Net:
    """The arrays of *p*'s double cover (module docstring)."""
    wanting = np.zeros(p.n, dtype=bool)
    wanting[np.asarray(p.wanting(), dtype=np.int64)] = True
    return Net(p.n, np.asarray(p.ea, dtype=np.int64), np.asarray(p.eb, dtype=np.int64), np.asarray(p.cap, dtype=np.int64),
               wanting, 2 * len(p.pool) * p.slots)


def network(net: Net, level_rewards: list[int], edge_rewards: np.ndarray) -> Solved:
    """Solve the double cover (module docstring) with integer rewards per unit.

    *level_rewards[k]* is the reward of one unit on a company's (k+1)-th degree arc of one side,
    *edge_rewards[e]* of one unit on each of edge e's two arcs. Raises RuntimeError when the
    solver finds no optimal flow.
    """
    n, depth, m = net.n, len(level_rewards), len(net.ea)
    source, sink, budget = 2 * n, 2 * n + 1, 2 * n + 2
    seats, cap = net.seats, net.cap
    levels = np.where(net.wanting, np.minimum(cap, depth), 0)
    company = np.arange(n, dtype=np.int64)
    level_arcs: list[list[tuple[int, int]]] = [[] for _ in range(depth)]
    tails, heads, caps, costs = [np.array([source, source])], [np.array([budget, sink])], [np.array([seats, seats])], [np.zeros(2, dtype=np.int64)]
    for left in (True, False):
        for k in range(depth):
            who = company[levels > k]
            start = sum(len(t) for t in tails)
            level_arcs[k].append((start, start + len(who)))
            tails.append(np.full(len(who), budget) if left else n + who)
            heads.append(who if left else np.full(len(who), sink))
            caps.append(np.ones(len(who), dtype=np.int64))
            costs.append(np.full(len(who), -int(level_rewards[k]), dtype=np.int64))
        rest = cap - levels
        who = company[rest > 0]
        tails.append(np.full(len(who), budget) if left else n + who)
        heads.append(who if left else np.full(len(who), sink))
        caps.append(rest[who])
        costs.append(np.zeros(len(who), dtype=np.int64))
    first = sum(len(t) for t in tails)
    edge_costs = -np.asarray(edge_rewards, dtype=np.int64)
    tails += [net.ea, net.eb]
    heads += [n + net.eb, n + net.ea]
    caps.append(np.ones(2 * m, dtype=np.int64))
    costs += [edge_costs, edge_costs]
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(np.concatenate(tails).astype(np.int32), np.concatenate(heads).astype(np.int32),
                                              np.concatenate(caps).astype(np.int64), np.concatenate(costs).astype(np.int64))
    flow.set_node_supply(source, seats)
    flow.set_node_supply(sink, -seats)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow: no optimal flow (status {status})")
    sent = flow.flows(np.arange(first, first + 2 * m)).astype(np.int64)
    on_level = [sum(int(flow.flows(np.arange(a, b)).sum()) for a, b in arcs) for arcs in level_arcs]
    return Solved(-int(flow.optimal_cost()), (sent[:m] + sent[m:]) / 2.0, on_level)


def tiers(p: Problem) -> tuple[float, float]:
    """``(G, score units per unit of score)`` of the selection (module docstring)."""
    top = top_score(p)
    units = SCORE_UNITS / top
    depth = len(p.bonus)
    largest = COST_LIMIT / (2 * p.n + 3)  # largest cost the solver can take here
    room = largest / (4.0 * SCORE_UNITS)  # what the tiers may multiply the best score by
    tier = max(MIN_TIER, min(TIER, len(p.wanting()) + 1.0, room ** (1.0 / (depth + 1))))
    return tier, units


def selection_rewards(p: Problem) -> tuple[list[int], np.ndarray]:
    """``(level rewards, edge rewards)`` of the selection flow (module docstring)."""
    tier, units = tiers(p)
    depth, top = len(p.bonus), top_score(p)
    level_rewards = [int(round(top * tier ** (depth - k) * units / 2)) for k in range(depth)]
    required = top * tier ** (depth + 1)
    value = np.asarray(p.score, dtype=float) + np.where(np.asarray(p.required, dtype=bool), required, 0.0)
    return level_rewards, np.rint(value * units / 2).astype(np.int64)


def flow_values(p: Problem) -> np.ndarray:
    """Edge values in {0, 0.5, 1} of the selection flow (module docstring)."""
    return network(net_of(p), *selection_rewards(p)).x
