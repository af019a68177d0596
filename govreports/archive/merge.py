"""Gathering the archives of cluster workers into one (`scrapy archive merge A B … -o DEST`).

Each worker of a cluster crawl writes its own archive on its own disk. Merging copies every closed
WARC file (never modified: copied as they are, renamed only if two workers' names collide) with its
record index, and gathers each report's revisions from all archives in the order they were
archived, dropping a revision whose content equals one already kept (two workers that delivered
the same report, or a report re-emitted after a worker died); the kept revisions are numbered
1, 2, … again. Takedowns (`forgotten`) carry over. A file still `.open` in a source (a worker
running, or killed and not recovered yet) is not copied and is named in the result.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govreports.archive.store import DATABASE, WARC_DIR, Archive, ArchiveError


@dataclass(slots=True)
class MergeResult:
    reports: int = 0
    revisions: int = 0
    duplicates_dropped: int = 0
    files: int = 0
    skipped_open: list[str] = field(default_factory=list)


def _open_finished(path: Path) -> sqlite3.Connection:
    """A worker's archive database, read only; on a read-only mount (no -shm file can be made) as
    an immutable file: merging gathers archives of finished workers."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        db.execute("SELECT COUNT(*) FROM revisions").fetchone()
    except sqlite3.OperationalError:
        db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"the archive database {path} is unreadable: {error}") from None
    db.row_factory = sqlite3.Row
    return db


def merge_archives(sources: list[Path], destination: Path) -> MergeResult:
    if (destination / DATABASE).exists():
        raise ArchiveError(f"{destination} holds an archive already: merge into a new directory")
    result = MergeResult()
    target = Archive(destination, run_id="merge")
    rows_by_key: dict[str, list[tuple[str, int, int, sqlite3.Row]]] = defaultdict(list)
    forgotten: list[sqlite3.Row] = []
    source_sets: list[sqlite3.Row] = []
    records: list[tuple[Any, ...]] = []
    files: list[tuple[str, str]] = []
    for index, source in enumerate(sources):
        db_path = source / DATABASE
        if not db_path.exists():
            raise ArchiveError(f"no archive at {source} (no {DATABASE})")
        db = _open_finished(db_path)
        try:
            names: dict[str, str] = {}
            for row in db.execute("SELECT * FROM warc_files ORDER BY rowid"):
                name = str(row["name"])
                path = source / WARC_DIR / name
                if row["state"] != "closed" or not path.exists():
                    result.skipped_open.append(str(source / WARC_DIR / name))
                    continue
                copy_name = name if not (destination / WARC_DIR / name).exists() else f"{index:02d}-{name}"
                shutil.copy2(path, destination / WARC_DIR / copy_name)
                names[name] = copy_name
                files.append((copy_name, str(row["created_at"])))
                result.files += 1
            for row in db.execute("SELECT * FROM warc_records"):
                if str(row["file"]) in names:
                    records.append((row["record_id"], names[str(row["file"])], row["offset"], row["length"], row["type"],
                                    row["uri"], row["canonical_uri"], row["digest"], row["date"], row["refers_to"],
                                    row["etag"], row["last_modified"]))
            for row in db.execute("SELECT * FROM revisions WHERE state = 'archived' ORDER BY rowid"):
                rows_by_key[str(row["key"])].append((str(row["archived_at"]), index, int(row["revision"]), row))
            forgotten.extend(db.execute("SELECT * FROM forgotten").fetchall())
            source_sets.extend(db.execute("SELECT * FROM source_sets").fetchall())
        finally:
            db.close()
    kept_rows = []
    for key, rows in rows_by_key.items():
        rows.sort(key=lambda entry: entry[:3])
        seen_hashes: set[str] = set()
        revision = 0
        for _, _, _, row in rows:
            if row["content_hash"] in seen_hashes:
                result.duplicates_dropped += 1
                continue
            seen_hashes.add(str(row["content_hash"]))
            revision += 1
            item = row["item"]
            if item is not None:
                data = json.loads(zlib.decompress(item).decode("utf-8"))
                data["revision"] = revision
                item = zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 6)
            kept_rows.append((key, revision, row["id"], row["site_id"], row["url"], row["content_hash"], item,
                              row["page"], row["source_digest"], row["parser_version"], row["schema_version"],
                              row["reason"] if revision > 1 else "first_seen", row["run_id"], row["archived_at"]))
        result.reports += 1
        result.revisions += revision
    db = target._db
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO warc_files (name, state, committed_offset, run_id, created_at, closed_at)"
                   " VALUES (?, 'closed', 0, 'merge', ?, ?)", [(name, created, created) for name, created in files])
    db.executemany("INSERT OR IGNORE INTO warc_records (record_id, file, offset, length, type, uri, canonical_uri,"
                   " digest, date, refers_to, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", records)
    db.executemany("INSERT INTO revisions (key, revision, id, site_id, url, content_hash, item, page, source_digest,"
                   " parser_version, schema_version, reason, run_id, state, archived_at)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'archived', ?)", kept_rows)
    db.executemany("INSERT OR REPLACE INTO forgotten (id, key, reason, at, bytes_deleted) VALUES (?, ?, ?, ?, ?)",
                   [(r["id"], r["key"], r["reason"], r["at"], r["bytes_deleted"]) for r in forgotten])
    db.executemany("INSERT OR REPLACE INTO source_sets (source_digest, parser_version, key, verdict) VALUES (?, ?, ?, ?)",
                   [(r["source_digest"], r["parser_version"], r["key"], r["verdict"]) for r in source_sets])
    db.execute("COMMIT")
    target.finish()
    target.close()
    return result
