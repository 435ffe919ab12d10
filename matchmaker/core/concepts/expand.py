"""Cross-lingual expansion: the text a model embeds is the text plus its topics' names in the
event's other languages.

The offline model matches a Vietnamese need to a Japanese offer far worse than to a Vietnamese
one (its cosines for related and unrelated cross-language pairs overlap). Appending to each
Japanese or Vietnamese text the names of its concepts in the other of the two languages and in
English puts the words a reader of the other language would use into the vector itself: a need
saying "thu hồi khí mê-tan từ bãi chôn lấp" then carries 埋立地ガス発電 and "landfill gas power
generation". English texts stay as written (the English-only pools did not gain). Chosen on the
benchmark's blind sets (``benchmarks/concept_eval.py``; the README has the figures).
"""

from __future__ import annotations

from collections.abc import Iterable

from .glossary import Glossary

# the languages whose concept names are appended to a text written in each language
EXPANSION = {"ja": ("vi", "en"), "vi": ("ja", "en"), "en": ()}
SEPARATOR = " · "


def expansion_line(glossary: Glossary, language: str, keys: Iterable[str]) -> str:
    """The names of *keys* (those the glossary knows, in sorted order) in the languages added to a
    text written in *language*, each once; "" when there is nothing to add."""
    known = sorted(k for k in set(keys) if k in glossary)
    names = [glossary.label(k, lang) for k in known for lang in EXPANSION.get(language, ())]
    return SEPARATOR.join(dict.fromkeys(names))


def expanded(text: str, glossary: Glossary, language: str, keys: Iterable[str]) -> str:
    """*text*, then on a line of its own its concepts' names in the other languages (``expansion_line``)."""
    line = expansion_line(glossary, language, keys)
    return f"{text}\n{line}" if line else text
