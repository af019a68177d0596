"""SqliteStateStore: schema and migrations, WAL with concurrent readers, and surviving kills."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from govreports.state import Claim, RunInfo, SiteStatus, SqliteStateStore
from govreports.state.base import FailureRecord
from govreports.state.sqlite import MIGRATIONS, SCHEMA_VERSION, SchemaTooNew

REPO = Path(__file__).resolve().parents[2]
SQLITE3 = shutil.which("sqlite3")


def claim(n: int, *, revision: int = 1, content: str = "v1", run_id: str = "run-1") -> Claim:
    return Claim(
        key=f'["511803","index_no","GPQ-{n:04d}"]',
        id=f"id-{n}",
        content_hash=f"{content}-{n}",
        revision=revision,
        url=f"http://www.gpq.gov.cn/zwgk/zfxxgknb/202403/t20240327_{n}.html",
        site_id="511803",
        run_id=run_id,
    )


def deliver(store: SqliteStateStore, c: Claim) -> None:
    store.claim(c)
    assert store.commit(c.id, c.run_id)


def test_fresh_store_uses_wal_and_the_current_schema(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "state" / "govreports.sqlite3")
    assert store.journal_mode == "wal"
    assert store.schema_version == SCHEMA_VERSION
    assert store.migrated_from == 0
    store.close()


def test_commits_survive_a_killed_process_by_default_and_every_commit_is_fsynced_with_full(tmp_path: Path) -> None:
    default = SqliteStateStore(tmp_path / "default.sqlite3")
    full = SqliteStateStore(tmp_path / "full.sqlite3", synchronous="full")
    # sqlite's codes: 1 = NORMAL (WAL synced at checkpoints), 2 = FULL (synced at every commit)
    assert default._db.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert full._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    with pytest.raises(ValueError, match="GOVREPORTS_DB_SYNCHRONOUS must be one of NORMAL, FULL"):
        SqliteStateStore(tmp_path / "off.sqlite3", synchronous="OFF")


def test_a_version_1_database_is_migrated_keeping_its_reports(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for statement in MIGRATIONS[0]:
        old.execute(statement)  # type: ignore[arg-type]
    old.execute("INSERT INTO schema_version VALUES (1)")
    old.execute(
        "INSERT INTO reports VALUES ('k1', 'id-1', '431081', 'https://www.zixing.gov.cn/zwgk/index.html',"
        " 'hash-1', 2, '2023-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00')"
    )
    old.execute("INSERT INTO site_status (site_id, last_run) VALUES ('431081', '2024-01-01')")
    old.commit()
    old.close()

    store = SqliteStateStore(path)
    assert (store.migrated_from, store.schema_version) == (1, SCHEMA_VERSION)
    seen = store.lookup("k1")
    assert seen is not None and (seen.revision, seen.content_hash) == (2, "hash-1")
    # migration 3 back-filled the known URLs from the reports, canonically spelled
    assert store.known_urls(["http://www.zixing.gov.cn/zwgk/"]) == {"http://www.zixing.gov.cn/zwgk/"}
    status = store.site_status("431081")
    assert status is not None and status.list_pages == 0  # the column migration 3 added
    store.close()


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    SqliteStateStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaTooNew):
        SqliteStateStore(path)


def test_a_claim_is_not_seen_until_committed_and_history_keeps_old_hashes(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "s.sqlite3")
    first = claim(1)
    store.claim(first)
    assert store.lookup(first.key) is None
    assert store.pending_claims() == [first]
    assert store.commit(first.id, first.run_id)
    assert not store.commit(first.id, first.run_id)  # nothing left to commit
    deliver(store, claim(1, revision=2, content="v2", run_id="run-2"))
    seen = store.lookup(first.key)
    assert seen is not None
    assert (seen.revision, seen.content_hash, seen.previous_hashes) == (2, "v2-1", ("v1-1",))
    assert [(rev, h) for rev, h, _ in store.history(first.key)] == [(1, "v1-1"), (2, "v2-1")]
    assert store.pending_claims() == []
    store.close()


def test_release_forgets_only_the_given_runs_claims(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "s.sqlite3")
    store.claim(claim(1, run_id="a"))
    store.claim(claim(2, run_id="a"))
    store.claim(claim(3, run_id="b"))
    assert store.release("a", ["id-1"]) == 1
    assert store.release("a") == 1
    assert [c.id for c in store.pending_claims()] == ["id-3"]
    store.close()


def test_known_urls_match_any_spelling_of_a_delivered_report(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "s.sqlite3")
    deliver(store, claim(7))
    mobile = "https://www.gpq.gov.cn/zwgk/zfxxgknb/202403/t20240327_7_wap.html"
    unknown = "http://www.gpq.gov.cn/zwgk/zfxxgknb/202403/t20240327_8.html"
    assert store.known_urls([mobile, unknown]) == {mobile}
    assert store.url_key(mobile) == claim(7).key
    store.remember_urls(claim(7).key, [unknown], "511803")
    assert store.known_urls([unknown]) == {unknown}
    store.close()


def test_site_status_round_trips_through_the_store(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "s.sqlite3")
    status = SiteStatus("511803", run_id="run-1", column_url="http://127.0.0.10/zwgk/zfxxgknb/index.html",
                        list_pages=3, reports_seen=12, pages_failed=1, stop_reasons={"last_page": 1},
                        failures=[FailureRecord("http://127.0.0.10/a.html", "http_404", "HTTP 404")])
    store.record_site_status(status)
    store.record_site_status(SiteStatus("130705", run_id="run-1", blocked=True, blocked_reason="412 challenge",
                                        pages_failed=2))
    assert store.site_status("511803") == status
    other = store.site_status("130705")
    assert other is not None and other.blocked and other.blocked_reason == "412 challenge"
    assert store.site_status("000000") is None
    store.close()


def test_a_site_status_stored_by_the_former_spider_dict_still_reads(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "s.sqlite3")
    with sqlite3.connect(tmp_path / "s.sqlite3") as db:
        db.execute("INSERT INTO site_status (site_id, last_run, list_pages, reports_seen, stop_reasons, raw)"
                   " VALUES ('511803', '2024-01-01', 3, 12, '[\"last_page\"]', ?)",
                   ('{"reports_yielded": 12, "stop_reasons": {"last_page": 1}, "site": {"id": "511803"}, '
                    '"render": {"escalated": 1, "notes": []}, "seen_urls": ["a"]}',))
    status = store.site_status("511803")
    assert status is not None and (status.list_pages, status.reports_seen) == (3, 12)
    assert status.stop_reasons == {"last_page": 1} and status.render.escalated == 1
    store.close()


@pytest.mark.skipif(SQLITE3 is None, reason="needs the sqlite3 CLI")
def test_sqlite3_cli_reads_while_the_crawl_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SqliteStateStore(path)
    counts: list[int] = []
    errors: list[str] = []
    done = threading.Event()

    def read_loop() -> None:
        while not done.is_set():
            # no .timeout: in WAL mode a reader must never have to wait for the writer
            proc = subprocess.run([SQLITE3, "-readonly", str(path), "SELECT COUNT(*) FROM reports"],
                                  capture_output=True, text=True)
            if proc.returncode or proc.stderr:
                errors.append(proc.stderr)
            else:
                counts.append(int(proc.stdout))

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        for n in range(400):
            deliver(store, claim(n))
    finally:
        done.set()
        reader.join()
    assert errors == []
    assert len(counts) >= 3
    assert counts == sorted(counts)  # each reader sees a consistent, growing snapshot
    assert store.count_reports() == 400
    store.close()


def test_a_second_writer_is_waited_for_not_failed(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SqliteStateStore(path, busy_timeout_ms=5000)
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sqlite3, time
            db = sqlite3.connect({str(path)!r}, isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO site_status (site_id, last_run) VALUES ('x', 'now')")
            print("locked", flush=True)
            time.sleep(0.8)
            db.execute("COMMIT")
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    started = time.monotonic()
    deliver(store, claim(1))  # blocks on the other writer's lock, then succeeds
    assert time.monotonic() - started > 0.3
    assert holder.wait(timeout=10) == 0
    assert store.site_status("x") is not None and store.lookup(claim(1).key) is not None
    store.close()


WRITER = """
import os, signal, sys
sys.path.insert(0, {repo!r})
from govreports.state import Claim, SqliteStateStore
store = SqliteStateStore({path!r})
def c(n):
    return Claim(key=f"k{{n}}", id=f"id-{{n}}", content_hash="h", revision=1, url=f"http://x.gov.cn/{{n}}.html",
                 site_id="x", run_id="r")
