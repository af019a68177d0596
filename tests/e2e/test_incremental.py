"""Incremental harvesting of the farm: a re-run emits nothing, a correction and a new report once each.

Three real crawls against one state DB, in order: the first harvest, an unchanged re-run, then
(after the farm corrects one report and publishes a new one) a cron-style `bin/harvest` run.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from govreports.archive.store import Archive
from govreports.state import SqliteStateStore
from govreports_farm import Farm
from tests.state.harness import (
    REPO,
    CrawlResult,
    crawl,
    environment,
    farm_settings,
    manifest_report_urls,
    read_feed,
    report_url_of,
)

pytestmark = pytest.mark.e2e


@dataclass
class History:
    farm: Farm
    manifest: dict[str, Any]  # as it was for the first two runs
    db: Path
    first: CrawlResult
    second: CrawlResult
    modified_url: str
    added: dict[str, Any]
    harvest: subprocess.CompletedProcess[str]
    harvest_dir: Path
    notes: dict[str, Any] = field(default_factory=dict)


def newest_report(farm: Farm, cms: str) -> dict[str, Any]:
    """The newest report of a portal: on the first list page, which an incremental run walks."""
    portal = next(entry for entry in farm.manifest["portals"].values() if entry["cms"] == cms)
    return max(portal["reports"], key=lambda report: (report["publish_date"], report["url"]))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    root = tmp_path_factory.mktemp("incremental")
    db = root / "state" / "govreports.sqlite3"
    with Farm.start(root / "farm") as farm:
        manifest = copy.deepcopy(farm.manifest)
        first = crawl(farm, db, root / "first.jsonl")
        second = crawl(farm, db, root / "second.jsonl")
        modified = newest_report(farm, "trs")["url"]
        farm.modify_report(modified)
        hanweb = next(adcode for adcode, e in farm.manifest["portals"].items() if e["cms"] == "hanweb_jpage")
        added = farm.add_report(hanweb)
        harvest_dir = root / "harvest-output"
        harvest = subprocess.run(
            ["bin/harvest", "--output-dir", str(harvest_dir), *farm_settings(farm, db)],
            cwd=REPO, capture_output=True, text=True, timeout=240,
            env={**environment(db), "GOVREPORTS_PYTHON": sys.executable, "GOVREPORTS_LOCK": str(root / "harvest.lock")},
        )
        yield History(farm, manifest, db, first, second, modified, added, harvest, harvest_dir)


def test_first_harvest_emits_every_manifest_report_once(history: History) -> None:
    assert history.first.returncode == 0, history.first.log[-3000:]
    reports = Counter(report_url_of(history.manifest, item["url"]) for item in history.first.items)
    assert set(reports) == manifest_report_urls(history.manifest)
    assert max(reports.values()) == 1  # a report posted twice came out once
    assert {item["revision"] for item in history.first.items} == {1}
    assert history.first.stat("govreports/dedup/new") == len(history.first.items)
    assert history.first.stat("govreports/dedup/duplicate") >= len(
        [u for e in history.manifest["portals"].values() for u in e["duplicates"]])


def test_an_unchanged_rerun_emits_nothing(history: History) -> None:
    assert history.second.returncode == 0, history.second.log[-3000:]
    assert history.second.items == []
    assert history.second.stat("item_scraped_count") == 0
    assert history.second.stat("govreports/dedup/unchanged") > 0
    assert history.second.stat("govreports/dedup/new") == 0
    # early stop: the settled columns were not walked to their last page again
    assert history.second.stat("govreports/early_stop/settled_sites") == len(history.farm.portals)
    assert history.second.stat("govreports/stop/already_known") > 0
    assert history.second.stat("downloader/request_count") < history.first.stat("downloader/request_count")


def harvested_items(history: History) -> list[dict[str, Any]]:
    feeds = sorted(history.harvest_dir.glob("*.jsonl"))
    assert len(feeds) == 1, feeds
    return read_feed(feeds[0])


def test_a_corrected_report_comes_out_once_as_revision_2(history: History) -> None:
    assert history.harvest.returncode == 0, history.harvest.stderr[-3000:]
    changed = [item for item in harvested_items(history) if item["url"] == history.modified_url]
    assert len(changed) == 1
    first = next(item for item in history.first.items if item["url"] == history.modified_url)
    assert changed[0]["revision"] == 2 and changed[0]["id"] == first["id"]
    assert changed[0]["text"] != first["text"]


def test_the_archive_says_why_each_revision_exists(history: History) -> None:
    archive = Archive(history.db.parent / "archive", create=False)
    try:
        first = next(item for item in history.first.items if item["url"] == history.modified_url)
        corrected = archive.revisions_of(first["id"])
        added = next(item for item in harvested_items(history) if item["url"] == history.added["url"])
        assert [(r.revision, r.reason) for r in corrected] == [(1, "first_seen"), (2, "source_changed")]
        assert corrected[1].item is not None and corrected[1].item["text"] != first["text"]
        assert [(r.revision, r.reason) for r in archive.revisions_of(added["id"])] == [(1, "first_seen")]
        assert archive.count_reports() == len(history.first.items) + 1
    finally:
        archive.close()
    assert history.second.stat("govreports/parsed") == 0  # the unchanged rerun re-parsed nothing


def test_a_newly_published_report_comes_out_once(history: History) -> None:
    items = harvested_items(history)
    assert [item["url"] for item in items if item["revision"] == 1] == [history.added["url"]]
    assert len(items) == 2  # the correction and the new report, nothing else


def test_the_harvest_writes_its_summary_and_the_state_remembers_every_site(history: History) -> None:
    summaries = list(history.harvest_dir.glob("*.summary.json"))
    assert len(summaries) == 1
    summary = json.loads(summaries[0].read_text(encoding="utf-8"))
    assert summary["failed"] is False
    assert summary["reports"]["new"] == 1 and summary["reports"]["changed"] == 1
    assert summary["reports"]["unchanged"] > 0
    assert summary["sites_crawled"] == len(history.farm.portals)
    assert "reports changed     1" in history.harvest.stderr  # the table in the log
    store = SqliteStateStore(history.db)
    try:
        for portal in history.farm.manifest["portals"]:
            status = store.site_status(portal)
            assert status is not None and status.column_url, portal
        assert [run.outcome for run in store.runs()] == ["finished"] * 3
        assert store.pending_claims() == []
    finally:
        store.close()


def test_a_second_harvest_does_not_start_while_one_holds_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "harvest.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = subprocess.run(["bin/harvest"], cwd=REPO, capture_output=True, text=True, timeout=30,
                              env={**os.environ, "GOVREPORTS_LOCK": str(lock), "GOVREPORTS_PYTHON": sys.executable})
    assert done.returncode == 75
    assert "another harvest holds" in done.stderr


def test_a_harvest_where_no_site_answers_fails_and_still_writes_its_summary(tmp_path: Path) -> None:
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "adcode,name,level,province,home_url,annual_report_url,source\n"
        "511303,高坪区,county,四川省,http://127.0.0.99:9/,http://127.0.0.99:9/zwgk/zfxxgknb/index.html,test\n",
        encoding="utf-8",
    )
    (tmp_path / "sites.toml").write_text("", encoding="utf-8")
    db = tmp_path / "state.sqlite3"
    done = subprocess.run(
        ["bin/harvest", "--output-dir", str(tmp_path / "out"),
         "-s", f"GOVREPORTS_REGISTRY={registry}", "-s", f"GOVREPORTS_SITES_FILE={tmp_path / 'sites.toml'}",
         "-s", f"GOVREPORTS_DB={db}", "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_DELAY=0"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**environment(db), "GOVREPORTS_PYTHON": sys.executable, "GOVREPORTS_LOCK": str(tmp_path / "lock")},
    )
    assert done.returncode == 1, done.stderr[-2000:]
    summary = json.loads(next((tmp_path / "out").glob("*.summary.json")).read_text(encoding="utf-8"))
    assert summary["failed"] and summary["problems"] == ["no site got through"]
    assert summary["sites_failed"] == ["511303"]


def test_a_harvest_given_a_malformed_url_names_it_and_exits_2(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    done = subprocess.run(
        ["bin/harvest", "--output-dir", str(tmp_path / "out"), "-a", "url=ftp://www.example.gov.cn/",
         "-s", f"GOVREPORTS_DB={db}"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**environment(db), "GOVREPORTS_PYTHON": sys.executable, "GOVREPORTS_LOCK": str(tmp_path / "lock")},
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "-a url=ftp://www.example.gov.cn/ must start with http:// or https://" in done.stderr
    assert "harvest: no site selected or bad arguments" in done.stderr


def test_the_harvest_summary_carries_the_progress_figures(history: History) -> None:
    summary = json.loads(next(history.harvest_dir.glob("*.summary.json")).read_text(encoding="utf-8"))
    progress = summary["progress"]
    assert progress["sites_done"] == progress["sites_total"] == len(history.farm.portals)
    assert (progress["reports_new"], progress["reports_changed"]) == (1, 1)  # the added and the corrected report
    assert progress["eta_seconds"] == 0
    assert summary["alerts"] == []
