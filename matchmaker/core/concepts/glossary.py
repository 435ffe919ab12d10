"""The concept glossary: concepts with their surface forms in ja, vi and en, and broader links.

Built from plain entries (``{"key", "category", "en": [...], "ja": [...], "vi": [...],
"broader": [keys]}``, the first form of each language being the concept's label there) and
validated as a whole: every problem is listed in one ``GlossaryError``. The files under
``matchmaker/data/concepts/`` hold one category each (``load_glossary``); organiser edits
stored elsewhere are entries too, so the same checks hold for them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import surface
from .surface import tokens

LANGUAGES = ("ja", "vi", "en")
DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "concepts"


class GlossaryError(ValueError):
    """The glossary is not valid; ``problems`` lists every reason, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the concept glossary: " + "; ".join(problems[:10]))
        self.problems = problems


@dataclass(frozen=True)
class Concept:
    """One concept: its key, its category, its forms per language (label first), its broader keys."""

    key: str
    category: str
    forms: Mapping[str, tuple[str, ...]]
    broader: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """The concept's name in *lang* (English for a language the glossary does not have)."""
        return (self.forms.get(lang) or self.forms["en"])[0]

    def as_entry(self) -> dict:
        """The plain entry this concept was built from (the shape of the data files)."""
        return {"key": self.key, "category": self.category, **{lang: list(self.forms[lang]) for lang in LANGUAGES},
                "broader": list(self.broader)}


@dataclass(frozen=True, eq=False)
class Glossary:
    """Validated concepts by key (in file order) and the version of their content (compared and
    hashed by identity: one object per loaded glossary).

    ``version`` is a short hash of every entry: stored detections made under another version
    are stale. ``forms`` maps each normalised form (a token tuple) to its concept's key.
    """

    concepts: Mapping[str, Concept]
    version: str
    forms: Mapping[tuple[str, ...], str] = field(repr=False)
    depth: Mapping[str, Mapping[str, int]] = field(repr=False)  # key -> {itself and every broader key: steps}

    def __contains__(self, key: object) -> bool:
        return key in self.concepts

    def __len__(self) -> int:
        return len(self.concepts)

    def label(self, key: str, lang: str) -> str:
        """The label of concept *key* in *lang*."""
        return self.concepts[key].label(lang)

    def closure(self, keys: Iterable[str]) -> dict[str, int]:
        """*keys* and everything broader than them, each with its fewest steps up (0 for *keys*)."""
        found: dict[str, int] = {}
        for key in keys:
            for broader, steps in self.depth[key].items():
                if steps < found.get(broader, steps + 1):
                    found[broader] = steps
        return found

    def entries(self) -> list[dict]:
        """Every concept as a plain entry, in order."""
        return [c.as_entry() for c in self.concepts.values()]


def build_glossary(entries: Iterable[Mapping], categories: Iterable[str]) -> Glossary:
    """Validate *entries* against the known *categories* and build the glossary.

    Rules: a key is given once; every concept has at least one form in each of ja, vi and en;
    its category is known; its broader keys exist and are not itself; the broader links have no
    cycle; no two concepts share a normalised form (``surface.tokens``). Raises GlossaryError.
    """
    entries = list(entries)
    problems: list[str] = []
    concepts = _concepts(entries, set(categories), problems)
    forms = _forms(concepts, problems)
    for concept in concepts.values():
        problems += [f"{concept.key}: broader concept {b!r} does not exist" for b in concept.broader if b not in concepts]
        if concept.key in concept.broader:
            problems.append(f"{concept.key}: a concept cannot be broader than itself")
    if problems:
        raise GlossaryError(problems)
    depth = _depths(concepts, problems)
    if problems:
        raise GlossaryError(problems)
    return Glossary(concepts, _version(concepts), forms, depth)


def _concepts(entries: list[Mapping], categories: set[str], problems: list[str]) -> dict[str, Concept]:
    concepts: dict[str, Concept] = {}
    for number, entry in enumerate(entries, 1):
        key = str(entry.get("key") or "").strip()
        if not key:
            problems.append(f"entry {number}: no key")
            continue
        if key in concepts:
            problems.append(f"{key}: given twice")
            continue
        forms = {lang: tuple(f.strip() for f in entry.get(lang) or () if f and f.strip()) for lang in LANGUAGES}
        problems += [f"{key}: no {lang} form" for lang in LANGUAGES if not forms[lang]]
        category = str(entry.get("category") or "")
        if category not in categories:
            problems.append(f"{key}: unknown category {category!r}")
        concepts[key] = Concept(key, category, forms, tuple(entry.get("broader") or ()))
    return concepts


def _forms(concepts: dict[str, Concept], problems: list[str]) -> dict[tuple[str, ...], str]:
    forms: dict[tuple[str, ...], str] = {}
    for concept in concepts.values():
        for lang in LANGUAGES:
            for form in concept.forms.get(lang, ()):
                normalised = tokens(form)
                if not any(token.isalnum() for token in normalised):
                    problems.append(f"{concept.key}: the form {form!r} has no letters")
                    continue
                owner = forms.setdefault(normalised, concept.key)
                if owner != concept.key:
                    problems.append(f"{concept.key} and {owner} share the form {form!r}")
    return forms


def _depths(concepts: dict[str, Concept], problems: list[str]) -> dict[str, dict[str, int]]:
    """For each key: itself and every broader key with its fewest steps; a cycle is a problem."""
    depth: dict[str, dict[str, int]] = {}
    visiting: set[str] = set()

    def visit(key: str) -> dict[str, int]:
        if key in depth:
            return depth[key]
        if key in visiting:
            problems.append(f"{key}: its broader concepts lead back to it")
            return {}
        visiting.add(key)
        found = {key: 0}
        for broader in concepts[key].broader:
            for above, steps in visit(broader).items():
                found[above] = min(found.get(above, steps + 1), steps + 1)
        visiting.discard(key)
        depth[key] = found
        return found

    for key in concepts:
        visit(key)
    return depth


def _version(concepts: dict[str, Concept]) -> str:
    canonical = json.dumps([surface.RULES] + [c.as_entry() for c in concepts.values()], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def read_entries(directory: Path = DATA_DIR) -> list[dict]:
    """The entries of every ``<category>.json`` file in *directory*, files in name order, each
    entry given the file's category."""
    entries = []
    for path in sorted(Path(directory).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        entries += [{**entry, "category": data["category"]} for entry in data["concepts"]]
    return entries


def load_glossary(categories: Iterable[str], directory: Path = DATA_DIR) -> Glossary:
    """The glossary of the data files in *directory*, validated against *categories*."""
    return build_glossary(read_entries(directory), categories)
