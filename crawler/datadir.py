"""``DATA_DIR``: the corpus, the duplicates log, the state database, run summaries and the run lock.

Only one crawl writes a data directory at a time (an ``flock`` on ``DATA_DIR/.lock``). Records are
appended to the JSON Lines files with one ``write`` per line; a line cut short by a killed
process is removed on the next open, and the state database then catches up with the corpus.

Storage failures (disk full, read-only, file size limit, a damaged database) raise a one-line
:class:`~crawler.errors.StorageError` naming the file. A failed append is cut back, so the corpus
never holds a partial line, and a record reaches the state only after the corpus has it. The first
failure stops the crawl (finish reason ``storage_error``); Scrapy's reports of the same failure are
logged without a traceback. Files are created ``0o644`` and folders ``0o755``, less under a
stricter umask: never group- or world-writable, even with umask 000.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

import numpy as np
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import deferred_from_coro

from crawler.errors import CorruptDatabase, DataDirBusy, StorageError, file_error
from crawler.neardup import NearDuplicateIndex, signature
from crawler.state import CrawlState, KnownRecord, check_file
from crawler.urls import url_key

logger = logging.getLogger(__name__)

CORPUS_FILE = "corpus.jsonl"
DUPLICATES_FILE = "duplicates.jsonl"
STATE_FILE = "state.sqlite"
NEARDUP_FILE = "neardup.sqlite"
RUNS_DIR = "runs"
LOCK_FILE = ".lock"
FILE_MODE = 0o644
DIR_MODE = 0o755
STORAGE_FAILURE = "storage_error"  # finish reason of a crawl stopped by a storage failure
# Scrapy loggers that report exceptions raised in pipelines, callbacks and signal handlers.
_SCRAPY_LOGGERS = ("scrapy.core.scraper", "scrapy.core.engine", "scrapy.utils.signal")

NEARDUP_BATCH = 100  # index additions per commit; a killed run's last ones are caught up on open


class Duplicate(NamedTuple):
    """The stored record a new one repeats, how (``url``, ``exact``, ``near``) and how closely."""

    of: KnownRecord
    kind: str
    similarity: float


class Rebuilt(NamedTuple):
    """What :func:`rebuild` did: the database files rebuilt, where the old ones went (damaged
    ones as ``<name>.corrupt-<UTC time>``), and what the new state knows."""

    rebuilt: list[str]
    set_aside: list[Path]
    records: int
    duplicates: int


_open_for: WeakKeyDictionary[Crawler, DataDir] = WeakKeyDictionary()
_open_dirs: dict[Path, DataDir] = {}  # resolved path -> the DataDir open on it in this process
_held_locks: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, holders in this process)


def record_key(canonical: str) -> str:
    """The identity of a record's URL (``seed:`` URLs are their own key)."""
    try:
        return url_key(canonical)
    except ValueError:
        return canonical


def make_dirs(path: Path) -> None:
    """Create *path* and its missing parents, each ``DIR_MODE`` (less under a stricter umask)."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        except OSError as exc:
            raise file_error(folder, exc, "cannot create data directory") from None


class RunLock:
    """An exclusive lock on a data directory, shared by every crawl and scheduler on the machine."""

    def __init__(self, directory: Path) -> None:
        self.path = directory.resolve() / LOCK_FILE

    @classmethod
    def for_directory(cls, directory: str | Path) -> RunLock:
        """The lock of a data directory, creating the directory if needed."""
        make_dirs(Path(directory))
        return cls(Path(directory))

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock, waiting up to *wait* seconds; re-entrant within one process."""
        if self.path in _held_locks:
            fd, holders = _held_locks[self.path]
            _held_locks[self.path] = (fd, holders + 1)
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise file_error(self.path.parent, exc, "cannot write here") from None
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                    os.close(fd)
                    raise DataDirBusy(
                        f"{self.path.parent}: another crawl (pid {owner}) is writing here; try"
                        " again when it ends, or set -s LOCK_WAIT=<seconds> to wait for it"
                    ) from None
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        with suppress(OSError):  # the owner's pid is a courtesy: a full disk must not stop us here
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        _held_locks[self.path] = (fd, 1)

    def release(self) -> None:
        fd, holders = _held_locks.pop(self.path, (-1, 0))
        if holders > 1:
            _held_locks[self.path] = (fd, holders - 1)
        elif fd >= 0:
            with suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)


