"""``DATA_DIR``: the corpus, the duplicates log, the state database, run summaries and the run lock.

Only one crawl writes a data directory at a time (an ``flock`` on ``DATA_DIR/.lock``). Records are
appended to the JSON Lines files with one ``write`` per line; a line cut short by a killed
process is removed on the next open, and the state database then catches up with the corpus.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

import numpy as np
from scrapy import signals
from scrapy.crawler import Crawler

from crawler.errors import DataDirBusy, StorageError
from crawler.neardup import NearDuplicateIndex, signature
from crawler.state import CrawlState, KnownRecord
from crawler.urls import url_key

logger = logging.getLogger(__name__)

CORPUS_FILE = "corpus.jsonl"
DUPLICATES_FILE = "duplicates.jsonl"
STATE_FILE = "state.sqlite"
NEARDUP_FILE = "neardup.sqlite"
RUNS_DIR = "runs"
LOCK_FILE = ".lock"
FILE_MODE = 0o644

NEARDUP_BATCH = 100  # index additions per commit; a killed run's last ones are caught up on open


class Duplicate(NamedTuple):
    """The stored record a new one repeats, how (``url``, ``exact``, ``near``) and how closely."""

    of: KnownRecord
    kind: str
    similarity: float


_open_for: WeakKeyDictionary[Crawler, DataDir] = WeakKeyDictionary()
_held_locks: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, holders in this process)


def record_key(canonical: str) -> str:
    """The identity of a record's URL (``seed:`` URLs are their own key)."""
    try:
        return url_key(canonical)
    except ValueError:
        return canonical


class RunLock:
    """An exclusive lock on a data directory, shared by every crawl and scheduler on the machine."""

    def __init__(self, directory: Path) -> None:
        self.path = directory.resolve() / LOCK_FILE

    @classmethod
    def for_directory(cls, directory: str | Path) -> RunLock:
        """The lock of a data directory, creating the directory if needed."""
        path = Path(directory)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"{path}: cannot create data directory ({exc.strerror})") from None
        return cls(path)

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock, waiting up to *wait* seconds; re-entrant within one process."""
        if self.path in _held_locks:
            fd, holders = _held_locks[self.path]
            _held_locks[self.path] = (fd, holders + 1)
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise StorageError(f"{self.path.parent}: cannot write here ({exc.strerror})") from None
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
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        _held_locks[self.path] = (fd, 1)

    def release(self) -> None:
        fd, holders = _held_locks.pop(self.path, (-1, 0))
        if holders > 1:
            _held_locks[self.path] = (fd, holders - 1)
        elif fd >= 0:
            os.ftruncate(fd, 0)
            os.close(fd)


class JsonLinesFile:
    """An append-only JSON Lines file written one whole line per ``write`` call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE)
        self._drop_partial_line()

    @property
    def size(self) -> int:
        return os.fstat(self._fd).st_size

    def append(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n").encode()
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            raise StorageError(f"{self.path}: cannot write ({exc.strerror})") from None

    def read_from(self, offset: int) -> list[tuple[int, dict[str, Any]]]:
        """Records starting at byte *offset*, each with the offset just past its line."""
        records = []
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            for line in handle:
                offset += len(line)
                try:
                    records.append((offset, json.loads(line)))
                except ValueError:
                    logger.warning(
                        "%s: skipping a line that is not JSON at byte %d", self.path, offset
                    )
        return records

    def close(self) -> None:
        os.fsync(self._fd)
        os.close(self._fd)

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
    """The open data directory of one crawl."""

    def __init__(self, path: str | Path, *, lock_wait: float = 0.0) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            (self.path / RUNS_DIR).mkdir(exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"{self.path}: cannot create data directory ({exc.strerror})"
            ) from None
        self._closed = False
        self.lock = RunLock(self.path)
        self.lock.acquire(lock_wait)
        try:
            self.corpus = JsonLinesFile(self.path / CORPUS_FILE)
            self.duplicates = JsonLinesFile(self.path / DUPLICATES_FILE)
            self.state = CrawlState(self.path / STATE_FILE)
            self.neardup = NearDuplicateIndex(self.path / NEARDUP_FILE, batch=NEARDUP_BATCH)
        except OSError as exc:
            self.lock.release()
            raise StorageError(f"{self.path}: cannot open data files ({exc.strerror})") from None
        except StorageError:
            self.lock.release()
            raise
        self._signature: tuple[str, np.ndarray | None] = ("", None)
        self._catch_up()

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> DataDir:
        """The crawl's data directory, opened on first use and closed when the engine stops."""
        data = _open_for.get(crawler)
        if data is None:
            settings = crawler.settings
            data = cls(settings.get("DATA_DIR"), lock_wait=settings.getfloat("LOCK_WAIT"))
            _open_for[crawler] = data
            crawler.signals.connect(data.close, signal=signals.engine_stopped)
        return data

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
        """Append a record to the corpus, then remember it in the state and the index."""
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
        path = self.path / RUNS_DIR / f"{run_id}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.neardup.close()
        self.state.set_neardup_offset(self.corpus.size)
        self.corpus.close()
        self.duplicates.close()
        self.state.close()
        self.lock.release()

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
        for end, record in self.corpus.read_from(offset):
            self.state.add_record(
                record["id"],
                record_key(record["canonical_url"]),
                record["url"],
                record["content_hash"],
            )
            offset, added = end, added + 1
        if added:
            logger.info("%s: state caught up with %d record(s) from the corpus", self.path, added)
        self.state.set_corpus_offset(self.corpus.size)
        self._catch_up_neardup()

    def _catch_up_neardup(self) -> None:
        """Index the records a killed run stored but did not commit to the near-duplicate index
        (it commits in batches; the state remembers how much of the corpus it covers)."""
        offset = self.state.neardup_offset
        if offset > self.corpus.size or (offset and not len(self.neardup)):
            offset = 0  # the corpus was replaced or the index deleted: index everything
        if offset == self.corpus.size:
            return
        records = self.corpus.read_from(offset)
        for _, record in records:
            self.neardup.add(record["id"], record["body"])
        self.neardup.commit()
        self.state.set_neardup_offset(self.corpus.size)
        logger.info("%s: near-duplicate index caught up with %d record(s)", self.path, len(records))
