"""End to end in a real headless Chromium: `scrapy crawl annual_reports` over the farm's three
browser portals (govreports_farm/browser_portals.py), as a user runs it.

- `GOVREPORTS_RENDER=auto`: the JS-built list (昆山市, 320583) and the 加速乐 cookie check (西湖区,
  330106) give every report; the 瑞数 412 portal (朝阳区, 110105) ends `blocked`, with the reason, in
  the site status (state DB) and the run summary.
- `never`: none of those reports, and the stats and the summary say why.
- Sites that need no browser never start one (the Playwright driver included).
- A site set to `render = "always"` in sites.toml has every page rendered.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govreports.archive.store import Archive
from govreports_farm import Farm
from govreports_farm.browser_portals import EXTRA_PORTALS

CHROMIUM = Path(os.environ.get("GOVREPORTS_CHROMIUM", "/usr/bin/chromium"))
pytestmark = [
    pytest.mark.browser, pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: `make test` installs Debian's "
                                                      "chromium (bin/install-system-deps)"),
]
ROOT = Path(__file__).resolve().parents[2]
JS, COOKIE, RUISHU = "320583", "330106", "110105"


@dataclass
class Crawl:
    returncode: int
    items: list[dict[str, Any]]
    stats: dict[str, int]
    log: str
    summary: dict[str, Any]
    state_db: Path

    def urls_of(self, portal: dict[str, Any]) -> set[str]:
        return {item["url"] for item in self.items if item["url"].startswith(portal["home_url"])}

    def site(self, site_id: str) -> dict[str, Any]:
        """The site's status as the run summary lists it."""
        return dict(self.summary["sites"][site_id])

    def site_status(self, site_id: str) -> sqlite3.Row:
        with sqlite3.connect(self.state_db) as db:
            db.row_factory = sqlite3.Row
            return db.execute("SELECT * FROM site_status WHERE site_id = ?", (site_id,)).fetchone()


def crawl(tmp: Path, registry: Path, sites: Path, render: str, *arguments: str) -> Crawl:
    feed = tmp / "items.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "annual_reports",
        "-s", f"GOVREPORTS_REGISTRY={registry}", "-s", f"GOVREPORTS_SITES_FILE={sites}",
        "-s", f"GOVREPORTS_DB={tmp / 'state.sqlite3'}", "-s", f"GOVREPORTS_RENDER={render}",
        "-s", "GOVREPORTS_RUN_SUMMARY=True", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "GOVREPORTS_RETRY_BACKOFF=0", "-s", "LOG_LEVEL=INFO", "-s", "STATS_DUMP=True",
        "-O", str(feed), *arguments,
    ]
    # the machine is offline: Scrapy's cookie middleware would try to download the public suffix
    # list the first time a site sets a cookie (and log the failure); tldextract's snapshot is enough
    env = {**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()] if feed.exists() else []
    dump = done.stderr.split("Dumping Scrapy stats:", 1)[-1]
    stats = {key: int(value) for key, value in re.findall(r"'([^']+)':\s*(\d+)[,}]", dump)}
    summary_path = feed.with_name("items.summary.json")
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    return Crawl(done.returncode, items, stats, done.stderr, summary, tmp / "state.sqlite3")


def registry_of(farm: Farm, ids: tuple[str, ...], path: Path) -> Path:
    """A registry with only these farm sites (the six default portals are crawled elsewhere)."""
    with farm.registry_path.open(encoding="utf-8", newline="") as source:
        rows = [row for row in csv.DictReader(source) if row["adcode"] in ids]
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def browser_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with Farm.start(tmp_path_factory.mktemp("browser-farm"), extra_portals=EXTRA_PORTALS) as running:
        yield running


