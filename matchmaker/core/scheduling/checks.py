"""Validation of an ``Instance``: malformed data raises ``ValueError`` naming the field.

Field names follow the JSON file format (``companies[3].unavailable[1]``, ``pairs[7].b``), so
the same message serves the CLI, the web form and a programmatic caller. Consistent data that
merely cannot be satisfied (a required pair with a company that left, a pin in an unavailable
slot, ...) is not an error: the solver reports it as an ``Unplaced`` entry instead.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from .model import MODES, Instance, pair_key


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_int(value: object, field: str, low: int, high: int | None = None) -> None:
    """Raise ValueError unless *value* is an int with ``low <= value`` (``<= high`` if given)."""
    if not _is_int(value):
        raise ValueError(f"{field}: expected an integer, got {value!r}")
    if value < low or (high is not None and value > high):  # type: ignore[operator]
        allowed = f"{low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{field}: {value} is out of range ({allowed})")


def _check_id(value: object, field: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{field}: expected a non-empty company id string, got {value!r}")


def check_companies(instance: Instance) -> dict[str, int]:
    """Validate companies; return id -> position."""
    seen: dict[str, int] = {}
    for i, company in enumerate(instance.companies):
        where = f"companies[{i}]"
        _check_id(company.id, f"{where}.id")
        if company.id in seen:
            raise ValueError(f"{where}.id: duplicate company id {company.id!r} (first at companies[{seen[company.id]}])")
        seen[company.id] = i
        check_int(company.cap, f"{where}.cap", 0)
        for slot in sorted(company.unavailable, key=repr):
            check_int(slot, f"{where}.unavailable", 0, instance.slots - 1)
        if company.table is not None:
            check_int(company.table, f"{where}.table", 0, instance.tables - 1)
        check_mode(company.mode, f"{where}.mode")
    return seen


def check_mode(mode: object, field: str) -> None:
    """Raise ValueError unless *mode* is ``"onsite"`` or ``"online"``."""
    if mode not in MODES:
        raise ValueError(f"{field}: expected \"onsite\" or \"online\", got {mode!r}")


def check_interpreters(instance: Instance) -> None:
    """Validate interpreters: unique ids, two languages or more, a mode, slots in range."""
    seen: dict[str, int] = {}
    for i, person in enumerate(instance.interpreters):
        where = f"interpreters[{i}]"
        if not isinstance(person.id, str) or not person.id:
            raise ValueError(f"{where}.id: expected a non-empty interpreter id string, got {person.id!r}")
        if person.id in seen:
            raise ValueError(f"{where}.id: duplicate interpreter id {person.id!r} (first at interpreters[{seen[person.id]}])")
        seen[person.id] = i
        if len(person.languages) < 2:
            raise ValueError(f"{where}.languages: an interpreter needs two languages or more (a language pair), "
                             f"got {sorted(person.languages)!r}")
        check_mode(person.mode, f"{where}.mode")
        for slot in sorted(person.unavailable, key=repr):
            check_int(slot, f"{where}.unavailable", 0, instance.slots - 1)


def _check_two(a: object, b: object, field: str) -> None:
    _check_id(a, f"{field}.a")
    _check_id(b, f"{field}.b")
    if a == b:
        raise ValueError(f"{field}: a company cannot meet itself ({a!r})")


def _pairs_plainly_fine(instance: Instance, known: dict[str, int]) -> bool:
    """Whether every listed pair is plainly valid, checked by set operations (False: look closer).

    Plainly: both ids are ``str`` of known companies and differ, the score is an ``int`` or
    ``float`` and finite, no pair twice. Anything else (even a valid subclass) takes the
    pair-by-pair check, which names the first bad field.
    """
    firsts, seconds = [pair.a for pair in instance.pairs], [pair.b for pair in instance.pairs]
    if not set(map(type, firsts)) | set(map(type, seconds)) <= {str} or any(map(operator.eq, firsts, seconds)):
        return False
    if not known.keys() >= set(firsts) | set(seconds):
        return False
    scores = [pair.score for pair in instance.pairs]
    if not set(map(type, scores)) <= {float, int}:
        return False
    try:
        if not all(map(math.isfinite, scores)):
            return False
    except OverflowError:  # an int too large for a float
        return False
    a = np.fromiter(map(known.__getitem__, firsts), dtype=np.int64, count=len(firsts))
    b = np.fromiter(map(known.__getitem__, seconds), dtype=np.int64, count=len(seconds))
    return len(np.unique(np.minimum(a, b) * len(known) + np.maximum(a, b))) == len(firsts)  # no pair twice


def check_pairs(instance: Instance, known: dict[str, int]) -> None:
    """Validate listed pairs: known companies, no self pair, finite score, no duplicate."""
    if _pairs_plainly_fine(instance, known):
        return
    seen: dict[tuple[str, str], int] = {}
    for i, pair in enumerate(instance.pairs):
        where = f"pairs[{i}]"
        _check_two(pair.a, pair.b, where)
        for side, cid in (("a", pair.a), ("b", pair.b)):
            if cid not in known:
                raise ValueError(f"{where}.{side}: unknown company {cid!r}")
        if isinstance(pair.score, bool) or not isinstance(pair.score, (int, float)) or not math.isfinite(pair.score):
            raise ValueError(f"{where}.score: expected a finite number, got {pair.score!r}")
        key = pair_key(pair.a, pair.b)
        if key in seen:
            raise ValueError(f"{where}: duplicate pair {key} (first at pairs[{seen[key]}])")
        seen[key] = i


def check_lists(instance: Instance, known: dict[str, int]) -> None:
    """Validate required, forbidden and pinned entries.

    Unknown companies are an error in ``forbidden`` (a typo there would silently allow a
    meeting) but not in ``required``/``pins``, which are reported as unplaced instead.
    """
    for i, (a, b) in enumerate(_two_each(instance.required, "required")):
        _check_two(a, b, f"required[{i}]")
    for i, (a, b) in enumerate(_two_each(instance.forbidden, "forbidden")):
        _check_two(a, b, f"forbidden[{i}]")
        for side, cid in (("a", a), ("b", b)):
            if cid not in known:
                raise ValueError(f"forbidden[{i}].{side}: unknown company {cid!r}")
    check_pins(instance)


def _two_each(entries, field: str):
    for i, entry in enumerate(entries):
        if len(entry) != 2:
            raise ValueError(f"{field}[{i}]: expected two company ids, got {list(entry)!r}")
        yield entry


def check_pins(instance: Instance) -> None:
    """Validate pins: slot and table in range, at most one pin per pair."""
    seen: dict[tuple[str, str], int] = {}
    for i, pin in enumerate(instance.pins):
        where = f"pinned[{i}]"
        _check_two(pin.a, pin.b, where)
        if pin.slot is not None:
            check_int(pin.slot, f"{where}.slot", 0, instance.slots - 1)
        if pin.table is not None:
            check_int(pin.table, f"{where}.table", 0, instance.tables - 1)
        key = pair_key(pin.a, pin.b)
        if key in seen:
            raise ValueError(f"{where}: pair {key} is already pinned at pinned[{seen[key]}]")
        seen[key] = i


def check_instance(instance: Instance) -> dict[str, int]:
    """Raise ValueError naming the first malformed field of *instance*; return id -> position."""
    check_int(instance.slots, "slots", 1)
    check_int(instance.tables, "tables", 0)
    known = check_companies(instance)
    check_pairs(instance, known)
    check_lists(instance, known)
    check_interpreters(instance)
    return known
