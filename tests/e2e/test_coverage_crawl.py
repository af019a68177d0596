"""End to end: `scrapy crawl annual_reports` over the farm's coverage portals (issue 17), each a
list shape the default farm does not have (govreports_farm/coverage_portals.py).

One crawl of all of them; each test reads its portal's share: every report exactly once, no decoy.
"""

from __future__ import annotations

import collections
import csv
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from govreports_farm import Farm
from govreports_farm.coverage_portals import COVERAGE_PORTALS
from govreports_farm.expectations import mismatches

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
JSON_ONLY = "350121"
PAGERS = {"hanweb_encrypted": "430181", "yunnan_base64": "532328", "liaoning_huidian": "210106"}
PLATFORM, CITY, NUXT, FILES = "371326", "371300", "350124", "350125"
CHROMIUM = Path(os.environ.get("GOVREPORTS_CHROMIUM", "/usr/bin/chromium"))
SEARCH_APIS = {"fjdzapp": "350181", "site_search": "360102", "code_id_list": "220204", "json_feed": "110106"}


@dataclass
class Crawl:
    returncode: int
    items: list[dict[str, Any]]
    log: str
    state_db: Path

    def urls_of(self, portal: dict[str, Any]) -> list[str]:
        return [item["url"] for item in self.items if item["url"].startswith(portal["home_url"])]


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with Farm.start(tmp_path_factory.mktemp("coverage-farm"), extra_portals=COVERAGE_PORTALS) as running:
        yield running


def run_crawl(farm: Farm, tmp: Path, ids: set[str], render: str, *arguments: str) -> Crawl:
    registry = tmp / "registry.csv"
    with farm.registry_path.open(encoding="utf-8", newline="") as source:
        rows = [row for row in csv.DictReader(source) if row["adcode"] in ids]
    with registry.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    feed = tmp / "items.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "annual_reports",
        "-s", f"GOVREPORTS_REGISTRY={registry}", "-s", f"GOVREPORTS_SITES_FILE={farm.sites_path}",
        "-s", f"GOVREPORTS_DB={tmp / 'state.sqlite3'}", "-s", f"GOVREPORTS_RENDER={render}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "GOVREPORTS_RETRY_BACKOFF=0",
        "-s", "LOG_LEVEL=INFO", "-O", str(feed),
        # the farm's host names (county portal, city platform, Nuxt portal) resolve to loopback
        "-s", "TWISTED_DNS_RESOLVER=govreports_farm.resolver.FarmResolver", "-s", f"FARM_HOSTS={farm.host_rules}",
        "-s", f"GOVREPORTS_BROWSER_HOST_RULES={farm.host_rules}", "-s", "GOVREPORTS_ALLOWED_PRIVATE_NETS=127.0.0.0/8",
        *arguments,
    ]
    env = {**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env, check=False)
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()] if feed.exists() else []
    return Crawl(done.returncode, items, done.stderr, tmp / "state.sqlite3")


