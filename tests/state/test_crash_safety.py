"""The claim → fsync'd feed line → commit protocol, and start-up recovery of a killed run."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler

from govreports.pipelines.dedup import DedupPipeline
from govreports.state import Claim, RunInfo, RunState, SqliteStateStore
from govreports.state.feed import DurableJsonLinesItemExporter
from tests.state.conftest import copy_of, gaoping_2023, make_crawler, run_state_of


def killed_run(db: Path, feed: Path, *, write_line: bool, torn: bool = False) -> str:
    """A run that claimed one report and died: after writing its feed line, or before finishing it."""
    crawler = make_crawler(db)
    pipeline = build_from_crawler(DedupPipeline, crawler)
    item = pipeline.process_item(gaoping_2023())
    run = run_state_of(crawler)
    feed.parent.mkdir(parents=True, exist_ok=True)
    with feed.open("ab") as out:
        exporter = build_from_crawler(DurableJsonLinesItemExporter, crawler, out)
        exporter.start_exporting()
        if write_line:  # what export_item writes, minus the commit the kill prevented
            line = json.dumps({"id": item.id, "url": item.url, "revision": item.revision}, ensure_ascii=False)
            out.write((line + "\n").encode() if not torn else line[: len(line) // 2].encode())
    # the process dies here: no commit, no finish(); only the connection goes
    run.store.close()
    return item.id


def fresh_run(db: Path) -> tuple[RunState, DedupPipeline]:
    crawler = make_crawler(db)
    return run_state_of(crawler), build_from_crawler(DedupPipeline, crawler)


def test_killed_after_the_line_was_fsynced_the_report_is_committed_not_re_emitted(tmp_path: Path) -> None:
    db, feed = tmp_path / "s.sqlite3", tmp_path / "out" / "a.jsonl"
    report_id = killed_run(db, feed, write_line=True)
    run, pipeline = fresh_run(db)
    assert (run.recovery.recovered, run.recovery.released, run.recovery.dead_runs) == (1, 0, 1)
    seen = run.store.lookup(json.dumps(["511803", "index_no", "11511303MB1529498F/2024-00012"],
                                       ensure_ascii=False, separators=(",", ":")))
    assert seen is not None and seen.id == report_id
    with pytest.raises(DropItem, match="unchanged"):  # already in the feed: not emitted again
        pipeline.process_item(gaoping_2023())
    assert pipeline.stats.get_value("govreports/state/recovered") == 1
    assert next(r.outcome for r in run.store.runs()) == "killed"
    run.close()


def test_killed_before_the_line_was_written_the_report_is_emitted_again(tmp_path: Path) -> None:
    db, feed = tmp_path / "s.sqlite3", tmp_path / "out" / "a.jsonl"
    killed_run(db, feed, write_line=False)
    run, pipeline = fresh_run(db)
    assert (run.recovery.recovered, run.recovery.released) == (0, 1)
    item = pipeline.process_item(gaoping_2023())
    assert item.revision == 1
    assert pipeline.stats.get_value("govreports/dedup/new") == 1
    run.close()


def test_a_torn_last_line_is_cut_from_the_feed_and_the_report_emitted_again(tmp_path: Path) -> None:
    db, feed = tmp_path / "s.sqlite3", tmp_path / "out" / "a.jsonl"
    feed.parent.mkdir()
    feed.write_text('{"id": "earlier", "revision": 1}\n', encoding="utf-8")
    killed_run(db, feed, write_line=True, torn=True)
    run, pipeline = fresh_run(db)
    assert (run.recovery.torn_feed_tail, run.recovery.recovered, run.recovery.released) == (1, 0, 1)
    assert feed.read_text(encoding="utf-8") == '{"id": "earlier", "revision": 1}\n'
    assert pipeline.process_item(gaoping_2023()).revision == 1
    run.close()


def test_a_changed_report_killed_before_commit_keeps_its_old_revision(tmp_path: Path) -> None:
    db, feed = tmp_path / "s.sqlite3", tmp_path / "out" / "a.jsonl"
    crawler = make_crawler(db)
    pipeline = build_from_crawler(DedupPipeline, crawler)
    feed.parent.mkdir()
    with feed.open("ab") as out:
        exporter = build_from_crawler(DurableJsonLinesItemExporter, crawler, out)
        exporter.start_exporting()
        exporter.export_item(pipeline.process_item(gaoping_2023()))
    run_state_of(crawler).close()
    corrected = {"applications": {"new_received": {"natural_person": 31, "total": 37}}}
    crawler = make_crawler(db)
    pipeline = build_from_crawler(DedupPipeline, crawler)
    killed_run_item = pipeline.process_item(gaoping_2023(tables=corrected))
    assert killed_run_item.revision == 2
    run_state_of(crawler).store.close()  # killed before the feed line
    run, pipeline = fresh_run(db)
    assert run.recovery.released == 1
    assert pipeline.process_item(gaoping_2023(tables=corrected)).revision == 2
    run.close()


def test_claims_of_a_run_that_is_still_alive_are_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        store = SqliteStateStore(db)
        store.begin_run(RunInfo(run_id="live", pid=other.pid, host=socket.gethostname(),
                                started_at="2024-01-01T00:00:00+00:00"))
        store.claim(Claim(key="k", id="i", content_hash="h", revision=1, url="http://x/", site_id="x", run_id="live"))
        store.close()
        run, _ = fresh_run(db)
        assert run.recovery.live_runs_skipped == 1
        assert [c.id for c in run.store.pending_claims("live")] == ["i"]
        run.close()
    finally:
        other.kill()
        other.wait()
    run, _ = fresh_run(db)  # once it is dead, its claim is reconciled (no feed: released)
    assert run.recovery.released == 1
    run.close()


def test_every_exported_line_is_fsynced_and_committed(tmp_path: Path) -> None:
    db, feed = tmp_path / "s.sqlite3", tmp_path / "out" / "a.jsonl"
    crawler = make_crawler(db)
    pipeline = build_from_crawler(DedupPipeline, crawler)
    feed.parent.mkdir()
    with feed.open("wb") as out:
        exporter = build_from_crawler(DurableJsonLinesItemExporter, crawler, out)
        exporter.start_exporting()
        for n in range(3):
            exporter.export_item(pipeline.process_item(copy_of(gaoping_2023(), index_no=f"GP-{n}", text=f"{n}")))
        run = run_state_of(crawler)
        assert run.store.pending_claims() == []
        assert [r.feeds for r in run.store.runs()] == [(str(feed.resolve()),)]
    stats = crawler.stats
    assert stats.get_value("govreports/feed/fsynced") == 3  # type: ignore[union-attr]
    assert stats.get_value("govreports/state/committed") == 3  # type: ignore[union-attr]
    assert len(feed.read_text(encoding="utf-8").splitlines()) == 3
    run.close()
