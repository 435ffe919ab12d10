"""Choose business meetings and give each a slot and a table.

Public API
----------
Values (``model``): ``Company(id, cap, unavailable, table=None, languages=(), mode="onsite")``,
``Interpreter(id, languages, mode="onsite", unavailable=())``, ``Pair(a, b, score)``,
``Pin(a, b, slot=None, table=None)``, ``Instance(slots, tables, companies, pairs, required,
forbidden, pins, interpreters=())``, ``Meeting(a, b, slot, table, interpreter=None)``,
``Unplaced(a, b, reason, detail)``, ``Result(meetings, score, bound, unplaced, seconds, method,
fewest_meetings, stats, lost_to_interpreters, interpreter_slots)`` with ``meetings_count`` and
``fraction`` (= score / bound).

``solve(instance, method="optimal" | "greedy", time_limit=30.0, progress=None, *,
fairness=(1.0, 0.5), keep_baseline=True, seed=0) -> Result``. ``progress(stage, fraction)``
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
Among schedules placing the required pairs, maximise

    sum of scores of the meetings  +  sum over companies v of  sum_{k <= meetings(v)} bonus[k]

with ``bonus = fairness x (largest pair score)``, by default 1.0x for a company's first meeting
and 0.5x for its second (only for companies that want meetings). A first meeting is thus worth
more than any single pair's score: taking one meeting from a company with three or more to
give a stranded company its first always pays, and a company's second meeting is preferred
whenever it costs less than half the best score. Beyond the second meeting only the score
counts, so the score stays high: the bonus trades score only where a company would otherwise
be left with none or one. Required pairs weigh ``10 (slots + 1) x (best score + 2 x bonuses)`` each,
far more than any rearrangement of optional meetings can gain, so they come first; in the
repair windows a required meeting once placed is even constrained to stay placed.

Never worse than the baseline (``keep_baseline=True``, the default): if the optimising path
ends with a lower score or a lower ``fewest_meetings`` than the greedy baseline (and does not
place more required pairs), the baseline schedule is improved under the side constraints
"score never drops, no company falls below the baseline's fewest" and returned instead
(``stats["restarted_from_greedy"]``). This can block fairness: when greedy is already
score-optimal, e.g. many companies all wanting the same few popular partners, the fair
schedule costs a little score and is refused. ``keep_baseline=False`` lets the objective
above decide (on a 5,000-company hub-and-spoke case: 0.5 % less score, no company left with
no meeting instead of 1,133).

The bound
---------
``Result.bound`` is the LP relaxation of meeting selection: a fractional b-matching (meetings of
a company <= min(cap, free slots)), plus the valid table rows (pool meetings <= pool tables x
slots; meetings that must sit at one fixed table <= slots its owners are available), forbidden
and impossible pairs removed. It is certified by weak duality from the LP duals, so it is an
upper bound whatever the solver's tolerances or time limits. "Feasible" means obeying the hard
rules and placing as many required pairs as possible. If every required pair left out is
impossible in any schedule (unknown company, forbidden, no common available slot, no allowed
table, cap 0), the placed ones are forced to 1: every feasible schedule contains them.
Otherwise the LP gets the row "at least as many required pairs as this schedule places",
valid because a feasible schedule places at least as many. Either way the bound holds for
every feasible schedule and for the returned one. ``bound = min(LP certificate, sum over
companies of their best cap scores / 2)``; the latter alone is used if the LP fails.

Method "optimal"
----------------
Small problems (up to ``EXACT_LIMIT`` MILP columns) are solved as one MILP with HiGHS. Larger
ones in two phases: (1) selection: the LP above (required pairs weighted, see above), solved
again with the fairness columns if it leaves a company short, rounded by LP value within caps;
(2) slots and tables: a DSatur-style constructive colouring (fewest feasible slots first, least
damage to neighbours), a cheap refill, then repair: MILPs over two-slot windows around the
companies that could still gain a meeting (Kempe-chain neighbourhoods), accepted only when the
objective strictly improves, until a pass brings nothing or the time limit. If the LP itself
runs out of time, the repair starts from the greedy schedule. Method "greedy" is the
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
