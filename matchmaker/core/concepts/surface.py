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

Two Vietnamese spellings of one word are made the same (``vietnamese_syllable``): the older tone
placement on open syllables ("hoà", "thuỷ", "khoẻ" are "hòa", "thủy", "khỏe") and final i or y
after a single consonant ("kĩ thuật" is "kỹ thuật", "quản lí" is "quản lý").
"""

from __future__ import annotations

import functools
import unicodedata

from matchmaker.core.text import fold_accents, search_key

# Part of every glossary's version (glossary._version): bump it when the same glossary would find
# other concepts in the same text (this module's tokens, or detect.py's rules), so that stored
# detections are recomputed. 2: negation (detect.negated) and Vietnamese spellings (vietnamese_syllable).
RULES = 2
JOINERS = frozenset(" \t\n\r-‐‑‒–—_/・·'’")
TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook above, dot below
I_OR_Y = frozenset(("h", "k", "l", "m", "s", "t", "v", "qu"))  # consonants before a final i or y written either way


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


@functools.lru_cache(maxsize=8192)
def vietnamese_syllable(word: str) -> str:
    """One spelling of a lower-case syllable (NFKC) written in two ways (module docstring): the
    tone of an open "oa", "oe" or "uy" on its first vowel ("hoà" -> "hòa"; "quý" keeps its
    tone, qu being one consonant), and a final "i" after h, k, l, m, s, t, v or qu written "y"
    ("kĩ" -> "kỹ", "lí" -> "lý"). Other words come back unchanged."""
    letters = unicodedata.normalize("NFD", word)
    tones = [c for c in letters if c in TONES]
    if len(tones) > 1:
        return word
    base = "".join(c for c in letters if c not in TONES)
    tone = tones[0] if tones else ""
    if tone and base[-2:] in ("oa", "oe", "uy") and not base.endswith("quy") and letters.endswith(tone):
        return unicodedata.normalize("NFC", base[:-1] + tone + base[-1])  # older placement: tone on the last vowel
    if base[-1:] == "i" and base[:-1] in I_OR_Y:
        return unicodedata.normalize("NFC", base[:-1] + "y" + tone)
    return word


def written_tokens(text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tokens of *text* (``tokens``) and, index for index, the same tokens with their
    diacritics kept (NFKC and casefold only): "Phần" gives ("phan",) and ("phần",)."""
    folded: list[str] = []
    written: list[str] = []
    word: list[str] = []
    plain: list[str] = []

    def flush() -> None:
        if word:
            as_written = "".join(plain)
            same = vietnamese_syllable(as_written)
            folded.append("".join(word) if same == as_written else fold_accents(same))
            written.append(same)
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
