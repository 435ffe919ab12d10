"""Decarbonisation concepts: a trilingual glossary, and finding its concepts in offers and needs.

Public API
----------
``build_glossary(entries, categories) -> Glossary`` validates plain entries (``{"key",
"category", "ja", "vi", "en", "broader"}``; the first form of a language is the label) and
raises ``GlossaryError`` listing every problem; ``load_glossary(categories)`` does it for the
data files ``matchmaker/data/concepts/<category>.json``. A ``Glossary`` has ``concepts`` (by
key), ``version`` (a hash of its content), ``label(key, lang)``, ``closure(keys)`` (the keys
and every broader concept, with the steps up) and ``entries()``.

``detect(glossary, *texts) -> (key, ...)`` finds the concepts in any of the texts (leftmost,
longest match); ``find_in(glossary, text)`` gives the matches with their token spans.
``normalise`` and ``tokens`` are the normalisation both sides use (``surface``);
``written_tokens`` the same tokens with their diacritics kept (a word written with them matches
only a form written the same way).

``expanded(text, glossary, language, keys)`` is what the model embeds: the text, then its
concepts' names in the event's other languages (``expand``).
"""

from .detect import Found, detect, detect_many, find_in
from .expand import expanded, expansion_line
from .glossary import DATA_DIR, LANGUAGES, Concept, Glossary, GlossaryError, build_glossary, load_glossary, read_entries
from .surface import normalise, tokens, written_tokens

__all__ = [
    "DATA_DIR",
    "LANGUAGES",
    "Concept",
    "Found",
    "Glossary",
    "GlossaryError",
    "build_glossary",
    "detect",
    "detect_many",
    "expanded",
    "expansion_line",
    "find_in",
    "load_glossary",
    "normalise",
    "read_entries",
    "tokens",
    "written_tokens",
]
