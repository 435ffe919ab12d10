"""Choose business meetings and give each a slot and a table.

Public API
----------
Values (``model``): ``Company(id, cap, unavailable, table=None)``, ``Pair(a, b, score)``,
``Pin(a, b, slot=None, table=None)``, ``Instance(slots, tables, companies, pairs, required,
forbidden, pins)``, ``Meeting(a, b, slot, table)``, ``Unplaced(a, b, reason, detail)``,
``Result(meetings, score, bound, unplaced, seconds, method, fewest_meetings, stats)`` with
``meetings_count`` and ``fraction`` (= score / bound).

``solve(instance, method="optimal" | "greedy", time_limit=30.0, progress=None, *,
fairness=(1.0, 0.5), seed=0) -> Result``. ``progress(stage, fraction)`` is called as the
stages go by (prepare, bound, greedy, select, assign, repair or exact, report, done) with an
overall fraction in [0, 1]. Malformed input raises ``ValueError`` naming the field.

``validate_schedule(instance, meetings) -> list[str]``: every hard-constraint violation ([] =
valid). ``instance_from_dict(d) -> Instance`` / ``instance_to_dict`` / ``result_to_dict``: the
JSON file format (see ``serialize``).

Rules
-----
Hard: only listed, required or pinned pairs meet, forbidden pairs never; a company has at most
one meeting per slot, none in its unavailable slots, at most ``cap``; a table hosts one meeting
per slot; a company with a fixed table meets only there (two exhibitors meet at either one's
table) and a fixed table hosts only its owners' meetings; pins are honoured. A pinned pair is
required. Required pairs come first: every one that can be placed is placed; the others are
listed in ``Result.unplaced`` with a reason code (``no_common_free_slot``, ``no_table``,
``over_cap``, ``forbidden``, ``unknown_company``, ``infeasible``) and an English detail.

Objective and fairness
----------------------
Among schedules placing the required pairs, maximise

    sum of scores of the meetings  +  sum over companies v of  sum_{k <= meetings(v)} bonus[k]

with ``bonus = fairness x (largest pair score)``, by default 1.0x for a company's first meeting
and 0.5x for its second (only for companies that want meetings). A first meeting is thus worth
more than any single pair's score: the solver gives a company its first meeting whenever that
costs another company (with at least two meetings) one meeting, and a second meeting whenever
the score lost is under half the best score. Beyond the second meeting only the score counts,
so the score stays high: the bonus trades score only where a company would otherwise be left
with none or one. Required pairs weigh ``10 (slots + 1) x (best score + 2 x bonuses)`` each,
far more than any rearrangement of optional meetings can gain, so they come first; in the
repair windows a required meeting once placed is even constrained to stay placed.

Never worse than the baseline: if the optimising path ends with a lower score or a lower
``fewest_meetings`` than the greedy baseline (and does not place more required pairs), the
baseline schedule is improved under the side constraints "score never drops, no company falls
below the baseline's fewest" and returned instead.

The bound
---------
``Result.bound`` is the LP relaxation of meeting selection: a fractional b-matching (meetings of
a company <= min(cap, free slots)), plus the valid table rows (pool meetings <= pool tables x
slots; meetings that must sit at one fixed table <= slots its owners are available), forbidden
and impossible pairs removed. It is certified by weak duality from the LP duals, so it is an
upper bound on the score of every feasible schedule whatever the solver's tolerances. Placed
required pairs are forced to 1 only when every required pair left out is impossible in any
schedule (unknown company, forbidden, no common available slot, no allowed table, cap 0):
then every schedule obeying the rules contains them. Otherwise nothing is forced. The result
never exceeds ``min(LP bound, sum over companies of their best cap scores / 2)``.

Method "optimal"
----------------
Small problems (up to ``EXACT_LIMIT`` MILP columns) are solved as one MILP with HiGHS. Larger
ones in two phases: (1) selection: the LP above, with the fairness columns if the plain LP
leaves a company short, rounded by LP value within caps; (2) slots and tables: a DSatur-style
constructive colouring (fewest feasible slots first, least damage to neighbours), a cheap refill,
then repair: MILPs over two-slot windows around the companies that could still gain a meeting
(Kempe-chain neighbourhoods), accepted only when the objective strictly improves, until a pass
brings nothing or the time limit. Method "greedy" is the baseline: required first, then by
score, each at its first feasible slot and table.
"""

from .model import (
    FORBIDDEN,
    INFEASIBLE,
    NO_COMMON_FREE_SLOT,
    NO_TABLE,
    OVER_CAP,
    REASONS,
    UNKNOWN_COMPANY,
    Company,
    Instance,
    Meeting,
    Pair,
    Pin,
    Result,
    Unplaced,
)
from .serialize import instance_from_dict, instance_to_dict, result_to_dict
from .solver import solve
from .validate import validate_schedule

__all__ = [
    "Company", "Instance", "Meeting", "Pair", "Pin", "Result", "Unplaced",
    "FORBIDDEN", "INFEASIBLE", "NO_COMMON_FREE_SLOT", "NO_TABLE", "OVER_CAP", "REASONS", "UNKNOWN_COMPANY",
    "instance_from_dict", "instance_to_dict", "result_to_dict", "solve", "validate_schedule",
]
