"""The crawl's memory across runs: one SQLite file in ``DATA_DIR``.

It records which pages are in the corpus (by URL key and by content hash) and what happened to every
other URL, so later runs skip what they already have. The corpus file is the source of truth: the
state remembers how many bytes of it it has seen and catches up from there on open (see
:class:`crawler.datadir.DataDir`), so a crash between writing a record and committing the state
loses nothing. It also keeps the HTTP validators (ETag, Last-Modified) of entry points, for
conditional requests, a per-source history of runs, to flag sources that keep failing, and the
links found in related articles until they are fetched (the frontier a killed run leaves behind).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from crawler.errors import CorruptDatabase, StorageError, database_error

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY, url_key TEXT NOT NULL UNIQUE, url TEXT NOT NULL,
    content_hash TEXT NOT NULL, stored_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS records_hash ON records (content_hash);
CREATE TABLE IF NOT EXISTS urls (
    url_key TEXT PRIMARY KEY, url TEXT NOT NULL, outcome TEXT NOT NULL, record_id TEXT,
    error TEXT, attempts INTEGER NOT NULL DEFAULT 1, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS validators (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frontier (
    url_key TEXT PRIMARY KEY, url TEXT NOT NULL, meta TEXT NOT NULL, added_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source_runs (
    run_id TEXT NOT NULL, source TEXT NOT NULL, failing INTEGER NOT NULL, finished_at TEXT NOT NULL,
    PRIMARY KEY (run_id, source));
"""
# A failed URL is tried again on the next run, then after 1 h, 2 h, 4 h ... at most a week.
RETRY_BASE = timedelta(hours=1)
RETRY_MAX = timedelta(days=7)
STATE_VERSION = "1"
WHAT = "state database"


class KnownRecord(NamedTuple):
    """A record already in the corpus."""

    id: str
    url: str


