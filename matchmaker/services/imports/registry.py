"""The kinds of import the site knows, each registered under a name (``companies``, ``programme``).

An importer module describes itself once::

    register_importer("companies", Importer(header=..., columns=..., apply=..., summary=...))

and the upload page, the background job and the CLI find it with ``get_importer(name)``; none of
them needs to know what is being imported. The importer modules register when they are imported
(the application's views import them, so an app built by ``create_app`` knows every importer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy.orm import Session

from matchmaker.models import User
from matchmaker.services.imports.table import Column, RowError, read_table

Progress = Callable[[int, int], None]  # (rows done, rows in all)
# (session, acting organiser, rows, options, progress) -> (counts a job can store as JSON, row errors)
Apply = Callable[[Session, User, list[dict[str, str]], dict, "Progress | None"], tuple[dict, list[RowError]]]


@dataclass(frozen=True)
class ColumnGroup:
    """Columns listed together on the import page; *title* names the kind of row they belong to
    (e.g. ``record = seminar``), or is empty when every row has the same columns."""

    title: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Importer:
    """How one kind of import reads, applies and sums up a table.

    *header*: the columns a file must have; *columns*: what the import page lists; *apply*: checks
    and writes every row in the caller's transaction (nothing written when a row fails);
    *summary*: the sentence (in the reader's language) for the counts *apply* returned.
    """

    header: tuple[str, ...]
    columns: tuple[ColumnGroup, ...]
    apply: Apply
    summary: Callable[[dict], str]

    def read(self, filename: str, data: bytes) -> list[dict[str, str]]:
        """The rows of an upload (``ImportFileError`` when the file cannot be read)."""
        return read_table(filename, data, self.header)


_IMPORTERS: dict[str, Importer] = {}


def register_importer(name: str, importer: Importer) -> Importer:
    """Make *importer* the import called *name*; a second, different importer of that name is an error."""
    if _IMPORTERS.get(name, importer) is not importer:
        raise ValueError(f"an importer called {name!r} is registered already")
    _IMPORTERS[name] = importer
    return importer


def get_importer(name: str) -> Importer:
    """The importer registered as *name* (``LookupError`` when there is none)."""
    try:
        return _IMPORTERS[name]
    except KeyError:
        raise LookupError(f"no importer called {name!r}") from None


def importer_names() -> tuple[str, ...]:
    """The names of every registered importer, sorted."""
    return tuple(sorted(_IMPORTERS))
