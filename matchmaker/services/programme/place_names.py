"""Names of rooms and halls in Japanese, Vietnamese and English, beside the main name.

The main ``name`` is what forms and imports find a place by; the per-language names are what
readers see (``NamedInLanguages.name_in``), each optional.
"""

from __future__ import annotations

from typing import Mapping

from matchmaker.models import PROGRAMME_LANGUAGES
from matchmaker.models.programme import NamedInLanguages
from matchmaker.services import validation as v


def clean_names(names: Mapping[str, str | None] | None) -> dict[str, str]:
    """The given per-language names, validated (fields ``name_ja`` …); languages not given are left out."""
    return {lang: v.text(f"name_{lang}", names[lang], max_length=120, required=False)
            for lang in PROGRAMME_LANGUAGES if names and lang in names}


def apply_names(place: NamedInLanguages, names: Mapping[str, str]) -> None:
    """Write cleaned names onto *place* (a room or hall); an empty name removes that language's."""
    for lang, name in names.items():
        setattr(place, f"name_{lang}", name)


def names_from_row(row: Mapping[str, str], prefix: str) -> dict[str, str]:
    """The per-language names an import row gives in columns ``<prefix>_ja`` …; absent columns are left out."""
    return {lang: row[f"{prefix}_{lang}"] for lang in PROGRAMME_LANGUAGES if f"{prefix}_{lang}" in row}
