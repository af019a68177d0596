"""A harvest killed at any moment and started again loses nothing and emits nothing twice.

`test_sigkill_*`: the farm is crawled, SIGKILLed at random moments (some while items are being
written), restarted each time against the same state DB, and finally allowed to finish; the union
of all the feeds must hold every manifest report exactly once, and every line must be whole. The
archive of record must then hold each report exactly once, every WARC file must read through
warcio to its end, and `scrapy export` must equal the union of the feeds.
`test_jobdir_*`: a crawl with Scrapy's JOBDIR stopped gracefully halfway and resumed with the same
JOBDIR delivers the rest, again exactly once.
"""

from __future__ import annotations

import copy
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from govreports.archive.store import Archive
from govreports.archive.warc import check_file
from govreports.state import SqliteStateStore
from govreports_farm import Farm
from tests.state.harness import (
    REPO,
    crawl,
    crawl_command,
    environment,
    manifest_report_urls,
    read_feed,
    report_url_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KILLS = 10
KILL_BUDGET_SECONDS = 75  # the kills stop early if this runs out; the final run still has to finish


def feed_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def start(farm: Farm, db: Path, feed: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(crawl_command(farm, db, feed, *extra), cwd=REPO, env=environment(db),
                                stdout=subprocess.DEVNULL, stderr=out)


def kill_at_a_random_moment(proc: subprocess.Popen[bytes], feed: Path, rng: random.Random,
                            latest: float = 8.0) -> str:
    """SIGKILL either at a random time (before `latest` s), or just after the feed has grown (mid item-writing;
    at `latest` s when it does not grow, as in a run with nothing new left to write)."""
    if rng.random() < 0.5:
        delay = rng.uniform(0.5, max(latest, 0.6))
        try:
            proc.wait(timeout=delay)
            return "finished"
        except subprocess.TimeoutExpired:
            pass
        moment = f"at {delay:.1f}s"
    else:
        grown_by = rng.randint(1, 15)
        waited = time.monotonic()
        while proc.poll() is None and feed_lines(feed) < grown_by and time.monotonic() - waited < max(latest, 0.6):
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.05))
        if proc.poll() is not None:
            return "finished"
        moment = f"after {feed_lines(feed)} line(s)"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return f"killed {moment}"


def union_of(feeds: list[Path], manifest: dict[str, Any]) -> Counter[str]:
    return Counter(report_url_of(manifest, item["url"]) for feed in feeds for item in read_feed(feed))


def test_sigkill_at_random_moments_then_restart_delivers_every_report_exactly_once(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("GOVREPORTS_KILL_SEED", "20240327")))
    db = tmp_path / "state" / "govreports.sqlite3"
    log = tmp_path / "crawl.log"
    feeds: list[Path] = []
    moments: list[str] = []
    with Farm.start(tmp_path / "farm") as farm:
        manifest = copy.deepcopy(farm.manifest)
        deadline = time.monotonic() + KILL_BUDGET_SECONDS
        latest = 8.0  # random-time kills fall before this; shrunk to fit runs that finish first
        while len([m for m in moments if m.startswith("killed")]) < KILLS and time.monotonic() < deadline:
            feed = tmp_path / "feeds" / f"run-{len(feeds):02d}.jsonl"
            feeds.append(feed)
            began = time.monotonic()
            moments.append(kill_at_a_random_moment(start(farm, db, feed, log), feed, rng, latest))
            if moments[-1] == "finished":  # runs are shorter than the kill window: aim inside them
                latest = min(latest, 0.8 * (time.monotonic() - began))
        final_feed = tmp_path / "feeds" / "final.jsonl"
        final = crawl(farm, db, final_feed)
        feeds.append(final_feed)

    kills = [m for m in moments if m.startswith("killed")]
    recoveries = [line.split("recovered an interrupted run: ", 1)[1]
                  for line in (log.read_text(encoding="utf-8") + final.log).splitlines()
                  if "recovered an interrupted run" in line]
    print("runs:", "; ".join(moments))
    print("recoveries:", recoveries)
    assert len(kills) >= KILLS, f"only {len(kills)} kills in the time budget: {moments}"
    assert final.returncode == 0, final.log[-3000:]
    delivered = union_of(feeds, manifest)  # read_feed fails on any torn or garbled line
    missing = manifest_report_urls(manifest) - set(delivered)
    twice = {url: n for url, n in delivered.items() if n > 1}
    assert not missing, f"lost {len(missing)} report(s) after {moments}"
    assert not twice, f"emitted twice: {twice} after {moments}"
    assert set(delivered) == manifest_report_urls(manifest)
    assert all(item["revision"] == 1 for feed in feeds for item in read_feed(feed))
    store = SqliteStateStore(db)
    try:
        assert store.pending_claims() == []
        assert store.count_reports() == len(manifest_report_urls(manifest))
        assert [run.outcome for run in store.runs()][-1] == "finished"
    finally:
        store.close()
    assert_the_archive_holds_exactly_the_feeds(db.parent / "archive", feeds, tmp_path / "export.jsonl")


