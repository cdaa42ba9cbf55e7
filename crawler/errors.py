"""Errors a user can fix: each renders as one line naming the file or URL and the problem."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# Exit codes of the commands: bad input, an unusable data directory, another crawl writing it.
EXIT_BAD_INPUT = 2
EXIT_STORAGE = 3
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later


def exit_code(error: Exception) -> int:
    """The exit code a command ends with on ``error`` (an InputError or a StorageError)."""
    if isinstance(error, DataDirBusy):
        return EXIT_BUSY
    return EXIT_STORAGE if isinstance(error, StorageError) else EXIT_BAD_INPUT


class InputError(Exception):
    """Bad user input (seeds, sources, settings, arguments). ``str()`` is the one-line message."""

    def __init__(self, where: object, problem: str) -> None:
        self.where = str(where)
        self.problem = problem
        super().__init__(f"{self.where}: {problem}")


class StorageError(Exception):
    """The data directory cannot be used (locked by another crawl, read-only, full, corrupt)."""


class DataDirBusy(StorageError):
    """Another crawl holds the data directory's lock."""


class CorruptDatabase(StorageError):
    """A database file of the data directory is damaged; ``scrapy rebuild`` rebuilds it."""

    def __init__(self, path: object, problem: str, what: str = "database") -> None:
        self.path = Path(str(path))
        super().__init__(
            f"{path}: {what} is unusable (damaged: {problem}); rebuild it from the corpus with"
            f" 'scrapy rebuild -s DATA_DIR={self.path.parent}' (the damaged file is kept)"
        )


# SQLite result codes that mean the file itself is damaged or is not a database.
_CORRUPT = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


def os_problem(exc: OSError) -> str:
    """An OS error's reason in lower case, as in "no space left on device"."""
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def file_error(path: object, exc: OSError, doing: str = "cannot write") -> StorageError:
    """A one-line :class:`StorageError` for an OS error on a data file."""
    return StorageError(f"{path}: {doing} ({os_problem(exc)})")


def database_error(
    path: object, exc: sqlite3.Error, doing: str = "cannot write", what: str = "database"
) -> StorageError:
    """:class:`CorruptDatabase` for a damaged file, else a one-line :class:`StorageError`."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    if any(name.startswith(code) for code in _CORRUPT):
        return CorruptDatabase(path, str(exc), what)
    return StorageError(f"{path}: {doing} ({exc})")
