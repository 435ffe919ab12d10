"""A person's name in Latin letters, for the second line of a badge.

Vietnamese (and any Latin-script name) loses its diacritics, Đ/đ included: "Nguyễn Văn Đức" →
"Nguyen Van Duc". Japanese is romanised with pykakasi (Hepburn), word by word, in the order it
is written, so the surname stays first: "山田 太郎" → "Yamada Taro". Long vowels are written
as passports do (Tarou → Taro, Yuuko → Yuko), except where the next letter is a vowel, which
keeps names like Inoue. Readings of kanji names are guesses (健 may be Takeshi or Ken), which
is why organisers can correct the result. A name in another script gives '' (nobody guesses).
"""

from __future__ import annotations

import functools
import re
import unicodedata

_LATIN_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"})
# a long vowel (ou, oo, uu) written once, unless a vowel follows (井上 Inoue keeps its "ou")
_LONG_VOWEL = re.compile(r"(?<=[a-z])(ou|oo|uu)(?![aeiou])|^(ou|oo|uu)(?![aeiou])")
# letters, spaces and the marks names use: the Latin line may hold only these
LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .,'’-]*$")


def _is_japanese(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA")) or char in "々〆ヶー"


def strip_diacritics(name: str) -> str:
    """*name* without accents on its Latin letters (Đ → D); other characters unchanged."""
    decomposed = unicodedata.normalize("NFD", name.translate(_LATIN_EXTRA))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@functools.lru_cache(maxsize=1)
def _kakasi():
    import pykakasi  # loads its dictionaries once; only needed for Japanese names

    return pykakasi.kakasi()


def _passport_vowels(word: str) -> str:
    return _LONG_VOWEL.sub(lambda m: (m.group(1) or m.group(2))[0], word)


def romanise_japanese(name: str) -> str:
    """The Hepburn reading of a Japanese name, words capitalised, in the written order."""
    words: list[str] = []
    for part in _kakasi().convert(unicodedata.normalize("NFKC", name)):
        for word in part["hepburn"].split():
            word = _passport_vowels(word.lower())
            if word:
                words.append(word[:1].upper() + word[1:])
    return " ".join(words)


def latin_name(name: str) -> str:
    """*name* in plain Latin letters for a badge, or '' when it cannot be derived."""
    name = " ".join(unicodedata.normalize("NFKC", name or "").split())  # half/full width folded
    if any(_is_japanese(c) for c in name):
        name = romanise_japanese(name)
    latin = " ".join(strip_diacritics(name).split())
    return latin if LATIN_NAME.match(latin) else ""


def is_latin_name(value: str) -> bool:
    """Whether *value* is written with Latin letters only (spaces, dots, hyphens, apostrophes allowed)."""
    return bool(LATIN_NAME.match(value or ""))