class JsonLinesFile:
    """An append-only JSON Lines file written one whole line per ``write`` call.

    A failed append is cut back to where it began, so no partial line is left behind; the
    failure is reported to ``on_failure`` and raised as a :class:`StorageError`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.on_failure: Callable[[StorageError], None] | None = None
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE)
        except OSError as exc:
            raise file_error(path, exc, "cannot open") from None
        try:
            self._drop_partial_line()
        except OSError as exc:
            os.close(self._fd)
            raise file_error(path, exc, "cannot repair the last line") from None

    @property
    def size(self) -> int:
        return os.fstat(self._fd).st_size

    def append(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n").encode()
        view = memoryview(data)
        start = self.size
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            with suppress(OSError):
                os.ftruncate(self._fd, start)  # else the next open drops the partial line
            raise self._failure(file_error(self.path, exc)) from None

    def read_from(self, offset: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """Records from byte *offset* to the current end, each with the offset just past its
        line; lines that are not JSON objects are skipped with a warning."""
        end = self.size
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed below, read lazily
        except OSError as exc:
            raise file_error(self.path, exc, "cannot read") from None
        with handle:
            handle.seek(offset)
            while offset < end and (line := handle.readline(end - offset)):
                offset += len(line)
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict):
                    yield offset, record
                else:
                    logger.warning(
                        "%s: skipping a line that is not a JSON object, ending at byte %d",
                        self.path,
                        offset,
                    )

    def close(self) -> None:
        """Flush to disk and close (closed even when the flush fails)."""
        try:
            os.fsync(self._fd)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: a device or pipe, nothing to flush
                raise self._failure(file_error(self.path, exc)) from None
        finally:
            os.close(self._fd)

    def _failure(self, error: StorageError) -> StorageError:
        if self.on_failure is not None:
            self.on_failure(error)
        return error

    def _drop_partial_line(self) -> None:
        size = self.size
        if size == 0 or os.pread(self._fd, 1, size - 1) == b"\n":
            return
        chunk = 1 << 16
        end = size
        while end > 0:
            start = max(0, end - chunk)
            cut = os.pread(self._fd, end - start, start).rfind(b"\n")
            if cut >= 0:
                end = start + cut + 1
                break
            end = start
        logger.warning(
            "%s: removing an incomplete last line (%d bytes) left by an interrupted run",
            self.path,
            size - end,
        )
        os.ftruncate(self._fd, end)


class DataDir:
    """The open data directory of one crawl.

    Opening takes the run lock, repairs a cut-off last line, checks both databases and brings
    them up to date with the corpus; a new state database also learns the duplicate URLs from
    ``duplicates.jsonl``. The first storage failure afterwards is kept in :attr:`failure` and
    stops the crawl the directory is attached to.
    """

    def __init__(self, path: str | Path, *, lock_wait: float = 0.0) -> None:
        self.path = Path(path)
        self.failure: StorageError | None = None
        self._stop: Callable[[], None] | None = None
        self._closed = False
        make_dirs(self.path / RUNS_DIR)
        self.lock = RunLock(self.path)
        self.lock.acquire(lock_wait)
        with ExitStack() as opened:
            opened.callback(self.lock.release)
            self.corpus = JsonLinesFile(self.path / CORPUS_FILE)
            opened.callback(_quietly, self.corpus.close)
            self.duplicates = JsonLinesFile(self.path / DUPLICATES_FILE)
            opened.callback(_quietly, self.duplicates.close)
            self.state = CrawlState(self.path / STATE_FILE)
            opened.callback(_quietly, self.state.close)
            self.neardup = NearDuplicateIndex(self.path / NEARDUP_FILE, batch=NEARDUP_BATCH)
            opened.callback(_quietly, self.neardup.close)
            self._signature: tuple[str, np.ndarray | None] = ("", None)
            self._catch_up()
            opened.pop_all()
        for part in (self.corpus, self.duplicates, self.state, self.neardup):
            part.on_failure = self._failed
        _open_dirs[self.path.resolve()] = self

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> DataDir:
        """The crawl's data directory: the one already open on ``DATA_DIR`` in this process
        (the crawl command opens it before the engine starts) or a new one, closed when the
        engine stops."""
        data = _open_for.get(crawler)
        if data is None:
            settings = crawler.settings
            path = Path(settings.get("DATA_DIR"))
            data = _open_dirs.get(path.resolve())
            if data is None or data._stop is not None:  # not open, or serving another crawl
                data = cls(path, lock_wait=settings.getfloat("LOCK_WAIT"))
            data.attach(crawler)
        return data

    def attach(self, crawler: Crawler) -> None:
        """Serve *crawler*: stop it on the first storage failure, close when its engine stops."""
        _open_for[crawler] = self
        crawler.signals.connect(self._engine_stopped, signal=signals.engine_stopped)
        self._stop = lambda: _stop_crawl(crawler)
        _quiet_storage_tracebacks()

    def find_duplicate(self, record: dict[str, Any]) -> Duplicate | None:
        """The stored record this one repeats: same page (``url``), same body text (``exact``)
        or a syndicated copy of the same text (``near``, with the estimated similarity)."""
        known = self.state.record_by_key(record_key(record["canonical_url"]))
        if known is not None:
            return Duplicate(known, "url", 1.0)
        known = self.state.record_by_hash(record["content_hash"])
        if known is not None:
            return Duplicate(known, "exact", 1.0)
        sig = self._signature_of(record)
        match = None if sig is None else self.neardup.find_signature(sig)
        if match is not None and (known := self.state.record_by_id(match[0])) is not None:
            return Duplicate(known, "near", round(match[1], 4))
        return None

    def store(self, record: dict[str, Any]) -> None:
        """Append a record to the corpus, then remember it in the state and the index.

        After a storage failure nothing more is stored: the crawl is stopping."""
        if self.failure is not None:
            raise StorageError(str(self.failure))
        self.corpus.append(record)
        self.state.add_record(
            record["id"], record_key(record["canonical_url"]), record["url"], record["content_hash"]
        )
        self.state.set_corpus_offset(self.corpus.size)
        sig = self._signature_of(record)
        if sig is not None:
            self.neardup.add_signature(record["id"], sig)

    def _signature_of(self, record: dict[str, Any]) -> np.ndarray | None:
        """The body's MinHash signature, computed once per record (dedup, then store)."""
        if self._signature[0] != record["content_hash"]:
            self._signature = (record["content_hash"], signature(record["body"]))
        return self._signature[1]

    def write_run_summary(self, run_id: str, summary: dict[str, Any]) -> Path:
        """Write ``runs/<run_id>.json`` whole (through a temporary file) and return its path."""
        path = self.path / RUNS_DIR / f"{run_id}.json"
        tmp = path.with_suffix(".json.tmp")
        text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
        try:
            with suppress(FileNotFoundError):
                tmp.unlink()
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with open(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            tmp.replace(path)
        except OSError as exc:
            with suppress(OSError):
                tmp.unlink()
            error = file_error(path, exc)
            self._failed(error)
            raise error from None
        return path

    def close(self) -> None:
        """Commit, flush and close every file and release the lock; raise the first failure
        (already kept in :attr:`failure`) once everything is closed."""
        if self._closed:
            return
        self._closed = True
        _open_dirs.pop(self.path.resolve(), None)
        problems = []
        for step in (self._close_neardup, self.corpus.close, self.duplicates.close):
            try:
                step()
            except StorageError as exc:
                problems.append(exc)
        self.state.close()
        self.lock.release()
        if problems:
            raise problems[0]

    def _close_neardup(self) -> None:
        self.neardup.close()
        self.state.set_neardup_offset(self.corpus.size)  # only once the index is committed

    def _engine_stopped(self) -> None:
        with suppress(StorageError):  # kept in self.failure and logged when it happened
            self.close()

    def _failed(self, error: StorageError) -> None:
        """Keep and log the first storage failure, and stop the crawl."""
        if self.failure is not None:
            return
        self.failure = error
        if self._stop is None:
            logger.error("%s", error)
        else:
            logger.error("%s; stopping the crawl", error)
            self._stop()

    def _catch_up(self) -> None:
        """Bring the state up to date with records the corpus has and the state has not seen."""
        offset = self.state.corpus_offset
        if offset > self.corpus.size:
            logger.warning(
                "%s: corpus is shorter than the state remembers; rebuilding the state",
                self.corpus.path,
            )
            self.state.forget_records()
            offset = 0
        added = 0
        for _, record in self.corpus.read_from(offset):
            try:
                ids = record["id"], record_key(record["canonical_url"]), record["url"]
                self.state.add_record(*ids, record["content_hash"])
            except (KeyError, TypeError):
                logger.warning("%s: skipping a record without id, URLs or hash", self.corpus.path)
                continue
            added += 1
        if added:
            logger.info("%s: state caught up with %d record(s) from the corpus", self.path, added)
        self.state.set_corpus_offset(self.corpus.size)
        if self.state.created:
            self._restore_duplicates()
        self._catch_up_neardup()

    def _restore_duplicates(self) -> None:
        """Let a new state know the URLs ``duplicates.jsonl`` lists, so they are not refetched."""
        restored = 0
        for _, line in self.duplicates.read_from(0):
            try:
                key, url, of = record_key(line["canonical_url"]), line["url"], line["duplicate_of"]
            except (KeyError, TypeError):
                continue
            self.state.mark_url(key, url, "duplicate", record_id=of)
            restored += 1
        if restored:
            logger.info("%s: state learnt %d duplicate URL(s) from %s", self.path, restored,
                        DUPLICATES_FILE)  # fmt: skip

    def _catch_up_neardup(self) -> None:
        """Index the records a killed run stored but did not commit to the near-duplicate index
        (it commits in batches; the state remembers how much of the corpus it covers)."""
        offset = self.state.neardup_offset
        if offset > self.corpus.size or (offset and not len(self.neardup)):
            offset = 0  # the corpus was replaced or the index deleted: index everything
        if offset == self.corpus.size:
            return
        added = 0
        for _, record in self.corpus.read_from(offset):
            if isinstance(record.get("body"), str) and "id" in record:
                self.neardup.add(record["id"], record["body"])
                added += 1
        self.neardup.commit()
        self.state.set_neardup_offset(self.corpus.size)
        logger.info("%s: near-duplicate index caught up with %d record(s)", self.path, added)


def rebuild(path: str | Path, *, force: bool = False, lock_wait: float = 0.0) -> Rebuilt:
    """Rebuild the state database and the near-duplicate index of a data directory from its
    corpus (and the duplicate URLs from ``duplicates.jsonl``).

    Only a damaged or missing database is rebuilt (both with *force*). The old file is renamed,
    with its ``-wal`` and ``-shm`` files, to ``<name>.corrupt-<UTC time>`` (``.replaced-<UTC
    time>`` when sound): nothing is deleted. What a rebuilt state cannot know is what happened to
    pages that gave no record (unrelated, not articles, failed), the entry points' validators and
    the sources' run history: the next crawl fetches those pages again.
    """
    folder = Path(path)
    lock = RunLock.for_directory(folder)
    lock.acquire(lock_wait)
    try:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        rebuilt, moved = [], []
        for name in (STATE_FILE, NEARDUP_FILE):
            problem = _problem(folder / name)
            if problem is None and not force:
                continue
            rebuilt.append(name)
            label = "replaced" if problem in (None, "missing") else "corrupt"
            moved += _set_aside(folder / name, f"{label}-{stamp}")
        data = DataDir(folder)
        try:
            counts = data.state.counts()
        finally:
            data.close()
    finally:
        lock.release()
    return Rebuilt(rebuilt, moved, counts.get("records", 0), counts.get("duplicate", 0))


def _problem(path: Path) -> str | None:
    """Why a database needs rebuilding ("missing", the damage found), or None when it is sound.

    The state database is checked read-only, so a damaged one is set aside exactly as it was;
    one that cannot be read for another reason is an error (rebuilding would not help). The
    near-duplicate index is derived data: any failure to open it means rebuilding it."""
    if not path.exists():
        return "missing"
    try:
        if path.name == STATE_FILE:
            check_file(path)
        else:
            NearDuplicateIndex(path).close()
    except CorruptDatabase as exc:
        return str(exc)
    except StorageError as exc:
        if path.name == STATE_FILE:
            raise
        return str(exc)
    return None


def _set_aside(path: Path, suffix: str) -> list[Path]:
    """Rename a database and its ``-wal``/``-shm`` files to ``<name>.<suffix>[-wal|-shm]``."""
    moved = []
    for extra in ("", "-wal", "-shm"):
        source = path.with_name(path.name + extra)
        if source.exists():
            target = path.with_name(f"{path.name}.{suffix}{extra}")
            try:
                source.replace(target)
            except OSError as exc:
                raise file_error(source, exc, "cannot move aside") from None
            moved.append(target)
    return moved


def _quietly(close: Callable[[], None]) -> None:
    """Close a part of a data directory whose opening failed, ignoring its own failure."""
    with suppress(StorageError):
        close()


def _stop_crawl(crawler: Crawler) -> None:
    """Close the crawl's spider with the ``storage_error`` reason (unless it already stopped).

    Scrapy 2.19 never finishes closing a spider if closing begins while an item yielded by
    ``start()`` (a seed record) is in the item pipelines: nothing checks the scraper again once
    that item is done. So the close waits until no item is being processed.
    """
    engine = crawler.engine
    if engine is None or engine.spider is None:
        return
    slot = engine.scraper.slot
    if slot is not None and slot.itemproc_size:
        call_later(0.05, _stop_crawl, crawler)
        return
    deferred_from_coro(engine.close_spider_async(reason=STORAGE_FAILURE))


class _QuietStorageErrors(logging.Filter):
    """Scrapy's report of a storage failure (already logged by :class:`DataDir`) becomes one
    DEBUG line without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, StorageError):
            record.msg, record.args = "storage failure, reported above: %s", (exc,)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


_QUIET = _QuietStorageErrors()


def _quiet_storage_tracebacks() -> None:
    for name in _SCRAPY_LOGGERS:
        target = logging.getLogger(name)
        if _QUIET not in target.filters:
            target.addFilter(_QUIET)
