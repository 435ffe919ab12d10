"""Surface forms as token sequences: the normalisation shared by the glossary and detection.

A text is normalised as the directory search does it (``core.text``: NFKC, so full- and
half-width forms meet; casefold; Vietnamese diacritics and Đ/đ folded), then cut into tokens:

* a run of Latin letters and digits is one token (a word, or a Vietnamese syllable), so a
  form matches whole words only: "pv" never matches inside "pvc";
* every other letter (kanji, kana, the long-vowel mark ー) is a token of its own, so Japanese,
  written without spaces, matches anywhere inside a word;
* spaces and joiners (hyphens, slashes, the middle dot ・) only separate tokens: "mê-tan",
  "me tan" and "mê tan" are the same form;
* any other punctuation is a token of its own (a form with brackets matches text with the
  same brackets, and a full stop stops a form from running across two sentences).
"""

from __future__ import annotations

import unicodedata

from matchmaker.core.text import fold_accents, search_key

JOINERS = frozenset(" \t\n\r-‐‑‒–—_/・·'’")


def normalise(text: str | None) -> str:
    """The search key of *text* without Latin diacritics (NFKC, casefold, Đ → d)."""
    return fold_accents(search_key(text))


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def tokens(text: str | None) -> tuple[str, ...]:
    """The tokens of *text* after ``normalise`` (see the module docstring)."""
    out: list[str] = []
    word: list[str] = []
    for char in normalise(text):
        if _is_word_char(char):
            word.append(char)
            continue
        if word:
            out.append("".join(word))
            word = []
        if char in JOINERS or unicodedata.category(char).startswith(("Z", "C", "M")):
            continue
        out.append(char)  # a CJK letter, a kana, or punctuation
    if word:
        out.append("".join(word))
    return tuple(out)
