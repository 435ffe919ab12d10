"""Meeting selection for large sessions as a min-cost flow (OR-Tools' ``SimpleMinCostFlow``).

A b-matching on a general graph is not a flow, but its bipartite double cover is: every company
v appears as a left node ``L_v`` and a right node ``R_v``, and a pair {u, v} as the arcs
``L_u -> R_v`` and ``L_v -> R_u``. An integral flow there is a fractional b-matching with values in
{0, 1/2, 1} (``x_uv`` = half the flow on its two arcs), the same LP relaxation as ``lp`` without
its table rows. The rest of the objective maps onto arcs:

* degrees: ``source -> L_v`` and ``R_v -> sink`` carry at most ``cap_v`` units each;
* floors: the first unit on each of those arcs earns half of level 1's weight, the second half of
  level 2's, ... (parallel arcs with falling rewards: the flow takes the first ones first), so
  a company's k-th meeting is worth ``w[k]`` as in ``fairness``;
* tables: every unit leaves the source through a budget node holding ``2 x tables x slots``;
* required pairs earn the required weight; forbidden and impossible pairs are not arcs.

Flow that is not worth sending goes straight from the source to the sink at cost 0. Costs are
integers: weights are scaled by ``SCALE`` and rounded (scores keep 3 decimals), less when the
largest weight would overflow the solver's 64-bit arithmetic (very large sessions). The half edges
are rounded by ``assign.round_selection``; slots and tables come from the colouring and repair.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .problem import Problem

SCALE = 1000.0
COST_LIMIT = 4e17  # |cost| x nodes must stay well inside int64 (the solver scales costs by the node count)


def _scale(p: Problem) -> float:
    """``SCALE``, lowered when the largest weight times the node count would overflow."""
    largest = max([p.required_weight + max(p.score, default=0.0), *p.bonus, 1.0])
    return min(SCALE, COST_LIMIT / ((2 * p.n + 3) * largest))


def flow_values(p: Problem) -> np.ndarray:
    """Edge values in {0, 0.5, 1} of the min-cost flow (module docstring)."""
    n, depth = p.n, len(p.bonus)
    source, sink, budget = 2 * n, 2 * n + 1, 2 * n + 2
    scale = _scale(p)

    def _int(value: float) -> int:
        return int(round(value * scale))

    flow = min_cost_flow.SimpleMinCostFlow()
    seats = 2 * p.instance.tables * p.slots
    wanting = set(p.wanting())
    tails, heads, caps, costs = [source, source], [budget, sink], [seats, seats], [0, 0]
    for v in range(n):
        levels = min(depth, p.cap[v]) if v in wanting else 0
        for side_tail, side_head in ((budget, v), (n + v, sink)):
            for k in range(levels):
                tails.append(side_tail), heads.append(side_head), caps.append(1), costs.append(-_int(p.bonus[k] / 2))
            if p.cap[v] > levels:
                tails.append(side_tail), heads.append(side_head), caps.append(p.cap[v] - levels), costs.append(0)
    first_edge_arc = len(tails)
    for e in range(p.m):
        cost = -_int(p.value(e))
        a, b = p.ea[e], p.eb[e]
        tails += [a, b]
        heads += [n + b, n + a]
        caps += [1, 1]
        costs += [cost, cost]
    flow.add_arcs_with_capacity_and_unit_cost(np.asarray(tails, dtype=np.int32), np.asarray(heads, dtype=np.int32),
                                              np.asarray(caps, dtype=np.int64), np.asarray(costs, dtype=np.int64))
    flow.set_node_supply(source, seats)
    flow.set_node_supply(sink, -seats)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow: no optimal flow (status {status})")
    sent = flow.flows(np.arange(first_edge_arc, first_edge_arc + 2 * p.m))
    return sent.reshape(-1, 2).sum(axis=1) / 2.0
