"""Normalisation of text that people type.

Text is stored NFC-normalised (``clean_text``) so that the same Vietnamese word typed on two
keyboards (precomposed or combining diacritics) is the same string. Searching uses a key made
with NFKC + casefold (``search_key``) so that full-width and half-width Japanese forms and
upper/lower case meet, plus an accent-folded variant (``fold_accents``) so that a Vietnamese
visitor typing without diacritics ("ha noi") still finds "Hà Nội".
"""

from __future__ import annotations

import unicodedata

_LATIN_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "ł": "l"})


def clean_text(value: str | None) -> str:
    """Return *value* NFC-normalised with surrounding white space removed ('' for None)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def search_key(value: str | None) -> str:
    """Return the NFKC + casefold key of *value*, white space collapsed to single spaces."""
    folded = unicodedata.normalize("NFKC", value or "").casefold()
    return " ".join(folded.split())


def _is_latin(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")


def fold_accents(key: str) -> str:
    """Strip diacritics from Latin letters of an already-made search key.

    Only marks that sit on Latin letters are removed, so Japanese voiced kana (が = か + ゛)
    keep their meaning.
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFD", key.translate(_LATIN_EXTRA)):
        if unicodedata.combining(char) and out and _is_latin(out[-1]):
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def index_text(*parts: str | None) -> str:
    """Build the stored search text for a record: its key, then its accent-folded key.

    A query key (``search_key(query)``) typed with diacritics matches the first part only;
    one typed without them also matches the folded copy.
    """
    key = search_key(" ".join(p for p in parts if p))
    folded = fold_accents(key)
    return key if folded == key else f"{key}\n{folded}"