@pytest.fixture(scope="module")
def auto_crawl(browser_farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    tmp = tmp_path_factory.mktemp("auto")
    return crawl(tmp, registry_of(browser_farm, (JS, COOKIE, RUISHU), tmp / "registry.csv"),
                 browser_farm.sites_path, "auto")


@pytest.fixture(scope="module")
def never_crawl(browser_farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    tmp = tmp_path_factory.mktemp("never")
    return crawl(tmp, registry_of(browser_farm, (JS, COOKIE, RUISHU), tmp / "registry.csv"),
                 browser_farm.sites_path, "never")


# --- auto --------------------------------------------------------------------------------------
def test_auto_crawl_ends_cleanly(auto_crawl: Crawl) -> None:
    assert auto_crawl.returncode == 0, auto_crawl.log[-3000:]
    assert "log_count/ERROR" not in auto_crawl.stats, auto_crawl.log[-5000:]
    assert "Traceback" not in auto_crawl.log, auto_crawl.log[-5000:]


@pytest.mark.parametrize("portal_id", [JS, COOKIE])
def test_auto_finds_every_report_behind_a_script(browser_farm: Farm, auto_crawl: Crawl, portal_id: str) -> None:
    portal = browser_farm.manifest["portals"][portal_id]
    wanted = {report["url"] for report in portal["reports"]}
    assert len(wanted) >= 10
    assert auto_crawl.urls_of(portal) == wanted
    assert not auto_crawl.urls_of(portal) & set(portal["decoys"])
    render = auto_crawl.site(portal_id)["render"]
    assert (render["escalated"], render["succeeded"]) == (1, 1)


def test_a_js_built_list_is_rendered_once_and_its_reports_fetched_plainly(browser_farm: Farm, auto_crawl: Crawl) -> None:
    hits = browser_farm.hits(JS)
    column = browser_farm.portal(JS).column_path
    assert hits[column] == 2            # plain HTTP, then once in Chromium
    assert hits["/api/list.json"] == 1  # only the browser runs the page's script
    reports = [item for item in auto_crawl.items if item["site"]["id"] == JS]
    assert reports and not any(item["source"]["rendered"] for item in reports)


def test_a_passed_cookie_check_is_carried_over_to_plain_requests(browser_farm: Farm, auto_crawl: Crawl) -> None:
    stats = auto_crawl.stats
    assert stats["govreports/render/challenge_passed"] == 1
    assert stats["govreports/render/cookies_carried"] >= 1
    # three pages went through the browser (one per portal); the cookie portal's other list pages
    # and its 13 reports were plain HTTP requests carrying the cookie the browser earned
    assert stats["govreports/render/requests"] == 3
    cookie = auto_crawl.site(COOKIE)
    assert cookie["list_pages"] == 3 and cookie["stop_reasons"] == {"last_page": 1} and cookie["pages_failed"] == 0


def test_the_ruishu_portal_ends_blocked_in_the_site_status_and_the_run_summary(auto_crawl: Crawl) -> None:
    stats = auto_crawl.stats
    ruishu = auto_crawl.site(RUISHU)
    assert ruishu["blocked"] is True and ruishu["render"]["failed"] == 1 and ruishu["reports_seen"] == 0
    assert stats["govreports/blocked/ruishu"] == 1
    row = auto_crawl.site_status(RUISHU)
    assert row["blocked"] == 1
    assert "ruishu (HTTP 412)" in row["blocked_reason"] and "after rendering in Chromium" in row["blocked_reason"]
    blocked = {entry["site"]: entry["reason"] for entry in auto_crawl.summary["sites_blocked"]}
    assert set(blocked) == {RUISHU}
    assert "still a challenge after rendering" in blocked[RUISHU]
    assert re.search(rf"sites blocked\s+{RUISHU} \(ruishu", auto_crawl.log)
    for site_id in (JS, COOKIE):
        assert auto_crawl.site_status(site_id)["blocked"] == 0


# --- never -------------------------------------------------------------------------------------
def test_never_finds_none_there_and_says_why(browser_farm: Farm, never_crawl: Crawl) -> None:
    assert never_crawl.returncode == 0, never_crawl.log[-3000:]
    assert never_crawl.items == []
    stats = never_crawl.stats
    assert stats["govreports/render/needed_but_off"] == 3
    for site_id in (JS, COOKIE, RUISHU):
        assert never_crawl.site(site_id)["render"]["needed_but_off"], site_id
    assert not any(key.startswith("playwright/") for key in stats)
    assert "list page with scripts but no report links" in never_crawl.log
    blocked = {entry["site"]: entry["reason"] for entry in never_crawl.summary["sites_blocked"]}
    assert set(blocked) == {COOKIE, RUISHU}
    assert "jiasule (HTTP 521)" in blocked[COOKIE] and "not rendered: GOVREPORTS_RENDER=never" in blocked[COOKIE]


# --- no cost where no browser is needed; always ------------------------------------------------
def test_sites_that_need_no_browser_never_start_one(browser_farm: Farm, tmp_path: Path) -> None:
    result = crawl(tmp_path, browser_farm.registry_path, browser_farm.sites_path, "auto",
                   "-a", "sites=511303,440307", "-a", "years=2023-2024")
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) >= 4
    assert result.stats.get("govreports/render/browser_launched") == 0
    assert not any(key.startswith(("playwright/", "govreports/render/escalated"))
                   for key in result.stats)
    assert "starting Chromium" not in result.log and "Starting download handler" in result.log


def test_a_site_set_to_always_is_rendered_page_by_page(browser_farm: Farm, tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(f'[sites."{JS}"]\nrender = "always"\n', encoding="utf-8")
    result = crawl(tmp_path, registry_of(browser_farm, (JS,), tmp_path / "registry.csv"), sites, "auto",
                   "-a", "years=2022-2024")
    assert result.returncode == 0, result.log[-3000:]
    portal = browser_farm.manifest["portals"][JS]
    wanted = {r["url"] for r in portal["reports"] if 2022 <= r["report_year"] <= 2024}
    assert result.urls_of(portal) == wanted
    assert all(item["source"]["rendered"] for item in result.items)
    assert "govreports/render/escalated" not in result.stats  # rendered from the start, no retry needed
    # the archive keeps what the browser showed: a conversion record per rendered report page
    archive = Archive(tmp_path / "archive", create=False)
    try:
        records = [archive.record(item["provenance"]["sources"][0]) for item in result.items]
        assert {record["type"] for record in records if record is not None} == {"conversion"}
        assert all(archive.payload(str(record["record_id"])) for record in records if record is not None)
    finally:
        archive.close()
    assert result.stats["govreports/render/requests"] == 1 + len(wanted)
