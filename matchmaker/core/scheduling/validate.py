"""An independent check of a finished schedule against the hard constraints.

Deliberately written from the ``Instance`` alone (not the solver's data structures), so tests
and the web app (before saving an organiser's edit) can trust it as a second opinion.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from .interpreters import needs_interpreter
from .model import ONLINE, Instance, Meeting, pair_key


def _allowed_pairs(instance: Instance) -> tuple[set, set, dict]:
    allowed = {pair_key(p.a, p.b) for p in instance.pairs}
    allowed |= {pair_key(a, b) for a, b in instance.required}
    pins = {pair_key(p.a, p.b): p for p in instance.pins}
    return allowed | set(pins), {pair_key(a, b) for a, b in instance.forbidden}, pins


def _meeting_problems(instance: Instance, mt: Meeting, companies: dict, rules: tuple) -> list[str]:
    allowed, forbidden, pins = rules
    key, where = pair_key(mt.a, mt.b), f"meeting {mt.a}-{mt.b}"
    unknown = [cid for cid in (mt.a, mt.b) if cid not in companies]
    if unknown or mt.a == mt.b:
        return [f"{where}: unknown company {unknown[0]!r}" if unknown else f"{where}: a company meets itself"]
    out = []
    if key in forbidden:
        out.append(f"{where}: forbidden pair")
    if key not in allowed:
        out.append(f"{where}: pair is not listed, required or pinned")
    online = ONLINE in (companies[mt.a].mode, companies[mt.b].mode)
    if online != (mt.table is None):
        return out + [f"{where}: an online meeting takes no table, an on-site one takes one (table {mt.table})"]
    if not 0 <= mt.slot < instance.slots or not (online or 0 <= mt.table < instance.tables):
        return out + [f"{where}: slot {mt.slot} or table {mt.table} out of range"]
    for cid in (mt.a, mt.b):
        if mt.slot in companies[cid].unavailable:
            out.append(f"{where}: {cid} is unavailable in slot {mt.slot}")
    out += [] if online else _table_problems(mt, companies, where)
    out += _interpreter_problems(instance, mt, companies, where, online)
    pin = pins.get(key)
    # an online meeting takes no table, so a pinned table does not apply to it
    if pin is not None and (pin.slot not in (None, mt.slot) or pin.table not in (None, mt.table) and not online):
        out.append(f"{where}: pinned to slot {pin.slot}, table {pin.table} but placed at slot {mt.slot}, table {mt.table}")
    return out


def _interpreter_problems(instance: Instance, mt: Meeting, companies: dict, where: str, online: bool) -> list[str]:
    a, b = companies[mt.a], companies[mt.b]
    if mt.interpreter is None:
        return [f"{where}: the companies share no language and no interpreter is assigned"] if needs_interpreter(a, b) else []
    person = next((i for i in instance.interpreters if i.id == mt.interpreter), None)
    if person is None:
        return [f"{where}: unknown interpreter {mt.interpreter!r}"]
    out = []
    if mt.slot in person.unavailable:
        out.append(f"{where}: interpreter {person.id} is unavailable in slot {mt.slot}")
    if person.mode == ONLINE and not online:
        out.append(f"{where}: online interpreter {person.id} at an on-site meeting")
    if needs_interpreter(a, b) and not (person.languages & a.languages and person.languages & b.languages):
        out.append(f"{where}: interpreter {person.id} does not speak a language of each side")
    return out


def _table_problems(mt: Meeting, companies: dict, where: str) -> list[str]:
    own = {companies[cid].table for cid in (mt.a, mt.b)} - {None}
    owners = {c.table for c in companies.values()} - {None}
    if own and mt.table not in own:
        return [f"{where}: at table {mt.table}, not at a fixed table of its companies {sorted(own)}"]
    if not own and mt.table in owners:
        return [f"{where}: at table {mt.table}, which is another company's fixed table"]
    return []


def _count_problems(instance: Instance, meetings: list[Meeting], companies: dict) -> list[str]:
    out = []
    pairs = Counter(pair_key(mt.a, mt.b) for mt in meetings)
    out += [f"pair {key} meets {n} times" for key, n in sorted(pairs.items()) if n > 1]
    per_slot = Counter((cid, mt.slot) for mt in meetings for cid in (mt.a, mt.b))
    out += [f"{cid} has {n} meetings in slot {s}" for (cid, s), n in sorted(per_slot.items()) if n > 1]
    tables = Counter((mt.slot, mt.table) for mt in meetings if mt.table is not None)
    out += [f"table {t} hosts {n} meetings in slot {s}" for (s, t), n in sorted(tables.items()) if n > 1]
    staff = Counter((mt.interpreter, mt.slot) for mt in meetings if mt.interpreter is not None)
    out += [f"interpreter {i} has {n} meetings in slot {s}" for (i, s), n in sorted(staff.items()) if n > 1]
    load = Counter(cid for mt in meetings for cid in (mt.a, mt.b))
    out += [f"{cid} has {n} meetings, over its cap {companies[cid].cap}"
            for cid, n in sorted(load.items()) if cid in companies and n > companies[cid].cap]
    return out


def validate_schedule(instance: Instance, meetings: Iterable[Meeting]) -> list[str]:
    """Return every hard-constraint violation of *meetings* for *instance* ([] = valid).

    Checked: known companies; only listed/required/pinned pairs and never forbidden ones;
    slots and tables in range; availability; one meeting per company per slot and per table per
    slot; caps; fixed tables (a meeting with an exhibitor is at one of its companies' fixed
    tables, and a fixed table hosts only its owners); pins; no pair twice; online meetings (an
    online side) without a table and on-site ones with one; an interpreter for every meeting
    whose sides share no language, who speaks a language of each side, is free in that slot,
    serves one meeting per slot, and is on site unless the meeting is online. Whether required
    pairs are all present is not a hard constraint (they may be unplaceable) and is not checked.
    """
    meetings = list(meetings)
    companies = {c.id: c for c in instance.companies}
    rules = _allowed_pairs(instance)
    out = [problem for mt in meetings for problem in _meeting_problems(instance, mt, companies, rules)]
    return out + _count_problems(instance, meetings, companies)
