"""`Archive`: one directory holding every delivered revision and the bytes it was built from.

Layout of `GOVREPORTS_ARCHIVE_DIR` (default `state/archive/`, next to the state database):
- `archive.sqlite3`: `revisions` (every revision of every report: the item as zlib-compressed JSON,
  the WARC record ids of its sources, how the page was fetched, `revision_reason`), `warc_files`
  (each file, open or closed, and the offset of its last committed record), `warc_records` (where
  each response / revisit / conversion record lies, by id and payload digest), `forgotten`
  (takedowns), `runs` (which process writes; recovery skips a live one).
- `warc/*.warc.gz` closed files, never modified again; `warc/*.warc.gz.open`, the one being written.

Delivery order (see `govreports.state` for the whole protocol), per group of items:
1. `commit(items)`: the open WARC file is fsynced; one transaction records its new committed
   offset, the records written since the last commit, and the items' rows (state `pending`);
2. the feed lines are written and fsynced (`govreports.state.feed`);
3. the claims commit in the state store, then `mark_archived` flips the rows to `archived`.
`recover()` at start-up: an open file of a dead run is cut back to its committed offset (warcio
cannot skip a torn gzip member) and closed; a pending row of a dead run becomes `archived` when the
state store committed its revision (the feed has it) and is deleted otherwise (the report is
emitted again, with the same revision).

Written with the standard library's sqlite3 and warcio; a separate database from the state store so
a cluster worker (state in Redis) keeps its own archive on its own disk, and so the archive moves,
backs up and merges as one directory.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govreports.archive.warc import (
    WarcFile,
    Written,
    payload_digest,
    read_http_headers,
    read_payload,
)
from govreports.state.recovery import process_alive
from govreports.state.sqlite import immediate_transaction
from govreports.urls import canonical_url

logger = logging.getLogger(__name__)

DATABASE = "archive.sqlite3"
WARC_DIR = "warc"
OPEN_SUFFIX = ".open"

MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE runs (
            run_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL,
            started_at TEXT NOT NULL, finished_at TEXT)""",
        """CREATE TABLE warc_files (
            name TEXT PRIMARY KEY, state TEXT NOT NULL, committed_offset INTEGER NOT NULL DEFAULT 0,
            run_id TEXT NOT NULL, created_at TEXT NOT NULL, closed_at TEXT)""",
        """CREATE TABLE warc_records (
            record_id TEXT PRIMARY KEY, file TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL,
            type TEXT NOT NULL, uri TEXT NOT NULL, canonical_uri TEXT NOT NULL, digest TEXT, date TEXT NOT NULL,
            refers_to TEXT, etag TEXT, last_modified TEXT)""",
        "CREATE INDEX warc_records_digest ON warc_records(digest)",
        "CREATE INDEX warc_records_uri ON warc_records(canonical_uri)",
        """CREATE TABLE revisions (
            key TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL, site_id TEXT, url TEXT NOT NULL,
            content_hash TEXT NOT NULL, item BLOB, page TEXT NOT NULL, source_digest TEXT,
            parser_version TEXT NOT NULL, schema_version INTEGER NOT NULL, reason TEXT NOT NULL,
            run_id TEXT NOT NULL, state TEXT NOT NULL, archived_at TEXT NOT NULL,
            PRIMARY KEY (key, revision))""",
        "CREATE INDEX revisions_id ON revisions(id)",
        "CREATE INDEX revisions_source ON revisions(source_digest, parser_version)",
        """CREATE TABLE source_sets (
            source_digest TEXT NOT NULL, parser_version TEXT NOT NULL, key TEXT, verdict TEXT NOT NULL,
            PRIMARY KEY (source_digest, parser_version))""",
        """CREATE TABLE forgotten (
            id TEXT PRIMARY KEY, key TEXT, reason TEXT NOT NULL, at TEXT NOT NULL,
            bytes_deleted INTEGER NOT NULL DEFAULT 0)""",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)
REASONS = ("first_seen", "source_changed", "parser_changed")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ArchiveError(RuntimeError):
    """The archive is missing or unreadable (commands turn this into one line and exit 1)."""


