"""Finding a glossary's concepts in text: leftmost, longest match over tokens.

The text is cut into tokens as the glossary's forms are (``surface.tokens``). Scanning from
the left, the longest form starting at each position wins and the scan continues after it, so
"landfill gas power generation" is that one concept, not also "landfill gas" (the broader
concepts come back through ``Glossary.closure`` where they are wanted).

Forms and text meet without diacritics, except where the text has them: a word of the text
written with diacritics matches only a form that writes it the same way ("phần hóa học", part of
a chemical analysis, is not "phân hóa học", chemical fertiliser), while a word typed without
them ("phan hoa hoc") matches either. Japanese may put a particle inside a compound that the
glossary writes without one: between two kanji or katakana, one の or を of the text is passed
over ("メタンの回収" and "メタンを回収" are メタン回収). Every Vietnamese form is therefore given with its
diacritics; its variant without them then costs nothing.

A concept the text says it does *not* do or need is not found (``negated``): "焼却は行わない"
(no incineration), "không cần đốt" (no need to burn), "without incineration". Only such phrases
count: "排水処理設備がない" or "chưa có hệ thống xử lý nước thải" (we have no wastewater treatment)
is what a need asks for, so lacking something is not a negation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from .glossary import Glossary
from .surface import written_tokens

_END = ""  # the trie key under which a node stores the concept whose form ends there (never a token)
_WRITTEN = " "  # ... and the forms ending there as written (diacritics kept; never a token either)
PARTICLES = frozenset("のを")  # Japanese particles a text may put inside a compound the glossary writes without
# What follows a Japanese form, or comes before a Vietnamese or English one, to say the text does
# not do or need it (folded tokens, as ``surface.tokens`` cuts them). Lacking something ("がない",
# "không có") is not among them: a need says what it lacks.
_JA_AFTER = ("は行わない", "を行わない", "は行いません", "を行いません", "は不要", "が不要", "を必要としない",
             "は必要ありません", "を使わない", "は使わない", "を使用しない", "は使用しない", "を使用せず", "を使わず",
             "を伴わない", "を行わず", "はしない", "はしません")
_BEFORE = ("khong can", "khong su dung", "khong dung", "khong phai", "ma khong", "without", "no need for",
           "not require", "does not require", "do not require")


@dataclass(frozen=True)
class Found:
    """A concept found in a text, at tokens ``start:stop``."""

    key: str
    start: int
    stop: int


@functools.lru_cache(maxsize=8)
def _trie(glossary: Glossary) -> dict:
    root: dict = {}
    for concept in glossary.concepts.values():
        for forms in concept.forms.values():
            for form in forms:
                folded, written = written_tokens(form)
                node = root
                for token in folded:
                    node = node.setdefault(token, {})
                node[_END] = concept.key
                node.setdefault(_WRITTEN, set()).add(written)
    return root


def _as_written(form: tuple[str, ...], written: tuple[str, ...], folded: tuple[str, ...]) -> bool:
    """Whether the text's words *written* (folded: *folded*) fit *form*: each word is the form's
    word, or was typed without diacritics."""
    return all(w == f or w == plain for f, w, plain in zip(form, written, folded))


def find_in(glossary: Glossary, text: str | None) -> list[Found]:
    """Every concept of *glossary* in *text*, in order (leftmost, longest, not overlapping)."""
    return _find(glossary, *written_tokens(text))


def _find(glossary: Glossary, words: tuple[str, ...], written: tuple[str, ...]) -> list[Found]:
    """``find_in`` over a text's tokens, folded (*words*) and as written."""
    trie = _trie(glossary)
    found: list[Found] = []
    start = 0
    while start < len(words):
        best = _longest_at(trie, words, written, start)
        if best is None:
            start += 1
            continue
        found.append(Found(best[0], start, best[1]))
        start = best[1]
    return found


def _longest_at(trie: dict, words: tuple[str, ...], written: tuple[str, ...], start: int) -> tuple[str, int] | None:
    """The concept of the longest form starting at token *start*, and the token after it. Inside
    a Japanese form, a particle of the text that the form does not have there is passed over
    (``PARTICLES``: メタンの回収 is メタン回収)."""
    best: tuple[str, int] | None = None
    paths = [(trie, start, ())]  # (trie node, next token, tokens used so far)
    while paths:
        node, stop, used = paths.pop()
        if stop >= len(words):
            continue
        if used and _skippable(words, stop):
            paths.append((node, stop + 1, used))
        nxt = node.get(words[stop])
        if nxt is None:
            continue
        used = (*used, stop)
        if _END in nxt and (best is None or stop + 1 > best[1]) and any(
                _as_written(form, [written[i] for i in used], [words[i] for i in used]) for form in nxt[_WRITTEN]):
            best = (nxt[_END], stop + 1)
        paths.append((nxt, stop + 1, used))
    return best


def _skippable(words: tuple[str, ...], at: int) -> bool:
    """Whether token *at* is a particle between a kanji, katakana or Latin word and a kanji or katakana."""
    return (words[at] in PARTICLES and 0 < at < len(words) - 1 and _is_cjk(words[at + 1])
            and (_is_cjk(words[at - 1]) or words[at - 1].isalnum()) and words[at - 1] not in PARTICLES)


def _is_cjk(token: str) -> bool:
    """A kanji or katakana token (a particle sits between two of them inside a compound)."""
    return len(token) == 1 and ("\u4e00" <= token <= "\u9fff" or "\u30a0" <= token <= "\u30ff")


@functools.lru_cache(maxsize=1)
def _negations() -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    return (tuple(written_tokens(p)[0] for p in _JA_AFTER), tuple(written_tokens(p)[0] for p in _BEFORE))


def negated(words: tuple[str, ...], found: Found) -> bool:
    """Whether the text (its folded tokens *words*) says it does not do or need *found*: a
    Japanese phrase right after it, or a Vietnamese or English one right before it (``_JA_AFTER``,
    ``_BEFORE``)."""
    after, before = _negations()
    return (any(words[found.stop:found.stop + len(p)] == p for p in after)
            or any(found.start >= len(p) and words[found.start - len(p):found.start] == p for p in before))


def detect(glossary: Glossary, *texts: str | None) -> tuple[str, ...]:
    """The keys of the concepts found in any of *texts* and not negated there, once each, in
    order of first appearance."""
    keys = []
    for text in texts:
        words, written = written_tokens(text)
        keys += [f.key for f in _find(glossary, words, written) if not negated(words, f)]
    return tuple(dict.fromkeys(keys))


def detect_many(glossary: Glossary, texts: Iterable[Iterable[str | None]]) -> list[tuple[str, ...]]:
    """``detect`` for each group of texts (e.g. every language version of one offer)."""
    return [detect(glossary, *group) for group in texts]