@pytest.fixture(scope="module")
def crawl(farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    ids = {JSON_ONLY, PLATFORM, CITY, NUXT, FILES, *SEARCH_APIS.values(), *PAGERS.values()}
    return run_crawl(farm, tmp_path_factory.mktemp("coverage-crawl"), ids, "never")


def test_the_crawl_ends_cleanly(crawl: Crawl) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert "Traceback" not in crawl.log, crawl.log[-5000:]


def test_a_column_listed_only_in_script_data_gives_every_report_exactly_once(farm: Farm, crawl: Crawl) -> None:
    portal = farm.manifest["portals"][JSON_ONLY]
    wanted = {report["url"] for report in portal["reports"]}
    got = crawl.urls_of(portal)
    assert len(wanted) == 10
    assert set(got) == wanted, (sorted(wanted - set(got)), sorted(set(got) - wanted))
    assert not [url for url, count in collections.Counter(got).items() if count > 1]
    assert not set(got) & set(portal["decoys"])


def test_a_new_user_giving_the_home_page_gets_the_json_only_column_too(farm: Farm,
                                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    portal = farm.manifest["portals"][JSON_ONLY]
    adhoc = run_crawl(farm, tmp_path_factory.mktemp("json-only-home"), {JSON_ONLY}, "never",
                      "-a", f"url={portal['home_url']}")
    got = [item["url"] for item in adhoc.items]
    assert sorted(got) == sorted(report["url"] for report in portal["reports"]), adhoc.log[-3000:]


@pytest.mark.parametrize("shape", sorted(SEARCH_APIS))
def test_a_column_filled_by_a_search_api_gives_every_report_exactly_once(farm: Farm, crawl: Crawl, shape: str) -> None:
    portal = farm.manifest["portals"][SEARCH_APIS[shape]]
    wanted = {report["url"] for report in portal["reports"]}
    got = crawl.urls_of(portal)
    assert len(wanted) == 7
    assert set(got) == wanted, (shape, sorted(wanted - set(got)), sorted(set(got) - wanted))
    assert len(got) == len(set(got))
    assert not set(got) & set(portal["decoys"])


@pytest.mark.parametrize("shape", sorted(PAGERS))
def test_a_column_with_a_hidden_or_encrypted_pager_gives_every_report_exactly_once(farm: Farm, crawl: Crawl,
                                                                                  shape: str) -> None:
    portal = farm.manifest["portals"][PAGERS[shape]]
    wanted = {report["url"] for report in portal["reports"]}
    got = crawl.urls_of(portal)
    assert len(wanted) >= 10
    assert set(got) == wanted, (shape, sorted(wanted - set(got)), sorted(set(got) - wanted))
    assert len(got) == len(set(got))
    assert not set(got) & set(portal["decoys"])


def site_status(crawl: Crawl, site_id: str) -> dict[str, Any]:
    with sqlite3.connect(crawl.state_db) as db:
        row = db.execute("SELECT raw FROM site_status WHERE site_id = ?", (site_id,)).fetchone()
    assert row is not None, site_id
    return json.loads(row[0])


def test_a_county_platform_on_the_city_domain_is_crawled_under_the_county_path_only(farm: Farm, crawl: Crawl) -> None:
    portal = farm.manifest["portals"][PLATFORM]
    wanted = {report["url"] for report in portal["reports"]}
    copies = portal["foreign_copies"]
    got = [item["url"] for item in crawl.items
           if ("xxgk.linyi.gov.cn" in item["url"] or "pingyi" in item["url"]) and item["url"] not in copies]
    assert len(wanted) == 8 and all("://xxgk.linyi.gov.cn:" in url for url in wanted)
    assert set(got) == wanted, (sorted(wanted - set(got)), sorted(set(got) - wanted))
    assert len(got) == len(set(got))
    # the neighbouring county's report on the same platform was never fetched, and the refusal is recorded
    assert farm.hits(PLATFORM).get(urlsplit(portal["refused"][0]).path, 0) == 0
    status = site_status(crawl, PLATFORM)
    assert [(p["host"], p["prefix"]) for p in status["platforms"]] == [("xxgk.linyi.gov.cn", "/pingyi/")]
    assert status["platforms"][0]["linked_from"].startswith(portal["home_url"])
    # the home page's other 信息公开 link (a province portal's root) is not taken, and says why
    assert [entry["url"].split(":")[1] for entry in status["platforms_refused"]] == ["//www.shandong.gov.cn"]
    assert status["scope_refused"] == {"platform_path": 1}
    assert any(failure["url"] == portal["refused"][0] and failure["kind"] == "scope_platform_path"
               for failure in status["failures"])


def test_a_higher_level_report_reposted_in_a_county_column_comes_out_once_under_its_own_agency(
        farm: Farm, crawl: Crawl) -> None:
    county, city = farm.manifest["portals"][PLATFORM], farm.manifest["portals"][CITY]
    (copy, original), = county["foreign_copies"].items()
    both = [item for item in crawl.items if item["url"] in (copy, original)]
    assert len(both) == 1, [item["url"] for item in both]
    assert both[0]["agency"] == "临沂市人民政府"
    # the city's own reports are all there, the reposted one at either address
    got = {original if item["url"] == copy else item["url"] for item in crawl.items
           if item["url"].startswith(city["home_url"]) or item["url"] == copy}
    assert got == {report["url"] for report in city["reports"]}


def test_function_computed_nuxt_state_is_left_to_the_browser(farm: Farm, crawl: Crawl) -> None:
    portal = farm.manifest["portals"][NUXT]
    assert not [item for item in crawl.items if item["url"].startswith(portal["home_url"])]
    status = site_status(crawl, NUXT)
    assert "list page with scripts but no report links" in status["render"]["needed_but_off"]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_chromium_reads_the_nuxt_column_through_the_host_resolver_rules(farm: Farm,
                                                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    rendered = run_crawl(farm, tmp_path_factory.mktemp("coverage-browser"), {NUXT}, "auto")
    assert rendered.returncode == 0, rendered.log[-3000:]
    portal = farm.manifest["portals"][NUXT]
    got = [item["url"] for item in rendered.items]
    assert sorted(got) == sorted(report["url"] for report in portal["reports"])
    assert "://www.minqing.gov.cn:" in portal["column_url"]
    assert site_status(rendered, NUXT)["render"]["succeeded"] == 1


def test_reports_published_as_ofd_zip_rtf_and_xlsx_files_give_their_tables(farm: Farm, crawl: Crawl) -> None:
    portal = farm.manifest["portals"][FILES]
    items = {item["url"]: item for item in crawl.items if item["url"].startswith(portal["home_url"])}
    assert set(items) == {report["url"] for report in portal["reports"]}
    for report in portal["reports"]:
        item = items[report["url"]]
        assert [attachment["url"] for attachment in item["attachments"]] == [report["attachment"]]
        tables = {key: value for key, value in report["expected"].items() if key.startswith("tables.")}
        assert tables and not mismatches(item, tables), (report["attachment"], mismatches(item, tables))
