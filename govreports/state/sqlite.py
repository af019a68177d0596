"""`SqliteStateStore`: the default state store, one SQLite file (`GOVREPORTS_DB`).

- WAL journal, so readers (a `sqlite3` shell, `scrapy dataset`, a dashboard) never block the crawl
  and the crawl never blocks them; `busy_timeout` for the rare moment two writers meet.
- `synchronous=NORMAL` by default (`GOVREPORTS_DB_SYNCHRONOUS`): a commit survives a killed
  process but not a power loss or OS crash, which may roll back the last commits. That can only
  make reports look new again (emitted twice, never lost: the feed line is fsynced before its
  claim commits), and saves two fsyncs per item on the reactor thread. `FULL` makes every commit
  durable, for exactly-once across power loss too.
- The schema is created and migrated by code: `MIGRATIONS` is an append-only list, entry N brings
  the file to version N+1, each applied in its own transaction and recorded in `schema_version`.
  A file written by a newer version is refused rather than misread.
- Every public method is one short transaction; the crawl is the only writer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from govreports.state.base import Claim, RunInfo, Seen, SiteStatus, utc_now
from govreports.urls import canonical_url


def _backfill_known_urls(db: sqlite3.Connection) -> None:
    """Migration 3: the URLs of reports delivered before known_urls existed, canonically spelled."""
    rows = db.execute("SELECT url, key, site_id, last_seen FROM reports").fetchall()
    db.executemany(
        "INSERT OR IGNORE INTO known_urls (url, key, site_id, last_seen) VALUES (?, ?, ?, ?)",
        [(canonical_url(url), key, site_id, last_seen) for url, key, site_id, last_seen in rows],
    )


Step = str | Callable[[sqlite3.Connection], None]
# Append only: never edit an applied migration, add a new one. A step is SQL or a Python function
# (for data that needs our own code, such as canonical URLs).
MIGRATIONS: list[tuple[Step, ...]] = [
    # 1: delivered reports, their revision history, per-site crawl status
    (
        """CREATE TABLE reports (
            key TEXT PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            site_id TEXT,
            url TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            revision INTEGER NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        )""",
        """CREATE TABLE revisions (
            key TEXT NOT NULL REFERENCES reports(key),
            revision INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            delivered_at TEXT NOT NULL,
            run_id TEXT,
            PRIMARY KEY (key, revision)
        )""",
        """CREATE TABLE site_status (
            site_id TEXT PRIMARY KEY,
            last_run TEXT NOT NULL,
            run_id TEXT,
            column_url TEXT,
            reports_seen INTEGER NOT NULL DEFAULT 0,
            pages_failed INTEGER NOT NULL DEFAULT 0,
            blocked INTEGER NOT NULL DEFAULT 0,
            blocked_reason TEXT,
            stop_reasons TEXT NOT NULL DEFAULT '[]',
            raw TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX reports_site ON reports(site_id)",
    ),
    # 2: crash safety: runs, their feeds and the claims not yet known to be in a feed
    (
        """CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT
        )""",
        """CREATE TABLE run_feeds (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            path TEXT NOT NULL,
            PRIMARY KEY (run_id, path)
        )""",
        """CREATE TABLE claims (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            revision INTEGER NOT NULL,
            url TEXT NOT NULL,
            site_id TEXT,
            run_id TEXT NOT NULL,
            claimed_at TEXT NOT NULL
        )""",
        "CREATE INDEX claims_run ON claims(run_id)",
    ),
    # 3: canonical URLs of known reports (early stop), list pages per site
    (
        """CREATE TABLE known_urls (
            url TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            site_id TEXT,
            last_seen TEXT NOT NULL
        )""",
        "ALTER TABLE site_status ADD COLUMN list_pages INTEGER NOT NULL DEFAULT 0",
        _backfill_known_urls,
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


# when a commit reaches the disk: NORMAL = at WAL checkpoints (safe against a killed process), FULL = each commit
SYNCHRONOUS_MODES = ("NORMAL", "FULL")


Record = TypeVar("Record", Seen, Claim, RunInfo)


def _record(kind: type[Record], row: sqlite3.Row, **given: Any) -> Record:
    """A state record from a table row whose columns bear its field names; `given` fields are
    stored differently (JSON, 0/1) or come from another table."""
    columns = row.keys()
    stored = {f.name: row[f.name] for f in fields(kind) if f.name in columns and f.name not in given}
    return kind(**stored, **given)



@contextmanager
def immediate_transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, its lock taken at once (BEGIN IMMEDIATE: two writers never deadlock
    upgrading a read lock), rolled back on any error. The state store and the archive both use it."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")