class CrawlState:
    """Seen URLs, stored records and their content hashes, in one SQLite database.

    Opening checks the file (``PRAGMA quick_check``): a damaged one raises
    :class:`~crawler.errors.CorruptDatabase`. Any later SQLite failure (disk full, read-only,
    damage found on the way) raises :class:`~crawler.errors.StorageError`, after calling
    ``on_failure`` with it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.on_failure: Callable[[StorageError], None] | None = None
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise database_error(self.path, exc, "cannot open", WHAT) from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            check_integrity(self._db, self.path, WHAT)
            self._db.executescript(SCHEMA)
            version = self._meta("state_version")
            self.created = version is None
            if self.created:
                self._set_meta("state_version", STATE_VERSION)
            elif version != STATE_VERSION:
                raise StorageError(
                    f"{self.path}: state version {version}, expected {STATE_VERSION}"
                )
        except sqlite3.Error as exc:
            self._db.close()
            raise database_error(self.path, exc, "cannot open", WHAT) from None
        except StorageError:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    def record_by_key(self, url_key: str) -> KnownRecord | None:
        row = self._one("SELECT id, url FROM records WHERE url_key = ?", (url_key,))
        return KnownRecord(*row) if row else None

    def record_by_id(self, record_id: str) -> KnownRecord | None:
        row = self._one("SELECT id, url FROM records WHERE id = ?", (record_id,))
        return KnownRecord(*row) if row else None

    def record_by_hash(self, content_hash: str) -> KnownRecord | None:
        row = self._one(
            "SELECT id, url FROM records WHERE content_hash = ? ORDER BY rowid LIMIT 1",
            (content_hash,),
        )
        return KnownRecord(*row) if row else None

    def add_record(self, record_id: str, url_key: str, url: str, content_hash: str) -> None:
        """Remember a record written to the corpus (idempotent)."""
        now = _now()
        with self._transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO records (id, url_key, url, content_hash, stored_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (record_id, url_key, url, content_hash, now),
            )
            self._upsert_url(url_key, url, "stored", record_id, None, now)

    def mark_url(
        self,
        url_key: str,
        url: str,
        outcome: str,
        *,
        record_id: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record what happened to a URL that did not become a corpus record."""
        with self._transaction():
            self._upsert_url(url_key, url, outcome, record_id, error, _now())

    def should_fetch(self, url_key: str, now: datetime | None = None) -> bool:
        """False for a URL whose outcome is known; a failed URL once its back-off has passed."""
        row = self._one(
            "SELECT outcome, attempts, updated_at FROM urls WHERE url_key = ?", (url_key,)
        )
        if row is None:
            return True
        outcome, attempts, updated_at = row
        if outcome != "failed":
            return False
        wait = min(RETRY_BASE * 2 ** (attempts - 2), RETRY_MAX) if attempts > 1 else timedelta(0)
        return (now or datetime.now(UTC)) >= datetime.fromisoformat(updated_at) + wait

    def add_to_frontier(self, links: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """Remember ``(url_key, url, request meta)`` of links found in a related article until
        they have an outcome: a run killed before fetching them leaves them to the next one (the
        article that linked to them is not fetched again)."""
        now = _now()
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO frontier (url_key, url, meta, added_at) VALUES (?, ?, ?, ?)",
                [(key, url, json.dumps(meta), now) for key, url, meta in links],
            )

    def frontier(self) -> list[tuple[str, dict[str, Any]]]:
        """``(url, request meta)`` of the remembered links still to fetch (no outcome yet, or
        failed); those with an outcome are forgotten."""
        with self._transaction():
            self._db.execute(
                "DELETE FROM frontier WHERE url_key IN"
                " (SELECT url_key FROM urls WHERE outcome != 'failed')"
            )
            rows = self._db.execute("SELECT url, meta FROM frontier ORDER BY added_at").fetchall()
        return [(url, json.loads(meta)) for url, meta in rows]

    def url_outcome(self, url_key: str) -> str | None:
        row = self._one("SELECT outcome FROM urls WHERE url_key = ?", (url_key,))
        return row[0] if row else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The (ETag, Last-Modified) a URL last answered with."""
        row = self._one("SELECT etag, last_modified FROM validators WHERE url = ?", (url,))
        return (row[0], row[1]) if row else (None, None)

    def set_validators(self, validators: dict[str, tuple[str | None, str | None]]) -> None:
        """Remember entry points' validators (after a run that finished)."""
        now = _now()
        with self._transaction():
            self._db.executemany(
                "INSERT INTO validators (url, etag, last_modified, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, updated_at = excluded.updated_at",
                [(url, etag, modified, now) for url, (etag, modified) in validators.items()],
            )

    def record_source_runs(self, run_id: str, failing: dict[str, bool]) -> None:
        """Note which sources failed (nothing fetched, only errors) in this run."""
        now = _now()
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO source_runs (run_id, source, failing, finished_at)"
                " VALUES (?, ?, ?, ?)",
                [(run_id, source, int(bad), now) for source, bad in failing.items()],
            )

    def failing_streak(self, source: str) -> int:
        """How many of the source's latest runs in a row failed."""
        with self._guard("cannot read"):
            rows = self._db.execute(
                "SELECT failing FROM source_runs WHERE source = ? ORDER BY rowid DESC", (source,)
            ).fetchall()
        streak = 0
        for (failing,) in rows:
            if not failing:
                break
            streak += 1
        return streak

    def prune(self, older_than: timedelta) -> int:
        """Forget URL outcomes (not stored records) and validators older than *older_than*."""
        cutoff = (datetime.now(UTC) - older_than).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._transaction():
            pruned = self._db.execute(
                "DELETE FROM urls WHERE outcome != 'stored' AND updated_at < ?", (cutoff,)
            ).rowcount
            self._db.execute("DELETE FROM validators WHERE updated_at < ?", (cutoff,))
            self._db.execute("DELETE FROM frontier WHERE added_at < ?", (cutoff,))
        return pruned

    def counts(self) -> dict[str, int]:
        """How many records the state holds (``records``) and URLs per outcome."""
        with self._guard("cannot read"):
            found = dict(self._db.execute("SELECT outcome, count(*) FROM urls GROUP BY outcome"))
            found["records"] = self._db.execute("SELECT count(*) FROM records").fetchone()[0]
        return found

    @property
    def corpus_offset(self) -> int:
        """How many bytes of the corpus file the state already reflects."""
        return int(self._meta("corpus_offset") or 0)

    def set_corpus_offset(self, offset: int) -> None:
        with self._guard():
            self._set_meta("corpus_offset", str(offset))

    @property
    def neardup_offset(self) -> int:
        """How many bytes of the corpus the near-duplicate index covers for sure (committed)."""
        return int(self._meta("neardup_offset") or 0)

    def set_neardup_offset(self, offset: int) -> None:
        with self._guard():
            self._set_meta("neardup_offset", str(offset))

    def forget_records(self) -> None:
        """Drop what the state knows of the corpus, before rebuilding it from the file."""
        with self._transaction():
            self._db.execute("DELETE FROM records")
            self._db.execute("DELETE FROM urls WHERE outcome = 'stored'")
            self._set_meta("corpus_offset", "0")

    def _upsert_url(
        self,
        url_key: str,
        url: str,
        outcome: str,
        record_id: str | None,
        error: str | None,
        now: str,
    ) -> None:
        self._db.execute(
            "INSERT INTO urls (url_key, url, outcome, record_id, error, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url_key) DO UPDATE SET"
            " outcome = excluded.outcome, record_id = excluded.record_id,"
            " error = excluded.error, updated_at = excluded.updated_at,"
            " attempts = CASE WHEN excluded.outcome = 'failed' AND urls.outcome = 'failed'"
            " THEN urls.attempts + 1 ELSE 1 END"
            " WHERE urls.outcome != 'stored'",
            (url_key, url, outcome, record_id, error, now),
        )

    def _meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    def _one(self, sql: str, params: tuple[object, ...]) -> tuple | None:
        with self._guard("cannot read"):
            return self._db.execute(sql, params).fetchone()

    @contextmanager
    def _guard(self, doing: str = "cannot write") -> Iterator[None]:
        """Turn SQLite failures into a one-line StorageError, reported to ``on_failure``."""
        try:
            yield
        except sqlite3.Error as exc:
            error = database_error(self.path, exc, doing, WHAT)
            if self.on_failure is not None:
                self.on_failure(error)
            raise error from None

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise


def check_file(path: Path) -> None:
    """Check a state database without changing it (read-only: a write-ahead log left by a
    killed run is read, not merged); raise :class:`CorruptDatabase` if it is damaged."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise database_error(path, exc, "cannot open", WHAT) from None
    try:
        check_integrity(db, path, WHAT)
    except sqlite3.Error as exc:
        raise database_error(path, exc, "cannot read", WHAT) from None
    finally:
        db.close()


def check_integrity(db: sqlite3.Connection, path: Path, what: str) -> None:
    """Raise :class:`CorruptDatabase` unless SQLite's ``quick_check`` finds the file sound."""
    problems = [row[0] for row in db.execute("PRAGMA quick_check(1)")]
    if problems != ["ok"]:
        found = " ".join(problems).replace("*** in database main ***", "")
        raise CorruptDatabase(path, " ".join(found.split()), what)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