for n in range({committed}):
    store.claim(c(n)); store.commit(f"id-{{n}}", "r")
{then}
os.kill(os.getpid(), signal.SIGKILL)
"""


def _run_killed_writer(path: Path, committed: int, then: str = "") -> None:
    script = WRITER.format(repo=str(REPO), path=str(path), committed=committed, then=textwrap.dedent(then))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9, proc.stderr


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def test_writer_killed_inside_a_transaction_leaves_the_committed_state(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _run_killed_writer(path, 5, then="""
        store._db.execute("BEGIN IMMEDIATE")
        for n in range(5, 3000):
            store._db.execute("INSERT INTO reports VALUES (?, ?, 'x', 'u', 'h', 1, 'now', 'now')", (f"k{n}", f"id-{n}"))
    """)
    assert Path(f"{path}-wal").exists()  # the kill left a hot WAL behind
    store = SqliteStateStore(path)
    assert store.count_reports() == 5
    assert _integrity(path) == "ok"
    store.close()


def test_a_torn_last_wal_write_loses_only_that_transaction(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _run_killed_writer(path, 6)
    wal = Path(f"{path}-wal")
    size = wal.stat().st_size
    assert size > 0
    with wal.open("r+b") as f:  # the last frame (the 6th commit) only half reached the disk
        f.truncate(size - 2000)
    store = SqliteStateStore(path)
    assert store.count_reports() == 5
    assert store.lookup("k4") is not None and store.lookup("k5") is None
    assert _integrity(path) == "ok"
    deliver(store, claim(99))  # and the store keeps working on top of it
    store.close()


def test_hot_rollback_journal_of_a_legacy_database_is_rolled_back(tmp_path: Path) -> None:
    path = tmp_path / "legacy.sqlite3"
    SqliteStateStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = DELETE")
    script = textwrap.dedent(f"""
        import os, signal, sqlite3
        db = sqlite3.connect({str(path)!r}, isolation_level=None)
        db.execute("PRAGMA cache_size = 1")  # spill dirty pages into the file mid-transaction
        db.execute("INSERT INTO reports VALUES ('kept', 'id-kept', 'x', 'u', 'h', 1, 'now', 'now')")
        db.execute("BEGIN IMMEDIATE")
        for n in range(5000):
            db.execute("INSERT INTO reports VALUES (?, ?, 'x', 'u', 'h', 1, 'now', 'now')", (f"k{{n}}", f"id-{{n}}"))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert subprocess.run([sys.executable, "-c", script], timeout=60).returncode == -9
    assert Path(f"{path}-journal").exists()  # a hot journal
    store = SqliteStateStore(path)
    assert store.journal_mode == "wal"
    assert store.count_reports() == 1 and store.lookup("kept") is not None
    assert _integrity(path) == "ok"
    store.close()


def test_runs_and_their_feeds_are_recorded(tmp_path: Path) -> None:
    store = SqliteStateStore(tmp_path / "s.sqlite3")
    store.begin_run(RunInfo(run_id="r1", pid=os.getpid(), host="h", started_at="2024-01-01T00:00:00+00:00"))
    store.record_feed("r1", "/out/a.jsonl")
    store.record_feed("r1", "/out/a.jsonl")
    assert [(r.run_id, r.feeds, r.finished_at) for r in store.runs(unfinished_only=True)] == [
        ("r1", ("/out/a.jsonl",), None)]
    store.end_run("r1", "finished")
    assert store.runs(unfinished_only=True) == []
    assert store.runs()[0].outcome == "finished"
    store.close()
