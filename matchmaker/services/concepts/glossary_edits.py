"""Organisers edit the concept glossary: add, edit, retire and restore concepts, with history.

The data files (``matchmaker/data/concepts/``) stay as shipped; each edit is stored as the
concept's whole entry (``ConceptEdit``) and laid over the files' entries by ``layered_entries``;
``glossary_in_use(session, base)`` is the result (``glossary.current_glossary`` calls it with the
files' glossary). The functions take that *base* so this module needs nothing above it. Every change is kept with who,
when, and the entry before and after (``ConceptChange``). Checks speak the reader's language and
name the field; nothing is written when one fails.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.core.concepts import LANGUAGES, Glossary, GlossaryError, build_glossary, tokens
from matchmaker.core.text import clean_text
from matchmaker.models import Category, ConceptChange, ConceptEdit, User
from matchmaker.services import validation as v

KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_FORM = 200
MAX_FORMS = 40


def layered_entries(file_entries: Iterable[dict], edits: Iterable[ConceptEdit]) -> list[dict]:
    """The files' entries with the organisers' edits laid over them: an edit replaces the entry of
    its key (or adds one at the end), a retired concept leaves, and broader links to a concept
    that left are dropped."""
    by_key = {entry["key"]: entry for entry in file_entries}
    for edit in edits:
        if edit.retired:
            by_key.pop(edit.key, None)
        else:
            by_key[edit.key] = {**edit.entry, "key": edit.key}
    return [{**entry, "broader": [b for b in entry.get("broader") or () if b in by_key]} for entry in by_key.values()]


_kept: dict[str, tuple[tuple, Glossary]] = {}
_kept_lock = threading.Lock()


def glossary_in_use(session: Session, base: Glossary) -> Glossary:
    """*base* (the data files' glossary) with the organisers' edits laid over it: *base* itself
    while there are none; rebuilt only when the edits or the category keys changed."""
    count, latest = session.execute(select(func.count(), func.max(ConceptEdit.updated_at)).select_from(ConceptEdit)).one()
    if not count:
        return base
    keys = tuple(session.scalars(select(Category.key).order_by(Category.key)))
    token = (base.version, count, latest, keys)
    with _kept_lock:
        kept = _kept.get("glossary")
        if kept is not None and kept[0] == token:
            return kept[1]
    entries = base.entries()
    glossary = build_glossary(layered_entries(entries, stored_edits(session)), categories_of(entries, keys))
    with _kept_lock:
        _kept["glossary"] = (token, glossary)
    return glossary


def categories_of(entries: Iterable[dict], keys: Iterable[str]) -> list[str]:
    """The categories a concept may belong to: the files' and the database's."""
    return sorted({e["category"] for e in entries} | set(keys))


def stored_edits(session: Session) -> list[ConceptEdit]:
    """Every organiser edit, oldest key first."""
    return list(session.scalars(select(ConceptEdit).order_by(ConceptEdit.key)))


@dataclass
class ConceptData:
    """What the concept form gives: forms one per line (the first is the name), broader keys."""

    category: str
    forms: dict[str, str]  # language -> lines
    broader: str = ""
    key: str = ""  # a new concept's key


def split_forms(lines: str | None) -> list[str]:
    """The forms written one per line, cleaned, each once."""
    return list(dict.fromkeys(form for form in (clean_text(line) for line in (lines or "").splitlines()) if form))


def _split_keys(value: str | None) -> list[str]:
    return list(dict.fromkeys(k.strip().lower() for k in re.split(r"[\s,;、]+", value or "") if k.strip()))


def _check_key(glossary: Glossary, key: str, taken: Iterable[str]) -> str:
    key = (key or "").strip().lower()
    if not KEY_PATTERN.fullmatch(key) or len(key) > 80:
        raise v.ValidationError("key", _("Use lower-case letters, digits and hyphens, e.g. landfill-gas-power."))
    if key in glossary or key in taken:
        raise v.ValidationError("key", _("The key %(key)s is already used: choose another.", key=key))
    return key


def _check_forms(glossary: Glossary, key: str, lang: str, lines: str | None, reader: str) -> list[str]:
    field, forms = f"forms_{lang}", split_forms(lines)
    if not forms:
        message = {"ja": _("Give at least one Japanese form: the first one is the topic's name in Japanese."),
                   "vi": _("Give at least one Vietnamese form: the first one is the topic's name in Vietnamese."),
                   "en": _("Give at least one English form: the first one is the topic's name in English.")}[lang]
        raise v.ValidationError(field, message)
    check = v.Checks()
    for form in forms[:MAX_FORMS + 1]:
        check(_check_form, glossary, key, field, form, reader)
    if len(forms) > MAX_FORMS:
        check.failures.append(v.ValidationError(field, _("A topic has at most %(num)d forms per language.", num=MAX_FORMS)))
    check.done()
    return forms


def _check_form(glossary: Glossary, key: str, field: str, form: str, reader: str) -> None:
    if len(form) > MAX_FORM:
        raise v.ValidationError(field, _("“%(form)s…” is too long: a form has at most %(num)d characters.",
                                         form=form[:30], num=MAX_FORM))
    normalised = tokens(form)
    if not normalised:
        raise v.ValidationError(field, _("“%(form)s” has no letters or digits.", form=form))
    owner = glossary.forms.get(normalised)
    if owner is not None and owner != key:
        raise v.ValidationError(field, _("“%(form)s” is already a form of the topic “%(topic)s” (%(key)s): one form names one topic.",
                                         form=form, topic=glossary.label(owner, reader), key=owner))


def _check_broader(glossary: Glossary, key: str, value: str | None, reader: str) -> list[str]:
    keys, check = _split_keys(value), v.Checks()
    for broader in keys:
        if broader == key:
            check.failures.append(v.ValidationError("broader", _("A topic cannot be broader than itself.")))
        elif broader not in glossary:
            check.failures.append(v.ValidationError("broader", _("There is no topic with the key %(key)s.", key=broader)))
        elif key in glossary and key in glossary.closure([broader]):
            check.failures.append(v.ValidationError("broader", _(
                "“%(topic)s” is already narrower than this topic: the links would go round in a circle.",
                topic=glossary.label(broader, reader))))
    check.done()
    return keys


def check_entry(glossary: Glossary, categories: Sequence[str], data: ConceptData, reader: str,
                key: str | None = None, *, taken: Iterable[str] = ()) -> dict:
    """The entry *data* describes, checked against the glossary in use; raises every problem at
    once (``ValidationErrors``), each in the reader's language on its field. A new concept
    (*key* None) takes ``data.key``, which no concept (retired ones included, *taken*) has."""
    check = v.Checks()
    new = key is None
    if new:
        key = check(_check_key, glossary, data.key, taken)
    category = check(v.choice, "category", data.category, tuple(categories))
    forms = {lang: check(_check_forms, glossary, key or "", lang, data.forms.get(lang), reader) for lang in LANGUAGES}
    broader = check(_check_broader, glossary, key or "", data.broader, reader)
    check.done()
    return {"key": key, "category": category, **forms, "broader": broader}


def _whole_glossary_check(entries: list[dict], categories: Sequence[str]) -> None:
    """Build the glossary the change would give; a problem the field checks missed is refused."""
    try:
        build_glossary(entries, categories)
    except GlossaryError as error:
        raise v.ValidationError("key", _("The glossary would not be valid after this change: %(problem)s",
                                         problem=error.problems[0])) from error


def _record(session: Session, actor: User, key: str, action: str, before: dict | None, after: dict | None) -> ConceptChange:
    change = ConceptChange(key=key, action=action, actor_id=actor.id, actor_email=actor.email, before=before, after=after)
    session.add(change)
    return change


def _require_organiser(actor: User) -> None:
    if not actor.is_organiser:
        raise PermissionError("organisers only")


def _context(session: Session, base: Glossary) -> tuple[Glossary, list[dict], list[str]]:
    entries = base.entries()
    return glossary_in_use(session, base), entries, categories_of(entries, session.scalars(select(Category.key)))


def save_concept(session: Session, actor: User, base: Glossary, data: ConceptData, reader: str,
                 key: str | None = None) -> ConceptChange | None:
    """Add a concept (*key* None) or change one; return the recorded change. Refused with every
    problem when a form is another concept's, a language has no form, a broader key is unknown or
    would make a circle, or the category is unknown. None when nothing changed."""
    _require_organiser(actor)
    glossary, entries, categories = _context(session, base)
    edits = stored_edits(session)
    retired = [e.key for e in edits if e.retired]
    if key is not None and key not in glossary:
        raise LookupError(key)
    entry = check_entry(glossary, categories, data, reader, key, taken=retired)
    before = glossary.concepts[key].as_entry() if key is not None else None
    if before is not None and _same(before, entry):
        return None
    edit = session.get(ConceptEdit, entry["key"]) or ConceptEdit(key=entry["key"])
    edit.entry, edit.retired = _plain(entry), False
    session.add(edit)
    _whole_glossary_check(layered_entries(entries, [*(e for e in edits if e.key != edit.key), edit]), categories)
    change = _record(session, actor, entry["key"], "add" if key is None else "edit", before, _plain(entry))
    session.flush()
    return change


def _plain(entry: dict) -> dict:
    return {"key": entry["key"], "category": entry["category"], **{lang: list(entry[lang]) for lang in LANGUAGES},
            "broader": list(entry.get("broader") or ())}


def _same(a: dict, b: dict) -> bool:
    return _plain(a) == _plain(b)


def retire_concept(session: Session, actor: User, base: Glossary, key: str) -> ConceptChange:
    """Take a concept out of the glossary in use (its entry is kept, to restore); the concepts
    it was broader than lose that link."""
    _require_organiser(actor)
    glossary = glossary_in_use(session, base)
    if key not in glossary:
        raise LookupError(key)
    before = glossary.concepts[key].as_entry()
    edit = session.get(ConceptEdit, key) or ConceptEdit(key=key, entry=_plain(before))
    edit.retired = True
    session.add(edit)
    change = _record(session, actor, key, "retire", before, None)
    session.flush()
    return change


def restore_concept(session: Session, actor: User, base: Glossary, key: str, reader: str) -> ConceptChange:
    """Bring a retired concept back; refused (in the reader's language) when one of its forms
    was given to another concept in the meantime or its category is gone."""
    _require_organiser(actor)
    glossary, entries, categories = _context(session, base)
    edit = session.get(ConceptEdit, key)
    if edit is None or not edit.retired:
        raise LookupError(key)
    entry = edit.entry
    data = ConceptData(entry.get("category", ""), {lang: "\n".join(entry.get(lang) or ()) for lang in LANGUAGES},
                       " ".join(b for b in entry.get("broader") or () if b in glossary))
    checked = check_entry(glossary, categories, data, reader, key)
    edit.entry, edit.retired = _plain(checked), False
    file_entry = next((e for e in entries if e["key"] == key), None)
    if file_entry is not None and _same({**file_entry, "broader": file_entry.get("broader") or []}, checked):
        session.delete(edit)  # back to the data files' own entry
    change = _record(session, actor, key, "restore", None, _plain(checked))
    session.flush()
    return change


def retired_concepts(session: Session) -> list[ConceptEdit]:
    """Retired concepts (their last entry), by key."""
    return list(session.scalars(select(ConceptEdit).where(ConceptEdit.retired.is_(True)).order_by(ConceptEdit.key)))


def edited_keys(session: Session) -> set[str]:
    """Keys the organisers changed or added (not retired)."""
    return set(session.scalars(select(ConceptEdit.key).where(ConceptEdit.retired.is_(False))))


def concept_history(session: Session, key: str | None = None, limit: int = 200) -> list[ConceptChange]:
    """The glossary's changes, newest first (of one concept when *key* is given)."""
    stmt = select(ConceptChange).order_by(ConceptChange.created_at.desc(), ConceptChange.id.desc()).limit(limit)
    if key is not None:
        stmt = stmt.where(ConceptChange.key == key)
    return list(session.scalars(stmt))
