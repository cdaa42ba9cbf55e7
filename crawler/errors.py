"""Errors a user can fix: each renders as one line naming the file or URL and the problem."""


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
