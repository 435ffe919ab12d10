"""Choose business meetings and give each a slot and a table.

Public API
----------
Values (``model``): ``Company(id, cap, unavailable, table=None, languages=(), mode="onsite")``,
``Interpreter(id, languages, mode="onsite", unavailable=())``, ``Pair(a, b, score)``,
``Pin(a, b, slot=None, table=None)``, ``Instance(slots, tables, companies, pairs, required,
forbidden, pins, interpreters=())``, ``Meeting(a, b, slot, table, interpreter=None)``,
``Unplaced(a, b, reason, detail)``, ``Result(meetings, score, bound, unplaced, seconds, method,
fewest_meetings, stats, unfair_bound, floor, levels, idle, lost_to_interpreters,
interpreter_slots)`` with ``meetings_count`` and ``fraction`` (= score / bound).

``solve(instance, method="optimal" | "greedy", time_limit=30.0, progress=None, *,
fairness="lexicographic", keep_baseline=True, seed=0) -> Result``. ``progress(stage, fraction)``
is called as the stages go by (prepare, bound, greedy, select, assign, repair or exact,
report, done) with a non-decreasing overall fraction in [0, 1]. ``time_limit`` is wall-clock
seconds for the whole call; the greedy baseline and the report always run, and when required
pairs had to be left out the bound LP may take a few seconds more. Malformed input raises
``ValueError`` naming the field (``companies[3].unavailable: 16 is out of range (0..15)``).

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
``over_cap``, ``forbidden``, ``unknown_company``, ``infeasible``, ``no_interpreter``) and an
English detail.

Interpreters and online meetings
--------------------------------
Two companies that both list languages and share none need an interpreter who speaks a
language of each side; one interpreter serves one meeting per slot, never in an unavailable
slot. A meeting with an online company is online: it takes no table (``Meeting.table`` None);
an online interpreter serves online meetings only. Interpreter capacity per slot is counted in
Hall rows (``interpreters``): exact, so every schedule the solver builds has an assignment,
found per slot by bipartite matching (``staffing``). The LP bound has one row per Hall row
(meetings of those types <= free interpreters summed over slots), and the window MILP one per
Hall row and slot. ``Result.lost_to_interpreters`` and ``interpreter_slots`` report what the
shortage cost (``staffing.shortage``). Without languages, modes and interpreters nothing of
this applies and the solver behaves exactly as before.

Objective and fairness
----------------------
Lexicographic (``fairness="lexicographic"``, the default; details and the proof of the weights
in ``fairness``): schedules are compared by

    (required pairs placed, companies with >= 1 meeting, with >= 2, ..., with >= L, score)

from left to right: first every company that can have a meeting gets one, then a second, ...,
and only then the total score. Only companies that want meetings count (cap > 0, a free slot,
a viable pair). The key is written as one weighted sum whose level weights grow by a factor of
(companies + 1) per level, so the weighted optimum is the lexicographic one; ``L`` is as deep
as double precision allows (the largest cap on small sessions, 1-2 levels on large ones).
``Result.floor`` is the floor reached (fewest meetings of a company that has some and could
have more), ``Result.levels`` the companies at each level and ``Result.idle`` why each company
without a meeting has none (``cap_zero``, ``unavailable``, ``no_partner``, ``no_table``,
``partners_full``). A tuple ``fairness=(1.0, 0.5)`` gives the weighted bonuses of earlier
versions (first and second meeting worth 1.0 and 0.5 x the best score; ``()`` = score only).

Never worse than the baseline (``keep_baseline=True``, the default): if the greedy baseline
has a larger key (placing more required pairs counts first), the baseline is improved by the
repair and returned instead (``stats["restarted_from_greedy"]``). A baseline that breaks the
floor is never preferred for its higher score. ``keep_baseline=False`` skips the comparison.

The bound
---------
``Result.bound`` is the fair bound: the LP relaxation of meeting selection (below) with the
same floors as the returned schedule (``sum_v y[v,k] >= `` its companies at level k), so
``fraction`` is the share of the best possible among schedules at least as fair at every level.
``Result.unfair_bound`` is the LP relaxation without floors, so ``unfair_bound - score`` is the
most score fairness can have cost. The LP of meeting selection is a fractional b-matching
(meetings of a company <= min(cap, free slots)), plus the valid table rows (pool meetings <=
pool tables x slots; meetings that must sit at one fixed table <= slots its owners are
available), forbidden and impossible pairs removed. Both bounds are certified by weak duality
from the LP duals, so they are upper bounds whatever the solver's tolerances or time limits.
"Feasible" means obeying the hard rules and placing as many required pairs as possible. If
every required pair left out is impossible in any schedule (unknown company, forbidden, no
common available slot, no allowed table, cap 0), the placed ones are forced to 1: every
feasible schedule contains them (held at 1 in the fair LP itself, so its duals are the best
ones for the forced problem). Otherwise the LP gets the row "at least as many required
pairs as this schedule places", valid because a feasible schedule places at least as many.
``unfair_bound = min(LP certificate, sum over companies of their best cap scores / 2)``; the
latter alone is used if the LP fails, and the unfair bound stands in for the fair one if the
fair LP fails (``stats["fair_bound_failed"]``).

Method "optimal"
----------------
Small problems (up to ``EXACT_LIMIT`` MILP columns) are solved as one MILP with HiGHS (gap 0,
so the lexicographic optimum is proven when ``stats["proven_optimal"]``). Larger ones in two
phases: (1) selection: under the lexicographic objective a min-cost flow (``flow``: the double
cover of the b-matching with the level weights on company degrees and the table budget; OR-Tools),
otherwise the LP above (required pairs weighted), solved again with the level columns if it
leaves a company short; either rounded by value within caps;
(2) slots and tables: a DSatur-style constructive colouring (fewest feasible slots first, least
damage to neighbours), a cheap refill, then repair: MILPs over two-slot windows around the
companies that could still gain a meeting (Kempe-chain neighbourhoods), accepted only when the
objective strictly improves, until a pass brings nothing or the time limit. If the LP itself
runs out of time, the repair starts from the greedy schedule. With interpreter rows (and at most
``SELECTION_LIMIT`` edges), a second first schedule comes from ``selection``: the b-matching
with the interpreter and table rows as a MILP, solved stage by stage (required pairs, companies at
level 1, 2, ..., then score), its edges given slots by one colouring MILP; the better of the two
by the lexicographic key goes on. When every stage closed, every chosen edge got a slot and the
score reaches the fair bound, it is proven optimal and the repair is skipped. Method "greedy" is the
baseline: pins, then required pairs, then the rest by score, each at its first feasible slot
and table, with no look-ahead and no repair.
"""

from .model import (
    FORBIDDEN,
    INFEASIBLE,
    NO_COMMON_FREE_SLOT,
    NO_INTERPRETER,
    NO_TABLE,
    OVER_CAP,
    REASONS,
    UNKNOWN_COMPANY,
    Company,
    Instance,
    Interpreter,
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
    "Company", "Instance", "Interpreter", "Meeting", "Pair", "Pin", "Result", "Unplaced",
    "FORBIDDEN", "INFEASIBLE", "NO_COMMON_FREE_SLOT", "NO_INTERPRETER", "NO_TABLE", "OVER_CAP", "REASONS", "UNKNOWN_COMPANY",
    "instance_from_dict", "instance_to_dict", "result_to_dict", "solve", "validate_schedule",
]
