"""The JSON file format of ``flask schedule solve-file``: dicts in, dicts out.

Input (slots and tables count from 0; ``table``, ``languages`` and ``mode`` of a company,
``pinned``, ``interpreters`` and a pin's ``slot`` / ``table`` are optional)::

    {"slots": 16, "tables": 250,
     "companies": [{"id": "c1", "cap": 8, "unavailable": [0, 5], "table": 3,
                    "languages": ["ja", "en"], "mode": "onsite"}],
     "pairs": [{"a": "c1", "b": "c2", "score": 0.73}],
     "required": [["c1", "c2"]], "forbidden": [["c3", "c4"]],
     "pinned": [{"a": "c1", "b": "c2", "slot": 3, "table": 5}],
     "interpreters": [{"id": "i1", "languages": ["ja", "vi"], "mode": "onsite", "unavailable": [3, 7]}]}

Each meeting of the output carries ``"interpreter"`` (an id or null) and ``"table": null`` when
it is online.

Unknown fields are rejected (a misspelt "forbiden" must not silently allow meetings).
"""

from __future__ import annotations

from .checks import check_instance
from .model import ONSITE, Company, Instance, Interpreter, Pair, Pin, Result

_TOP = {"slots", "tables", "companies", "pairs", "required", "forbidden", "pinned", "interpreters"}


def _object(value: object, field: str, allowed: set[str], needed: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{field}: expected an object, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(f"{field}.{unknown[0]}: unknown field (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(needed - set(value))
    if missing:
        raise ValueError(f"{field}.{missing[0]}: required field is missing")
    return value


def _list(value: object, field: str) -> list:
    if not isinstance(value, list):
        raise ValueError(f"{field}: expected a list, got {type(value).__name__}")
    return value


def _slots(d: dict, field: str) -> frozenset:
    unavailable = _list(d.get("unavailable", []), f"{field}.unavailable")
    for i, slot in enumerate(unavailable):
        if not isinstance(slot, int) or isinstance(slot, bool):
            raise ValueError(f"{field}.unavailable[{i}]: expected a slot number, got {slot!r}")
    return frozenset(unavailable)


def _languages(d: dict, field: str) -> frozenset:
    languages = _list(d.get("languages", []), f"{field}.languages")
    for i, language in enumerate(languages):
        if not isinstance(language, str) or not language:
            raise ValueError(f"{field}.languages[{i}]: expected a language code such as \"ja\", got {language!r}")
    return frozenset(languages)


def _company(raw: object, field: str) -> Company:
    d = _object(raw, field, {"id", "cap", "unavailable", "table", "languages", "mode"}, {"id", "cap"})
    return Company(d["id"], d["cap"], _slots(d, field), d.get("table"), _languages(d, field), d.get("mode", ONSITE))


def _interpreter(raw: object, field: str) -> Interpreter:
    d = _object(raw, field, {"id", "languages", "mode", "unavailable"}, {"id", "languages"})
    return Interpreter(d["id"], _languages(d, field), d.get("mode", ONSITE), _slots(d, field))


def _pair(raw: object, field: str) -> Pair:
    d = _object(raw, field, {"a", "b", "score"}, {"a", "b", "score"})
    return Pair(d["a"], d["b"], d["score"])


def _two(raw: object, field: str) -> tuple[str, str]:
    if not isinstance(raw, list) or len(raw) != 2:
        raise ValueError(f"{field}: expected a list of two company ids, got {raw!r}")
    return raw[0], raw[1]


def _pin(raw: object, field: str) -> Pin:
    d = _object(raw, field, {"a", "b", "slot", "table"}, {"a", "b"})
    return Pin(d["a"], d["b"], d.get("slot"), d.get("table"))


def instance_from_dict(d: object) -> Instance:
    """Build and validate an ``Instance`` from the JSON format; ValueError names the field."""
    d = _object(d, "instance", _TOP, {"slots", "tables", "companies"})
    instance = Instance(
        slots=d["slots"],
        tables=d["tables"],
        companies=[_company(c, f"companies[{i}]") for i, c in enumerate(_list(d["companies"], "companies"))],
        pairs=[_pair(x, f"pairs[{i}]") for i, x in enumerate(_list(d.get("pairs", []), "pairs"))],
        required=[_two(x, f"required[{i}]") for i, x in enumerate(_list(d.get("required", []), "required"))],
        forbidden=[_two(x, f"forbidden[{i}]") for i, x in enumerate(_list(d.get("forbidden", []), "forbidden"))],
        pins=[_pin(x, f"pinned[{i}]") for i, x in enumerate(_list(d.get("pinned", []), "pinned"))],
        interpreters=[_interpreter(x, f"interpreters[{i}]")
                      for i, x in enumerate(_list(d.get("interpreters", []), "interpreters"))],
    )
    check_instance(instance)
    return instance


def instance_to_dict(instance: Instance) -> dict:
    """The JSON form of *instance* (inverse of ``instance_from_dict``)."""
    def company(c: Company) -> dict:
        out = {"id": c.id, "cap": c.cap, "unavailable": sorted(c.unavailable)}
        out.update({"table": c.table} if c.table is not None else {})
        out.update({"languages": sorted(c.languages)} if c.languages else {})
        return out if c.mode == ONSITE else {**out, "mode": c.mode}

    def interpreter(i: Interpreter) -> dict:
        return {"id": i.id, "languages": sorted(i.languages), "mode": i.mode, "unavailable": sorted(i.unavailable)}

    def pin(p: Pin) -> dict:
        out: dict = {"a": p.a, "b": p.b}
        return {**out, **{k: v for k, v in (("slot", p.slot), ("table", p.table)) if v is not None}}

    return {"slots": instance.slots, "tables": instance.tables,
            "companies": [company(c) for c in instance.companies],
            "pairs": [{"a": p.a, "b": p.b, "score": p.score} for p in instance.pairs],
            "required": [list(r) for r in instance.required], "forbidden": [list(f) for f in instance.forbidden],
            "pinned": [pin(p) for p in instance.pins],
            **({"interpreters": [interpreter(i) for i in instance.interpreters]} if instance.interpreters else {})}


def result_to_dict(result: Result) -> dict:
    """The JSON form of *result* (the output format of the file interface)."""
    return {
        "meetings": [{"a": x.a, "b": x.b, "slot": x.slot, "table": x.table, "interpreter": x.interpreter}
                     for x in result.meetings],
        "score": result.score,
        "bound": result.bound,
        "unplaced": [{"a": u.a, "b": u.b, "reason": u.reason, "detail": u.detail} for u in result.unplaced],
        "seconds": result.seconds,
        "method": result.method,
        "fewest_meetings": result.fewest_meetings,
        "meetings_count": result.meetings_count,
        "floor": result.floor,
        "levels": list(result.levels),
        "unfair_bound": result.unfair_bound,
        "idle": dict(sorted(result.idle.items())),
        "lost_to_interpreters": result.lost_to_interpreters,
        "score_lost_to_interpreters": result.score_lost_to_interpreters,
        "interpreter_slots": [{"slot": s, "meetings": n} for s, n in result.interpreter_slots],
    }