def assert_the_archive_holds_exactly_the_feeds(archive_dir: Path, feeds: list[Path], export: Path) -> None:
    """One archived revision per delivered report, readable WARC files, export = union of the feeds."""
    archive = Archive(archive_dir, create=False)
    try:
        rows = archive._db.execute("SELECT id, revision, state FROM revisions").fetchall()
        warcs = sorted(archive.warc_dir.iterdir())
        sources = {str(s["record_id"]) for stored in archive.latest() for s in stored.page["sources"]}
        missing_sources = [rid for rid in sources if archive.record(rid) is None]
        payloads_missing = [rid for rid in sources if archive.payload(rid) is None]
    finally:
        archive.close()
    delivered = {(item["id"], item["revision"]) for feed in feeds for item in read_feed(feed)}
    assert sorted((r["id"], r["revision"]) for r in rows) == sorted(delivered), "archive ≠ feeds"
    assert {r["state"] for r in rows} == {"archived"}
    assert not [p.name for p in warcs if p.name.endswith(".open")], "a WARC file was left open"
    for path in warcs:
        count, problem = check_file(path)
        assert problem is None, f"{path.name} unreadable after {count} records: {problem}"
    assert not missing_sources and not payloads_missing
    done = subprocess.run([sys.executable, "-m", "scrapy", "export", "-o", str(export), "--archive", str(archive_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    exported = read_feed(export)
    union = {item["id"]: item for feed in feeds for item in read_feed(feed)}
    assert len(exported) == len({item["id"] for item in exported}) == len(union)
    assert {item["id"]: (item["url"], item["revision"], item["tables"]) for item in exported} == \
        {rid: (item["url"], item["revision"], item["tables"]) for rid, item in union.items()}


def test_jobdir_run_stopped_gracefully_resumes_and_delivers_the_rest_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "state" / "govreports.sqlite3"
    jobdir = tmp_path / "job"
    log = tmp_path / "crawl.log"
    with Farm.start(tmp_path / "farm") as farm:
        manifest = copy.deepcopy(farm.manifest)
        first_feed = tmp_path / "first.jsonl"
        proc = start(farm, db, first_feed, log, "-s", f"JOBDIR={jobdir}")
        waited = time.monotonic()
        while proc.poll() is None and feed_lines(first_feed) < 20 and time.monotonic() - waited < 60:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # Ctrl-C: Scrapy closes the spider and keeps the queue
        assert proc.wait(timeout=60) == 0
        assert (jobdir / "requests.seen").exists()
        half = read_feed(first_feed)
        assert 0 < len(half) < len(manifest_report_urls(manifest))

        rest = crawl(farm, db, tmp_path / "rest.jsonl", "-s", f"JOBDIR={jobdir}")
    assert rest.returncode == 0, rest.log[-3000:]
    assert "Resuming crawl" in rest.log
    delivered = union_of([first_feed, tmp_path / "rest.jsonl"], manifest)
    assert set(delivered) == manifest_report_urls(manifest)
    assert max(delivered.values()) == 1