@dataclass(slots=True)
class ArchivedItem:
    """One revision on its way into the archive."""

    key: str
    id: str
    revision: int
    url: str
    site_id: str | None
    content_hash: str
    item_json: str
    page: dict[str, Any]
    source_digest: str | None
    parser_version: str
    schema_version: int
    reason: str


@dataclass(slots=True)
class ArchiveRecovery:
    files_cut: int = 0
    bytes_cut: int = 0
    files_closed: int = 0
    rows_archived: int = 0
    rows_dropped: int = 0

    def as_stats(self) -> dict[str, int]:
        return {"files_cut": self.files_cut, "bytes_cut": self.bytes_cut, "files_closed": self.files_closed,
                "rows_recovered": self.rows_archived, "rows_dropped": self.rows_dropped}


@dataclass(slots=True)
class StoredRevision:
    key: str
    revision: int
    id: str
    url: str
    site_id: str | None
    content_hash: str
    item: dict[str, Any] | None
    page: dict[str, Any]
    source_digest: str | None
    parser_version: str
    reason: str
    archived_at: str
    run_id: str = ""


def combined_digest(digests: list[str]) -> str:
    """One digest for a page and its attachments (order kept: the page first)."""
    return payload_digest("\n".join(digests).encode("ascii"))


class Archive:
    """The archive directory. `run_id` given = this process writes (one writer at a time)."""

    def __init__(self, directory: str | Path, *, run_id: str | None = None, rotate_bytes: int = 512 << 20,
                 create: bool = True, readonly: bool = False) -> None:
        self.directory = Path(directory)
        self.db_path = self.directory / DATABASE
        if not create and not self.db_path.exists():
            raise ArchiveError(f"no archive at {self.directory} (no {DATABASE}); give GOVREPORTS_ARCHIVE_DIR "
                               f"or -s GOVREPORTS_ARCHIVE_DIR=… pointing at one")
        self.warc_dir = self.directory / WARC_DIR
        if create:
            self.warc_dir.mkdir(parents=True, exist_ok=True)
        try:
            uri = f"file:{self.db_path}?mode=ro" if readonly else str(self.db_path)
            self._db = sqlite3.connect(uri, uri=readonly, isolation_level=None, timeout=10, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                # FULL: a commit is on disk before the feed line it precedes, across power loss too;
                # one commit per delivery group, so the extra fsync is shared by its items
                self._db.execute("PRAGMA synchronous = FULL")
                self._migrate()
            else:
                self._db.execute("SELECT COUNT(*) FROM revisions").fetchone()
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"the archive database {self.db_path} is unreadable: {error}") from None
        self.run_id = run_id
        self.rotate_bytes = rotate_bytes
        self.file: WarcFile | None = None
        self.file_name: str | None = None
        self._written: list[Written] = []  # records in the open file since the last commit
        self._pending_digests: dict[str, Written] = {}
        self.records_written = 0
        self.revisits_written = 0
        self.bytes_written = 0
        if run_id is not None:
            with self._transaction() as db:
                db.execute("INSERT OR REPLACE INTO runs (run_id, pid, host, started_at) VALUES (?, ?, ?, ?)",
                           (run_id, os.getpid(), socket.gethostname(), utc_now()))

    # --- schema and transactions -----------------------------------------------------------
    def _migrate(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        start = int(self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)
        if start > SCHEMA_VERSION:
            raise ArchiveError(f"{self.db_path} has schema version {start}; this govreports knows up to "
                               f"{SCHEMA_VERSION}")
        for version in range(start + 1, SCHEMA_VERSION + 1):
            with self._transaction() as db:
                for step in MIGRATIONS[version - 1]:
                    db.execute(step)
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._db)

    # --- recovery --------------------------------------------------------------------------
    def recover(self, delivered: Callable[[str, int, str], bool]) -> ArchiveRecovery:
        """Reconcile what dead runs left (see module docstring). `delivered(key, revision, hash)`
        asks the state store whether that revision was committed."""
        result = ArchiveRecovery()
        dead = set()
        for run in self._db.execute("SELECT * FROM runs WHERE finished_at IS NULL AND run_id IS NOT ?",
                                    (self.run_id,)).fetchall():
            if process_alive(int(run["pid"]), str(run["host"])):
                logger.warning("archive: run %s (pid %s) still looks alive: its files are left alone",
                               run["run_id"], run["pid"])
                continue
            dead.add(str(run["run_id"]))
        live = self._live_runs()
        for row in self._db.execute("SELECT * FROM warc_files WHERE state = 'open'").fetchall():
            if row["run_id"] in dead or row["run_id"] not in live:
                self._close_dead_file(str(row["name"]), int(row["committed_offset"]), result)
        pending = self._db.execute("SELECT key, revision, content_hash, run_id FROM revisions WHERE state = 'pending'"
                                   " AND run_id IS NOT ?", (self.run_id,)).fetchall()
        with self._transaction() as db:
            for row in pending:
                if row["run_id"] not in dead and row["run_id"] in live:
                    continue
                if delivered(str(row["key"]), int(row["revision"]), str(row["content_hash"])):
                    db.execute("UPDATE revisions SET state = 'archived' WHERE key = ? AND revision = ?",
                               (row["key"], row["revision"]))
                    result.rows_archived += 1
                else:
                    db.execute("DELETE FROM revisions WHERE key = ? AND revision = ?", (row["key"], row["revision"]))
                    result.rows_dropped += 1
            for run_id in dead:
                db.execute("UPDATE runs SET finished_at = ? WHERE run_id = ?", (utc_now(), run_id))
        if result.files_cut or result.rows_dropped or result.rows_archived:
            logger.warning("archive: recovered an interrupted run: %d WARC file(s) cut back to their last committed "
                           "record (%d bytes), %d item row(s) kept, %d dropped (to be delivered again)",
                           result.files_cut, result.bytes_cut, result.rows_archived, result.rows_dropped)
        return result

    def _live_runs(self) -> set[str]:
        rows = self._db.execute("SELECT run_id, pid, host FROM runs WHERE finished_at IS NULL").fetchall()
        return {str(r["run_id"]) for r in rows
                if r["run_id"] == self.run_id or process_alive(int(r["pid"]), str(r["host"]))}

    def _close_dead_file(self, name: str, committed: int, result: ArchiveRecovery) -> None:
        path = self.warc_dir / (name + OPEN_SUFFIX)
        final = self.warc_dir / name
        if path.exists():
            size = path.stat().st_size
            if size > committed:
                with path.open("rb+") as file:  # warcio cannot skip a torn gzip member: cut it off
                    file.truncate(committed)
                    file.flush()
                    os.fsync(file.fileno())
                result.files_cut += 1
                result.bytes_cut += size - committed
            if committed == 0:
                path.unlink()
            else:
                os.replace(path, final)
        with self._transaction() as db:
            if committed == 0 and not final.exists():
                db.execute("DELETE FROM warc_files WHERE name = ?", (name,))
            else:
                db.execute("UPDATE warc_files SET state = 'closed', closed_at = ? WHERE name = ?", (utc_now(), name))
        result.files_closed += 1

    # --- writing WARC records ----------------------------------------------------------------
    def _open_file(self) -> WarcFile:
        if self.file is None:
            assert self.run_id is not None, "a read-only archive writes no records"
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            host = socket.gethostname().replace("-", "")[:20] or "host"
            seq = int(self._db.execute("SELECT COUNT(*) FROM warc_files").fetchone()[0])
            name = f"govreports-{stamp}-{host}-{os.getpid()}-{seq:05d}.warc.gz"
            with self._transaction() as db:  # the row first: recovery then knows every open file
                db.execute("INSERT INTO warc_files (name, state, run_id, created_at) VALUES (?, 'open', ?, ?)",
                           (name, self.run_id, utc_now()))
            self.file = WarcFile(self.warc_dir / (name + OPEN_SUFFIX),
                                 info={"software": "govreports", "format": "WARC File Format 1.1",
                                       "isPartOf": "govreports archive", "hostname": socket.gethostname()})
            self.file_name = name
        return self.file

    def _known(self, digest: str) -> Written | None:
        """The first record holding these bytes (this file's uncommitted ones included)."""
        pending = self._pending_digests.get(digest)
        if pending is not None:
            return pending
        row = self._db.execute("SELECT * FROM warc_records WHERE digest = ? AND type = 'response'"
                               " ORDER BY rowid LIMIT 1", (digest,)).fetchone()
        if row is None:
            return None
        return Written(record_id=str(row["record_id"]), type="response", uri=str(row["uri"]), digest=digest,
                       date=str(row["date"]), offset=int(row["offset"]), length=int(row["length"]))

    def write_exchange(self, capture: dict[str, Any]) -> dict[str, Any]:
        """Archive one downloaded exchange; returns the source entry the item will name.

        A capture served from the archive (a 304 answered locally) writes nothing and names the
        record it came from."""
        body: bytes = capture["body"]
        digest = payload_digest(body)
        if capture.get("archived_record"):
            return {"url": capture["url"], "record_id": capture["archived_record"], "digest": digest}
        warc = self._open_file()
        original = capture.get("original")
        if capture.get("rendered"):
            refers = None
            if original is not None:
                refers = self._response(warc, original).record_id
            content_type = next((v for k, v in capture.get("headers") or () if k.lower() == "content-type"),
                                "text/html")
            written = warc.conversion(str(capture["url"]), body, content_type, refers)
            self._note(written)
            return {"url": capture["url"], "record_id": written.record_id, "digest": digest}
        written = self._response(warc, capture, digest)
        return {"url": capture["url"], "record_id": written.record_id, "digest": digest}

    def _response(self, warc: WarcFile, capture: dict[str, Any], digest: str | None = None) -> Written:
        digest = digest or payload_digest(capture["body"])
        known = self._known(digest)
        if known is not None:
            written = warc.revisit(capture, known, digest)
            self.revisits_written += 1
        else:
            written = warc.response(capture, digest)
            self._pending_digests[digest] = written
        self._note(written)
        self._note(warc.request(capture, written.record_id))
        return written

    def _note(self, written: Written) -> None:
        self.records_written += 1
        self.bytes_written += written.length
        if written.type != "request":
            self._written.append(written)

    # --- the group commit --------------------------------------------------------------------
    def commit(self, items: list[ArchivedItem], *, archived: Sequence[tuple[str, int]] = ()) -> None:
        """Step 1 of a delivery group: WARC records on disk, then their index and the item rows, in
        one transaction with the flip to `archived` of the previous group's rows (`archived`:
        their claims committed since), so each group costs one archive transaction."""
        offset = self.file.sync() if self.file is not None else None
        now = utc_now()
        with self._transaction() as db:
            if offset is not None:
                db.execute("UPDATE warc_files SET committed_offset = ? WHERE name = ?", (offset, self.file_name))
                db.executemany(
                    "INSERT OR IGNORE INTO warc_records (record_id, file, offset, length, type, uri, canonical_uri,"
                    " digest, date, refers_to, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(w.record_id, self.file_name, w.offset, w.length, w.type, w.uri, canonical_url(w.uri), w.digest,
                      w.date, w.refers_to, w.etag, w.last_modified) for w in self._written],
                )
            db.executemany(
                "INSERT OR REPLACE INTO revisions (key, revision, id, site_id, url, content_hash, item, page,"
                " source_digest, parser_version, schema_version, reason, run_id, state, archived_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                [(i.key, i.revision, i.id, i.site_id, i.url, i.content_hash,
                  zlib.compress(i.item_json.encode("utf-8"), 1), json.dumps(i.page, ensure_ascii=False),
                  i.source_digest, i.parser_version, i.schema_version, i.reason, self.run_id, now) for i in items],
            )
            db.executemany(
                "INSERT OR REPLACE INTO source_sets (source_digest, parser_version, key, verdict) VALUES (?, ?, ?, 'report')",
                [(i.source_digest, i.parser_version, i.key) for i in items if i.source_digest],
            )
            if archived:
                db.executemany("UPDATE revisions SET state = 'archived' WHERE key = ? AND revision = ?", archived)
        self._written.clear()
        self._pending_digests.clear()
        if self.file is not None and self.file.size >= self.rotate_bytes:
            self.close_file()

    def mark_archived(self, keys: list[tuple[str, int]]) -> None:
        """Step 3: the revisions' claims committed; the rows count as archived."""
        if not keys:
            return
        with self._transaction() as db:
            db.executemany("UPDATE revisions SET state = 'archived' WHERE key = ? AND revision = ?", keys)

    def close_file(self) -> None:
        """Close the open WARC file for good (after a commit: it ends with a committed record)."""
        if self.file is None:
            return
        self.file.sync()
        self.file.close()
        name = self.file_name
        assert name is not None
        os.replace(self.warc_dir / (name + OPEN_SUFFIX), self.warc_dir / name)
        with self._transaction() as db:
            db.execute("UPDATE warc_files SET state = 'closed', closed_at = ? WHERE name = ?", (utc_now(), name))
        self.file = None
        self.file_name = None

    def finish(self) -> None:
        """A run that ended normally: its rows count (they were committed in step 1), files close."""
        if self._written and self.file is not None:
            self.commit([])
        self.close_file()
        if self.run_id is not None:
            with self._transaction() as db:
                db.execute("UPDATE revisions SET state = 'archived' WHERE run_id = ? AND state = 'pending'",
                           (self.run_id,))
                db.execute("UPDATE runs SET finished_at = ? WHERE run_id = ?", (utc_now(), self.run_id))
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the archive is its one file again

    def close(self) -> None:
        if self.file is not None:
            self.file.close()  # not renamed: recovery cuts it back to its last committed record
            self.file = None
        try:
            self._db.close()
        except sqlite3.ProgrammingError:
            pass

    # --- reading -----------------------------------------------------------------------------
    def note_verdict(self, source_digest: str, parser_version: str, verdict: str) -> None:
        """Remember that these bytes are not a report for this parser (next time: not parsed)."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO source_sets (source_digest, parser_version, key, verdict)"
                       " VALUES (?, ?, NULL, ?)", (source_digest, parser_version, verdict))

    def note_same_sources(self, source_digest: str, parser_version: str, key: str) -> None:
        """These bytes give the archived report `key` (an unchanged report whose page chrome moved)."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO source_sets (source_digest, parser_version, key, verdict)"
                       " VALUES (?, ?, ?, 'report')", (source_digest, parser_version, key))

    def reusable(self, source_digest: str, parser_version: str) -> tuple[str, StoredRevision | None] | None:
        """What these exact bytes gave with this parser: ('report', the latest revision) or (verdict, None)."""
        row = self._db.execute("SELECT key, verdict FROM source_sets WHERE source_digest = ? AND parser_version = ?",
                               (source_digest, parser_version)).fetchone()
        if row is None:
            return None
        if row["verdict"] != "report":
            return str(row["verdict"]), None
        latest = self.latest_revision(str(row["key"]))
        if latest is None or latest.item is None or latest.parser_version != parser_version:
            return None
        return "report", latest

    def latest_revision(self, key: str) -> StoredRevision | None:
        row = self._db.execute("SELECT * FROM revisions WHERE key = ? AND state = 'archived' "
                               "ORDER BY revision DESC LIMIT 1", (key,)).fetchone()
        return None if row is None else _stored(row)

    def revisions_of(self, report_id: str) -> list[StoredRevision]:
        rows = self._db.execute("SELECT * FROM revisions WHERE id = ? ORDER BY revision", (report_id,)).fetchall()
        return [_stored(row) for row in rows]

    def forgotten_ids(self) -> set[str]:
        return {str(r[0]) for r in self._db.execute("SELECT id FROM forgotten").fetchall()}

    def latest(self, *, sites: set[str] | None = None, since: str | None = None,
               include_forgotten: bool = False) -> Iterator[StoredRevision]:
        """The latest archived revision of every report (oldest report first)."""
        forgotten = set() if include_forgotten else self.forgotten_ids()
        rows = self._db.execute(
            "SELECT r.* FROM revisions r JOIN (SELECT key, MAX(revision) AS revision FROM revisions"
            " WHERE state = 'archived' GROUP BY key) latest USING (key, revision) ORDER BY r.rowid"
        )
        for row in rows:
            if row["id"] in forgotten:
                continue
            if sites is not None and str(row["site_id"]) not in sites:
                continue
            if since is not None and str(row["archived_at"]) < since:
                continue
            yield _stored(row)

    def count_reports(self) -> int:
        forgotten = self.forgotten_ids()
        rows = self._db.execute("SELECT DISTINCT id FROM revisions WHERE state = 'archived'").fetchall()
        return sum(1 for row in rows if row[0] not in forgotten)

    def record(self, record_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._db.execute("SELECT * FROM warc_records WHERE record_id = ?",
                                                   (record_id,)).fetchone()
        return row

    def payload(self, record_id: str) -> bytes | None:
        """The body a record stands for (a revisit resolved to its original); None when gone."""
        for _ in range(4):  # a revisit names a response; never a chain in practice
            row = self.record(record_id)
            if row is None:
                return None
            if row["type"] == "revisit" and row["refers_to"]:
                record_id = str(row["refers_to"])
                continue
            path = self.warc_dir / str(row["file"])
            if not path.exists():
                path = self.warc_dir / (str(row["file"]) + OPEN_SUFFIX)
            if not path.exists():
                return None
            try:
                return read_payload(path, int(row["offset"]))[1]
            except Exception as error:  # a damaged file: reported by the caller as bytes gone
                logger.warning("archive: record %s in %s unreadable: %s", record_id, path.name, error)
                return None
        return None

    def http_headers(self, record_id: str) -> list[tuple[str, str]]:
        row = self.record(record_id)
        if row is None:
            return []
        path = self.warc_dir / str(row["file"])
        return read_http_headers(path, int(row["offset"])) if path.exists() else []

    def validators(self, url: str) -> sqlite3.Row | None:
        """The newest archived response of `url` carrying an ETag or Last-Modified (conditional requests)."""
        row: sqlite3.Row | None = self._db.execute(
            "SELECT record_id, etag, last_modified FROM warc_records WHERE canonical_uri = ? AND type IN"
            " ('response', 'revisit') AND (etag IS NOT NULL OR last_modified IS NOT NULL) ORDER BY rowid DESC LIMIT 1",
            (canonical_url(url),),
        ).fetchone()
        return row

    def closed_files(self) -> list[Path]:
        rows = self._db.execute("SELECT name FROM warc_files WHERE state = 'closed' ORDER BY rowid").fetchall()
        return [self.warc_dir / str(r[0]) for r in rows if (self.warc_dir / str(r[0])).exists()]

    # --- reparse, forget, backup -------------------------------------------------------------
    def add_revision(self, item: ArchivedItem) -> None:
        """A revision made offline (reparse, merge): archived at once."""
        self.commit([item])
        self.mark_archived([(item.key, item.revision)])

    def forget(self, report_id: str, reason: str, *, delete_bytes: bool = False) -> tuple[int, int]:
        """Withdraw a report (takedown): (revisions withdrawn, records deleted)."""
        revisions = self.revisions_of(report_id)
        key = revisions[0].key if revisions else None
        deleted = 0
        if delete_bytes and revisions:
            deleted = self._delete_records(report_id, revisions)
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO forgotten (id, key, reason, at, bytes_deleted) VALUES (?, ?, ?, ?, ?)",
                       (report_id, key, reason, utc_now(), int(delete_bytes)))
            if delete_bytes:
                db.execute("UPDATE revisions SET item = NULL WHERE id = ?", (report_id,))
        return len(revisions), deleted

    def _delete_records(self, report_id: str, revisions: list[StoredRevision]) -> int:
        """Rewrite the files holding this report's bytes without them (other reports' records that
        share the bytes are kept). The one time a closed WARC file changes: a takedown that asks for
        its bytes to go; the file is rewritten beside it and swapped in (os.replace)."""
        mine: set[str] = set()
        for revision in revisions:
            mine.update(str(s.get("record_id")) for s in revision.page.get("sources") or [] if s.get("record_id"))
        for record_id in list(mine):  # a revisit's bytes are in the record it refers to
            row = self.record(record_id)
            if row is not None and row["refers_to"]:
                mine.add(str(row["refers_to"]))
        others: set[str] = set()
        for row in self._db.execute("SELECT page FROM revisions WHERE id != ?", (report_id,)):
            others.update(str(s.get("record_id")) for s in json.loads(row[0]).get("sources") or [])
        for row in self._db.execute("SELECT record_id, refers_to FROM warc_records WHERE refers_to IS NOT NULL"):
            if row["record_id"] in others:
                others.add(str(row["refers_to"]))
        doomed = {rid for rid in mine if rid not in others}
        # the request records concurrent to them go too
        doomed_rows = [self.record(rid) for rid in doomed]
        files = {str(r["file"]) for r in doomed_rows if r is not None}
        for name in files:
            path = self.warc_dir / name
            if not path.exists():
                continue
            self._rewrite_without(path, doomed)
        with self._transaction() as db:
            db.executemany("DELETE FROM warc_records WHERE record_id = ?", [(rid,) for rid in doomed])
        return len(doomed)

    def _rewrite_without(self, path: Path, doomed: set[str]) -> None:
        from warcio.archiveiterator import ArchiveIterator

        temporary = path.with_name(path.name + ".rewrite")
        offsets: dict[str, tuple[int, int]] = {}
        with path.open("rb") as source, temporary.open("wb") as target:
            iterator = ArchiveIterator(source)
            for record in iterator:
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                concurrent = record.rec_headers.get_header("WARC-Concurrent-To")
                record.content_stream().read()
                start, length = iterator.get_record_offset(), iterator.get_record_length()
                if record_id in doomed or concurrent in doomed:
                    continue
                position = source.tell()
                source.seek(start)
                chunk = source.read(length)
                source.seek(position)
                offsets[record_id] = (target.tell(), len(chunk))
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, path)
        with self._transaction() as db:
            db.executemany("UPDATE warc_records SET offset = ?, length = ? WHERE record_id = ?",
                           [(offset, length, rid) for rid, (offset, length) in offsets.items()])

    def backup(self, destination: Path) -> tuple[int, int]:
        """`VACUUM INTO` a consistent copy of the database, copy the closed WARC files: (files, bytes)."""
        destination.mkdir(parents=True, exist_ok=True)
        target = destination / DATABASE
        if target.exists():
            raise ArchiveError(f"{target} exists already: back up into an empty directory")
        self._db.execute("VACUUM INTO ?", (str(target),))
        (destination / WARC_DIR).mkdir(exist_ok=True)
        copied = size = 0
        for path in self.closed_files():
            copy = destination / WARC_DIR / path.name
            if not copy.exists() or copy.stat().st_size != path.stat().st_size:
                shutil.copy2(path, copy)
            copied += 1
            size += path.stat().st_size
        # the copy has no open file: the rows of the one being written point nowhere yet
        backup = sqlite3.connect(str(target), isolation_level=None)
        try:
            backup.execute("DELETE FROM warc_records WHERE file IN (SELECT name FROM warc_files WHERE state = 'open')")
            backup.execute("DELETE FROM warc_files WHERE state = 'open'")
        finally:
            backup.close()
        return copied, size


def _stored(row: sqlite3.Row) -> StoredRevision:
    blob = row["item"]
    item = json.loads(zlib.decompress(blob).decode("utf-8")) if blob is not None else None
    return StoredRevision(
        key=str(row["key"]), revision=int(row["revision"]), id=str(row["id"]), url=str(row["url"]),
        site_id=row["site_id"], content_hash=str(row["content_hash"]), item=item, page=json.loads(row["page"]),
        source_digest=row["source_digest"], parser_version=str(row["parser_version"]), reason=str(row["reason"]),
        archived_at=str(row["archived_at"]), run_id=str(row["run_id"]),
    )


def default_directory(settings: Any) -> Path:
    """`GOVREPORTS_ARCHIVE_DIR`, else `archive/` next to the state database (state/archive/)."""
    configured = settings.get("GOVREPORTS_ARCHIVE_DIR")
    if configured:
        return Path(str(configured))
    database = str(settings.get("GOVREPORTS_DB") or "state/govreports.sqlite3")
    return Path(database).parent / "archive"
