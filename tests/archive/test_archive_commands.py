"""The archive of record end to end: a killed run and two reruns of one `-O` command lose nothing;
export, reparse (with a parser change), forget, backup, merge and dataset on the archive it left.

One farm and one history per module (three crawls on one state database, like the issue's
reproduction); each test works on its own copy of the archive.
"""

from __future__ import annotations

import copy
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from govreports.archive.reparse import reparse
from govreports.archive.store import Archive
from govreports.parsing import metadata
from govreports.state import SqliteStateStore
from govreports_farm import Farm
from tests.state.harness import (
    REPO,
    CrawlResult,
    crawl,
    crawl_command,
    environment,
    manifest_report_urls,
    read_feed,
    report_url_of,
)

pytestmark = pytest.mark.e2e


@dataclass
class History:
    root: Path
    db: Path
    archive: Path
    feed: Path
    manifest: dict[str, Any]
    killed_lines: int
    second: CrawlResult
    third: CrawlResult


def scrapy(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    root = tmp_path_factory.mktemp("archive")
    db = root / "state" / "govreports.sqlite3"
    feed = root / "reports.jsonl"
    with Farm.start(root / "farm") as farm:
        manifest = copy.deepcopy(farm.manifest)
        proc = subprocess.Popen(crawl_command(farm, db, feed), cwd=REPO, env=environment(db),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        waited = time.monotonic()
        while proc.poll() is None and feed.exists() is False or (
                proc.poll() is None and feed.read_bytes().count(b"\n") < 2 and time.monotonic() - waited < 60):
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_lines = len(read_feed(feed))
        second = crawl(farm, db, feed)  # the same -O command
        third = crawl(farm, db, feed)   # and again: nothing new
    yield History(root, db, db.parent / "archive", feed, manifest, killed_lines, second, third)


def copy_archive(history: History, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(history.archive, target)
    return target


def test_a_killed_run_and_two_reruns_of_one_O_command_leave_every_report_in_the_archive(
        history: History, tmp_path: Path) -> None:
    assert history.killed_lines >= 2 and history.second.returncode == 0 and history.third.returncode == 0
    assert read_feed(history.feed) == []  # the third run replaced the feed with nothing: the loss
    out = tmp_path / "export.jsonl"
    done = scrapy("export", "-o", str(out), "--archive", str(history.archive))  # the farm is stopped
    assert done.returncode == 0, done.stderr
    exported = read_feed(out)
    urls = Counter(report_url_of(history.manifest, item["url"]) for item in exported)
    assert set(urls) == manifest_report_urls(history.manifest) and max(urls.values()) == 1
    assert all(item["provenance"]["sources"] for item in exported)
    # a response (or revisit) record for every report page, readable by warcio
    responses = set()
    for path in sorted((history.archive / "warc").iterdir()):
        assert path.name.endswith(".warc.gz")
        with path.open("rb") as file:
            for record in ArchiveIterator(file):
                if record.rec_type in ("response", "revisit"):
                    responses.add(record.rec_headers.get_header("WARC-Target-URI"))
                record.content_stream().read()
    assert {item["url"] for item in exported} <= responses
    done = scrapy("reparse", "--archive", str(history.archive), "--no-state")
    assert done.returncode == 0, done.stderr
    assert f"{len(exported)} re-derived" in done.stderr and "0 changed" in done.stderr


def test_export_of_some_sites_or_recent_revisions_only(history: History, tmp_path: Path) -> None:
    site = next(iter(history.manifest["portals"]))
    out = tmp_path / "one-site.jsonl"
    assert scrapy("export", "-o", str(out), "-a", f"sites={site}", "--archive", str(history.archive)).returncode == 0
    items = read_feed(out)
    assert items and {item["site"]["id"] for item in items} == {site}
    assert scrapy("export", "-o", str(out), "--since", "2999-01-01", "--archive", str(history.archive)).returncode == 0
    assert read_feed(out) == []
    assert scrapy("export", "-o", str(out), "--since", "2000-01-01", "--archive", str(history.archive)).returncode == 0
    assert len(read_feed(out)) == len(manifest_report_urls(history.manifest))


def test_a_second_crawl_over_an_unchanged_farm_parses_no_report(history: History) -> None:
    assert history.third.stat("govreports/parsed") == 0
    assert history.third.stat("govreports/archive/reused") > 0
    assert history.third.stat("govreports/archive/records") == 0  # unchanged bytes are not stored again


def test_a_run_replacing_a_delivered_feed_warns_and_its_summary_names_the_archive_and_export(history: History) -> None:
    assert "-O replaces" in history.third.log and "scrapy export" in history.third.log
    assert "report(s) in" in history.third.log and "every one of them: scrapy export" in history.third.log


def test_reparse_with_a_changed_rule_makes_parser_changed_revisions_with_the_new_values(
        history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = copy_archive(history, tmp_path)
    shutil.copy2(history.db, tmp_path / "state.sqlite3")
    original = metadata.parse_date

    def first_of_the_month(value: str | None) -> str | None:  # the test double of one rule
        parsed = original(value)
        return parsed[:8] + "01" if parsed else parsed

    monkeypatch.setattr(metadata, "parse_date", first_of_the_month)
    archive = Archive(directory, run_id="reparse-test", create=False)
    store = SqliteStateStore(tmp_path / "state.sqlite3")
    output = tmp_path / "changed.jsonl"
    try:
        before = {stored.id: stored.item for stored in archive.latest()}
        with output.open("w", encoding="utf-8") as out:
            summary = reparse(archive, store=store, output=out)
        after = {stored.id: stored for stored in archive.latest()}
        assert summary.rederived == summary.reports == len(before) and not summary.missing
        changed = [rid for rid, item in before.items() if item and item["publish_date"]
                   and not item["publish_date"].endswith("-01")]
        assert changed and summary.changed == len(changed)
        assert summary.fields_changed["publish_date"] == len(changed)
        for report_id in changed:
            assert after[report_id].revision == 2 and after[report_id].reason == "parser_changed"
            assert after[report_id].item["publish_date"].endswith("-01")  # type: ignore[index]
            assert after[report_id].item["revision"] == 2  # type: ignore[index]
            assert [r.reason for r in archive.revisions_of(report_id)] == ["first_seen", "parser_changed"]
            seen = store.lookup(after[report_id].key)
            assert seen is not None and seen.revision == 2  # the next crawl will not deliver it again
        assert {line["id"] for line in read_feed(output)} == set(changed)
    finally:
        archive.close()
        store.close()


def test_a_dataset_with_no_feed_reads_the_configured_archive(history: History, tmp_path: Path) -> None:
    out = tmp_path / "reports.csv"
    done = scrapy("dataset", "-o", str(out), "--no-validate", "-s", f"GOVREPORTS_ARCHIVE_DIR={history.archive}")
    assert done.returncode == 0, done.stderr
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + len(manifest_report_urls(history.manifest))  # the header, one row per report


def test_reports_whose_bytes_are_gone_are_listed_and_fail_the_reparse(history: History, tmp_path: Path) -> None:
    directory = copy_archive(history, tmp_path)
    for path in (directory / "warc").iterdir():
        path.unlink()
    done = scrapy("reparse", "--archive", str(directory), "--no-state")
    assert done.returncode == 1
    gone = [line for line in done.stderr.splitlines() if "bytes gone" in line]
    assert len(gone) == len(manifest_report_urls(history.manifest))


def test_a_missing_or_unreadable_archive_is_one_line_and_exit_1(tmp_path: Path) -> None:
    for command in (["export", "-o", str(tmp_path / "x.jsonl")], ["reparse"]):
        done = scrapy(*command, "--archive", str(tmp_path / "nowhere"))
        assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "no archive at" in done.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "archive.sqlite3").write_bytes(b"this is not a database" * 100)
    done = scrapy("export", "-o", str(tmp_path / "x.jsonl"), "--archive", str(broken))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1 and "unreadable" in done.stderr


def test_a_forgotten_report_leaves_export_and_dataset_and_its_bytes_go_on_request(
        history: History, tmp_path: Path) -> None:
    directory = copy_archive(history, tmp_path)
    out = tmp_path / "all.jsonl"
    assert scrapy("export", "-o", str(out), "--archive", str(directory)).returncode == 0
    victim = read_feed(out)[0]
    done = scrapy("forget", victim["id"], "--reason", "takedown request 2026-12-01", "--delete-bytes",
                  "--archive", str(directory))
    assert done.returncode == 0, done.stderr
    assert scrapy("export", "-o", str(out), "--archive", str(directory)).returncode == 0
    assert victim["id"] not in {item["id"] for item in read_feed(out)}
    dataset = scrapy("dataset", str(tmp_path / "all.jsonl"), "-o", str(tmp_path / "d.csv"), "--archive",
                     str(directory), "--no-validate")
    assert dataset.returncode == 0, dataset.stderr
    assert victim["id"] not in (tmp_path / "d.csv").read_text(encoding="utf-8")
    archive = Archive(directory, create=False)
    try:
        [revision] = archive.revisions_of(victim["id"])
        assert revision.item is None
        assert all(archive.payload(str(s["record_id"])) is None for s in revision.page["sources"])
        reason = archive._db.execute("SELECT reason FROM forgotten WHERE id = ?", (victim["id"],)).fetchone()[0]
        assert reason == "takedown request 2026-12-01"
    finally:
        archive.close()
    check = scrapy("archive", "check", "--archive", str(directory))
    assert check.returncode == 0, check.stderr


def test_backup_copies_the_database_and_closed_warc_files_and_merge_keeps_each_report_once(
        history: History, tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    done = scrapy("archive", "backup", str(backup), "--archive", str(history.archive))
    assert done.returncode == 0, done.stderr
    assert (backup / "archive.sqlite3").exists()
    assert sorted(p.name for p in (backup / "warc").iterdir()) == sorted(
        p.name for p in (history.archive / "warc").iterdir())
    # two workers' archives holding the same reports: one revision each after the merge
    merged = tmp_path / "merged"
    done = scrapy("archive", "merge", str(history.archive), str(backup), "-o", str(merged))
    assert done.returncode == 0, done.stderr
    out = tmp_path / "merged.jsonl"
    assert scrapy("export", "-o", str(out), "--archive", str(merged)).returncode == 0
    items = read_feed(out)
    assert len(items) == len({item["id"] for item in items}) == len(manifest_report_urls(history.manifest))
    assert all(item["revision"] == 1 for item in items)
    check = scrapy("archive", "check", "--archive", str(merged))
    assert check.returncode == 0, check.stderr
