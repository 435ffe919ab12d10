"""The glossary in use: the data files of ``matchmaker/data/concepts/`` (loaded once per process)
with the organisers' edits laid over them (``glossary_edits``)."""

from __future__ import annotations

import functools

from sqlalchemy.orm import Session

from matchmaker.core.concepts import Glossary, load_glossary
from matchmaker.services.categories import DEFAULT_CATEGORIES
from matchmaker.services.concepts import glossary_edits

CATEGORY_KEYS = tuple(key for key, *_ in DEFAULT_CATEGORIES)


@functools.lru_cache(maxsize=1)
def file_glossary() -> Glossary:
    """The glossary of the data files, validated (a broken file stops the app at its first use)."""
    return load_glossary(CATEGORY_KEYS)


def current_glossary(session: Session | None = None) -> Glossary:
    """The glossary detection and matching use now.

    The data files with the organisers' edits stored in the database laid over them (read
    through *session*; without one, the files alone). Its ``version`` changes whenever its
    content does.
    """
    if session is None:
        return file_glossary()
    return glossary_edits.glossary_in_use(session, file_glossary())