class SchemaTooNew(RuntimeError):
    """The database was written by a newer govreports; refusing beats silently misreading it."""


class SqliteStateStore:
    """The `StateStore` on one SQLite file. Open it once per process; readers may open it too."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 10_000, synchronous: str = "NORMAL") -> None:
        synchronous = synchronous.upper()
        if synchronous not in SYNCHRONOUS_MODES:
            raise ValueError(f"GOVREPORTS_DB_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS_MODES)}, not {synchronous!r}")
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path), timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self.journal_mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        self._db.execute(f"PRAGMA synchronous = {synchronous}")
        self.migrated_from = self._migrate()

    # --- schema ----------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _migrate(self) -> int:
        self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        start = self.schema_version
        if start > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"{self.path} has schema version {start}; this govreports knows up to {SCHEMA_VERSION}"
            )
        for version in range(start + 1, SCHEMA_VERSION + 1):
            with self._transaction() as db:
                for step in MIGRATIONS[version - 1]:
                    if callable(step):
                        step(db)
                    else:
                        db.execute(step)
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        return start

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._db)

    # --- delivered reports -----------------------------------------------------------------
    def lookup(self, key: str) -> Seen | None:
        row = self._db.execute("SELECT * FROM reports WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        previous = self._db.execute(
            "SELECT content_hash FROM revisions WHERE key = ? AND revision < ? ORDER BY revision",
            (key, row["revision"]),
        ).fetchall()
        return _record(Seen, row, previous_hashes=tuple(r[0] for r in previous))

    def touch(self, key: str, run_id: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE reports SET last_seen = ? WHERE key = ?", (utc_now(), key))

    def history(self, key: str) -> list[tuple[int, str, str]]:
        rows = self._db.execute(
            "SELECT revision, content_hash, delivered_at FROM revisions WHERE key = ? ORDER BY revision",
            (key,),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def count_reports(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM reports").fetchone()[0])

    # --- claim / commit --------------------------------------------------------------------
    def claim(self, claim: Claim) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO claims (id, key, content_hash, revision, url, site_id, run_id, claimed_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    claim.id,
                    claim.key,
                    claim.content_hash,
                    claim.revision,
                    claim.url,
                    claim.site_id,
                    claim.run_id,
                    utc_now(),
                ),
            )

    def commit(self, report_id: str, run_id: str) -> bool:
        with self._transaction() as db:
            return self._commit(db, report_id, utc_now())

    def commit_many(self, report_ids: Iterable[str], run_id: str) -> int:
        """Commit a delivery group's claims in one transaction (see `govreports.state`)."""
        now = utc_now()
        with self._transaction() as db:
            return sum(self._commit(db, report_id, now) for report_id in report_ids)

    def _commit(self, db: sqlite3.Connection, report_id: str, now: str) -> bool:
        row = db.execute("SELECT * FROM claims WHERE id = ?", (report_id,)).fetchone()
        if row is None:
            return False
        existing = db.execute("SELECT revision FROM reports WHERE key = ?", (row["key"],)).fetchone()
        if existing is None:
            db.execute(
                "INSERT INTO reports (key, id, site_id, url, content_hash, revision, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (row["key"], row["id"], row["site_id"], row["url"], row["content_hash"], row["revision"], now, now),
            )
        elif existing["revision"] <= row["revision"]:
            db.execute(
                "UPDATE reports SET url = ?, content_hash = ?, revision = ?, last_seen = ? WHERE key = ?",
                (row["url"], row["content_hash"], row["revision"], now, row["key"]),
            )
        db.execute(
            "INSERT OR REPLACE INTO revisions (key, revision, content_hash, delivered_at, run_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (row["key"], row["revision"], row["content_hash"], now, row["run_id"]),
        )
        db.execute(
            "INSERT OR REPLACE INTO known_urls (url, key, site_id, last_seen) VALUES (?, ?, ?, ?)",
            (canonical_url(row["url"]), row["key"], row["site_id"], now),
        )
        db.execute("DELETE FROM claims WHERE id = ?", (report_id,))
        return True

    def pending_claims(self, run_id: str | None = None) -> list[Claim]:
        if run_id is None:
            rows = self._db.execute("SELECT * FROM claims ORDER BY rowid").fetchall()
        else:
            rows = self._db.execute(
                "SELECT * FROM claims WHERE run_id = ? ORDER BY rowid", (run_id,)
            ).fetchall()
        return [_record(Claim, r) for r in rows]

    def release(self, run_id: str, report_ids: Iterable[str] | None = None) -> int:
        with self._transaction() as db:
            if report_ids is None:
                return db.execute("DELETE FROM claims WHERE run_id = ?", (run_id,)).rowcount
            return sum(
                db.execute("DELETE FROM claims WHERE run_id = ? AND id = ?", (run_id, rid)).rowcount
                for rid in report_ids
            )

    # --- runs ------------------------------------------------------------------------------
    def begin_run(self, run: RunInfo) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO runs (run_id, pid, host, started_at) VALUES (?, ?, ?, ?)",
                (run.run_id, run.pid, run.host, run.started_at),
            )

    def end_run(self, run_id: str, outcome: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, outcome = ? WHERE run_id = ?", (utc_now(), outcome, run_id)
            )

    def record_feed(self, run_id: str, path: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO run_feeds (run_id, path) VALUES (?, ?)", (run_id, path))

    def runs(self, *, unfinished_only: bool = False) -> list[RunInfo]:
        sql = "SELECT * FROM runs" + (" WHERE finished_at IS NULL" if unfinished_only else "")
        result = []
        for r in self._db.execute(sql + " ORDER BY rowid").fetchall():
            feeds = self._db.execute(
                "SELECT path FROM run_feeds WHERE run_id = ? ORDER BY rowid", (r["run_id"],)
            ).fetchall()
            result.append(_record(RunInfo, r, feeds=tuple(f[0] for f in feeds)))
        return result

    # --- URLs ------------------------------------------------------------------------------
    def remember_urls(self, key: str, urls: Iterable[str], site_id: str | None = None) -> None:
        now = utc_now()
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO known_urls (url, key, site_id, last_seen) VALUES (?, ?, ?, ?)",
                [(canonical_url(u), key, site_id, now) for u in urls],
            )

    def url_key(self, url: str) -> str | None:
        row = self._db.execute("SELECT key FROM known_urls WHERE url = ?", (canonical_url(url),)).fetchone()
        return None if row is None else str(row[0])

    def known_urls(self, urls: Iterable[str], *, sites: Collection[str] | None = None) -> set[str]:
        known = set()
        for url in urls:
            row = self._db.execute("SELECT site_id FROM known_urls WHERE url = ?", (canonical_url(url),)).fetchone()
            if row is not None and (sites is None or row[0] in sites):
                known.add(url)
        return known

    # --- sites -----------------------------------------------------------------------------
    def record_site_status(self, status: SiteStatus) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO site_status (site_id, last_run, run_id, column_url, list_pages,"
                " reports_seen, pages_failed, blocked, blocked_reason, stop_reasons, raw)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    status.site_id,
                    status.last_run,
                    status.run_id,
                    status.column_url,
                    status.list_pages,
                    status.reports_seen,
                    status.pages_failed,
                    int(status.blocked),
                    status.blocked_reason,
                    json.dumps(list(status.stop_reasons), ensure_ascii=False),
                    json.dumps(status.to_json(), ensure_ascii=False, default=str),
                ),
            )

    def site_status(self, site_id: str) -> SiteStatus | None:
        row = self._db.execute("SELECT * FROM site_status WHERE site_id = ?", (str(site_id),)).fetchone()
        if row is None:
            return None
        # the whole status is in `raw`; the columns (queried by people) win where both exist
        columns = {name: row[name] for name in row.keys() if name not in ("raw", "stop_reasons")}  # noqa: SIM118  # a Row iterates its values
        return SiteStatus.from_json({**json.loads(row["raw"]), **columns})

    def close(self) -> None:
        try:
            self._db.close()
        except sqlite3.ProgrammingError:  # already closed
            pass
