"""A bad night, then a good one: the farm under chaos, then the same farm calm, one state DB.

The first crawl meets every fault of govreports_farm/chaos.py (plus the transient ones, which retries
absorb); every page that failed for good must be in its run summary with URL and reason, and
nothing else may have failed. The next night's crawl (chaos off, same state DB: incremental) must
bring in exactly what the first one missed: the union of both feeds holds every report of the
manifest once.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from govreports_farm import Farm
from govreports_farm.chaos import EXPECTED_FAILURE
from tests.state.harness import CrawlResult, crawl, manifest_report_urls, report_url_of

pytestmark = pytest.mark.e2e

SEED = 1
NIGHT_SETTINGS = ("-s", "DOWNLOAD_TIMEOUT=3", "-s", f"DOWNLOAD_MAXSIZE={2 * 1024 * 1024}",
                  "-s", f"DOWNLOAD_WARNSIZE={1024 * 1024}", "-s", "RETRY_TIMES=2", "-s", "GOVREPORTS_RETRY_BACKOFF=0")
# failure kinds that are choices, not faults (robots.txt Disallow, scope)
SKIP_KINDS = ("robots", "offsite", "ignored")


@dataclass
class Nights:
    manifest: dict[str, Any]            # as it was under chaos
    hits_after_first: dict[str, dict[str, int]]
    first: CrawlResult
    first_summary: dict[str, Any]
    second: CrawlResult
    second_summary: dict[str, Any]


def _summary(path: Path) -> dict[str, Any]:
    assert path.exists(), f"no run summary at {path}"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    root = tmp_path_factory.mktemp("chaos")
    db = root / "state.sqlite3"
    with Farm.start(root / "farm", chaos=SEED) as farm:
        manifest = copy.deepcopy(farm.manifest)
        first = crawl(farm, db, root / "first.jsonl", *NIGHT_SETTINGS,
                      "-s", f"GOVREPORTS_SUMMARY_FILE={root / 'first.summary.json'}", timeout=150)
        hits = {adcode: farm.hits(adcode) for adcode in manifest["portals"]}
        farm.set_chaos(None)
        second = crawl(farm, db, root / "second.jsonl", *NIGHT_SETTINGS,
                       "-s", f"GOVREPORTS_SUMMARY_FILE={root / 'second.summary.json'}", timeout=150)
        yield Nights(manifest, hits, first, _summary(root / "first.summary.json"),
                     second, _summary(root / "second.summary.json"))


def planned_faults(manifest: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(portal, url, fault) of every persistent fault of the night."""
    return [(adcode, url, fault) for adcode, entry in manifest["portals"].items()
            for url, fault in entry["chaos_plan"].items()]


def test_the_chaos_plan_covers_every_kind_of_trouble(nights: Nights) -> None:
    faults = Counter(fault for _, _, fault in planned_faults(nights.manifest))
    assert set(faults) == set(EXPECTED_FAILURE), faults
    transient = {fault for entry in nights.manifest["portals"].values() for fault in entry["chaos_faults"].values()}
    assert {"500", "502", "503", "reset"} <= transient


def test_both_nights_end_cleanly(nights: Nights) -> None:
    for run in (nights.first, nights.second):
        assert run.returncode == 0, run.log[-3000:]
        assert "Traceback" not in run.log, run.log[run.log.index("Traceback") - 500:][:3000]
    assert nights.first_summary["failed"] is False, nights.first_summary["problems"]
    assert nights.second_summary["failed"] is False


def test_every_failure_of_the_bad_night_is_in_its_summary_with_url_and_reason(nights: Nights) -> None:
    failures = nights.first_summary["failures"]
    recorded: dict[str, dict[str, Any]] = {}
    for site, records in failures.items():
        for record in records:
            assert record["url"] and record["kind"] and record["reason"], record
            if record["kind"] not in SKIP_KINDS:
                recorded[record["url"]] = {**record, "site": site}
    checked = Counter()
    for portal, url, fault in planned_faults(nights.manifest):
        expected = EXPECTED_FAILURE[fault]
        hit = nights.hits_after_first[portal].get(urlsplit(url).path, 0)
        if expected is None or not hit:
            continue
        assert url in recorded, (fault, url, sorted(recorded))
        assert recorded[url]["kind"] in expected, (fault, recorded[url])
        assert recorded[url]["site"] == portal
        checked[fault] += 1
    # every persistent fault but the list page and the removed column sits on a page the crawl reaches
    assert set(checked) >= {"http_503", "timeout", "reset", "truncated", "soft_404", "redirect_loop", "huge",
                            "column_home", "list_page_503"}, checked
    planned = {url for _, url, _ in planned_faults(nights.manifest)}
    unexpected = {url: record for url, record in recorded.items() if url not in planned}
    assert not unexpected, unexpected  # transient faults were retried, not recorded
    assert sum(len(records) for records in failures.values()) == nights.first_summary["pages_failed"] + sum(
        1 for records in failures.values() for r in records if r["kind"] in SKIP_KINDS)
    assert not nights.first_summary["failures_omitted"]


def test_the_removed_column_is_not_taken_for_the_home_page(nights: Nights) -> None:
    portal = next(p for p, _, fault in planned_faults(nights.manifest) if fault == "column_home")
    assert nights.first.stat("govreports/stop/column_redirected_home") == 1
    first_items = [item for item in nights.first.items if item["site"]["id"] == portal]
    assert first_items == []  # nothing harvested from the home page posing as the column
    assert portal in nights.first_summary["sites_failed"]


def test_a_gbk_page_sent_as_utf8_is_read_correctly(nights: Nights) -> None:
    portal, url, _ = next(entry for entry in planned_faults(nights.manifest) if entry[2] == "wrong_charset")
    report = next(r for r in nights.manifest["portals"][portal]["reports"] if r["url"] == url)
    item = next(item for item in nights.first.items if item["url"] == url)
    assert item["title"] == report["title"]
    assert "\ufffd" not in item["text"]
    assert any("declares utf-8" in warning for warning in item["warnings"]), item["warnings"]


def test_the_next_night_brings_in_exactly_what_the_bad_night_missed(nights: Nights) -> None:
    wanted = manifest_report_urls(nights.manifest)
    first = Counter(report_url_of(nights.manifest, item["url"]) for item in nights.first.items)
    second = Counter(report_url_of(nights.manifest, item["url"]) for item in nights.second.items)
    missed = wanted - set(first)
    faulted_reports = {url for _, url, fault in planned_faults(nights.manifest)
                       if EXPECTED_FAILURE[fault] is not None} & wanted
    assert faulted_reports <= missed  # the bad night really lost them
    assert set(second) == missed, (sorted(missed - set(second))[:5], sorted(set(second) - missed)[:5])
    union = first + second
    assert set(union) == wanted and max(union.values()) == 1
    assert not nights.second_summary["failures"]
