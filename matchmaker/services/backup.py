"""Back up and restore the whole database, SQLite or PostgreSQL, given its SQLAlchemy URL.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
while the site keeps running; the copy is a plain single-file database (journal mode DELETE)
that ``sqlite3`` opens as it is. Restoring runs the same API the other way, page by page into
the live file: stop the site first (``make serve`` / gunicorn), a request writing at the same
moment would make the restore wait and then fail with "database is locked".

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner`` in a
single transaction (a restore that fails changes nothing). The client tools come from Debian's
``postgresql-client``; their major version must be at least the server's.

Nothing here imports Flask: the functions take the database URL and a file path, and raise
``BackupError`` with a message a person can act on.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
# subprocess runs only pg_dump and pg_restore, with an argument list and no shell.
import subprocess  # nosec B404
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL, make_url

# Query parameters of a PostgreSQL URL that are not libpq connection keywords.
_NOT_LIBPQ = {"driver", "client_encoding"}


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why and what to do."""


def backup_database(url: str | URL, path: str | os.PathLike) -> Path:
    """Write a backup of the database at *url* to *path* (replaced atomically); return the path.

    SQLite gives an SQLite database file, PostgreSQL a ``pg_dump`` custom-format archive.
    """
    url, target = make_url(url), Path(path)
    if not target.parent.is_dir():
        raise BackupError(f"cannot write {target}: the folder {target.parent} does not exist")
    backend = url.get_backend_name()
    if backend == "sqlite":
        _replace_atomically(target, lambda tmp: _sqlite_copy(_sqlite_file(url), tmp))
    elif backend == "postgresql":
        _replace_atomically(target, lambda tmp: _pg_run("pg_dump", url, "--format=custom", f"--file={tmp}",
                                                        what=f"backup of {url.database} to {target}"))
    else:
        raise BackupError(f"backups of {backend} databases are not supported (only SQLite and PostgreSQL)")
    return target


def restore_database(url: str | URL, path: str | os.PathLike) -> None:
    """Replace the content of the database at *url* with the backup in *path*.

    Stop the site first. On PostgreSQL the objects in the backup are dropped and re-created in
    one transaction; tables that are not in the backup are left alone.
    """
    url, source = make_url(url), Path(path)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    backend = url.get_backend_name()
    if backend == "sqlite":
        _sqlite_restore(source, _sqlite_file(url))
    elif backend == "postgresql":
        _pg_run("pg_restore", url, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                str(source.resolve()), what=f"restore of {source} into {url.database}")
    else:
        raise BackupError(f"restoring {backend} databases is not supported (only SQLite and PostgreSQL)")


def _replace_atomically(target: Path, write) -> None:
    """Call ``write(tmp)`` on a temporary file beside *target*, then move it into place."""
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# --------------------------------------------------------------------------- SQLite


def _sqlite_file(url: URL) -> Path:
    """The database file of an SQLite URL; in-memory databases have none."""
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file::memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(name.removeprefix("file:").split("?", 1)[0])


def _sqlite_copy(source: Path, target: str) -> None:
    """Snapshot *source* into the new file *target* and check the copy."""
    if not source.is_file():  # sqlite3.connect would create an empty database instead
        raise BackupError(f"no SQLite database at {source}")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _check_integrity(dst, target)
    except sqlite3.Error as error:
        raise BackupError(f"backup of {source} failed: {error}") from error
    finally:
        dst.close()
        src.close()


def _sqlite_restore(source: Path, live: Path) -> None:
    """Copy the backup *source* over the live database *live*, pages and all."""
    if not live.parent.is_dir():
        raise BackupError(f"cannot restore into {live}: the folder {live.parent} does not exist")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_integrity(src, source)
        dst = sqlite3.connect(live, timeout=10)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as error:
        raise BackupError(f"restore of {source} into {live} failed: {error} (is the site still running?)") from error
    finally:
        src.close()


def _check_integrity(connection: sqlite3.Connection, name) -> None:
    try:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{name} is not a usable SQLite database: {error}") from error
    if verdict != "ok":
        raise BackupError(f"{name} failed SQLite's integrity check: {verdict}")


# --------------------------------------------------------------------------- PostgreSQL


def _pg_run(tool: str, url: URL, *args: str, what: str) -> None:
    """Run pg_dump or pg_restore against *url*; the password travels in the environment."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} is not installed: install Debian's postgresql-client (`apt-get install postgresql-client`, "
            f"or `make system-deps`); its major version must be at least the server's"
        )
    env = {**os.environ, "PGPASSWORD": url.password} if url.password else dict(os.environ)
    command = [executable, "--no-password", f"--dbname={pg_conninfo(url)}", *args]
    # Bandit B603 is a false alarm here: the executable comes from shutil.which, the arguments are a
    # list (no shell), and the connection string is one --dbname=… argument, so a URL adds no options.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip() or f'{tool} exited with {result.returncode}'}")


def pg_conninfo(url: str | URL) -> str:
    """A libpq connection string (``host=… port=… dbname=…``) for a PostgreSQL URL, without the password."""
    url = make_url(url)
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    for key, value in url.query.items():
        if key not in _NOT_LIBPQ:
            parts[key] = value if isinstance(value, str) else value[-1]
    return " ".join(f"{key}={_quote(str(value))}" for key, value in parts.items() if value not in (None, ""))


def _quote(value: str) -> str:
    """A libpq keyword value: single-quoted with backslash escapes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
