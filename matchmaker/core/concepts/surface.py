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

``written_tokens`` gives the same tokens twice: folded, and as written (NFKC and casefold only,
diacritics kept), so detection can tell "phần" (part) from "phân" (fertiliser) where the text
has its diacritics and still read a text typed without them.
"""

from __future__ import annotations

import functools
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
    return written_tokens(text)[0]


@functools.lru_cache(maxsize=4096)
def _folded(char: str) -> str:
    return fold_accents(char)


def written_tokens(text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tokens of *text* (``tokens``) and, index for index, the same tokens with their
    diacritics kept (NFKC and casefold only): "Phần" gives ("phan",) and ("phần",)."""
    folded: list[str] = []
    written: list[str] = []
    word: list[str] = []
    plain: list[str] = []

    def flush() -> None:
        if word:
            folded.append("".join(word))
            written.append("".join(plain))
            word.clear()
            plain.clear()

    for raw in search_key(text):
        char = _folded(raw)
        if len(char) == 1 and _is_word_char(char):
            word.append(char)
            plain.append(raw)
            continue
        flush()
        for part in char:  # a folded letter is one character; kept as one token each otherwise
            if part in JOINERS or unicodedata.category(part).startswith(("Z", "C", "M")):
                continue
            folded.append(part)  # a CJK letter, a kana, or punctuation
            written.append(part)
    flush()
    return tuple(folded), tuple(written)
