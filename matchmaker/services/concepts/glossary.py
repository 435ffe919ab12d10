"""The glossary in use: the data files of ``matchmaker/data/concepts/``, loaded once per process."""

from __future__ import annotations

import functools

from sqlalchemy.orm import Session

from matchmaker.core.concepts import Glossary, load_glossary
from matchmaker.services.categories import DEFAULT_CATEGORIES

CATEGORY_KEYS = tuple(key for key, *_ in DEFAULT_CATEGORIES)


@functools.lru_cache(maxsize=1)
def file_glossary() -> Glossary:
    """The glossary of the data files, validated (a broken file stops the app at its first use)."""
    return load_glossary(CATEGORY_KEYS)


def current_glossary(session: Session | None = None) -> Glossary:
    """The glossary detection and matching use now.

    For now the data files; *session* is there for organiser edits stored in the database,
    to be layered on the files. Its ``version`` changes whenever its content does.
    """
    return file_glossary()
