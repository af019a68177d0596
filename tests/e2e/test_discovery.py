"""End to end: finding each farm portal's 年报 column from nothing but its home page.

`-a url=<home page>` treats a portal as unknown (no registry row): discovery must reach the
manifest's column through the portal's own hubs, redirect stubs and category trees. `-a sites=`
selects registry rows by adcode or slug; unknown ids are reported and the rest goes on.
Crawls keep `-a years=2024` so each run fetches only a few report pages.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govreports_farm import Farm

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
FARM_IDS = ("511303", "431081", "130705", "440307", "150724", "500107")


def crawl(tmp: Path, *arguments: str) -> tuple[subprocess.CompletedProcess[str], list[dict], list[str]]:
    """Run the spider; return the process, the items and the 年报 columns it logged as found."""
    output = tmp / "items.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "annual_reports", *arguments,
        "-s", f"GOVREPORTS_DB={tmp / 'state.sqlite3'}", "-s", "DOWNLOAD_DELAY=0",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "GOVREPORTS_RETRY_BACKOFF=0", "-s", "LOG_LEVEL=INFO",
        "-s", f"GOVREPORTS_SUMMARY_FILE={tmp / 'summary.json'}", "-O", str(output),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    items = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()] if output.exists() else []
    columns = re.findall(r"年报 column (\S+) \(", done.stderr)
    return done, items, columns


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with Farm.start(tmp_path_factory.mktemp("farm")) as running:
        yield running


@pytest.mark.parametrize("portal_id", FARM_IDS)
def test_home_page_alone_leads_to_the_annual_report_column(farm: Farm, portal_id: str, tmp_path: Path) -> None:
    portal = farm.manifest["portals"][portal_id]
    done, items, columns = crawl(tmp_path, "-a", f"url={portal['home_url']}", "-a", "years=2024")
    assert done.returncode == 0, done.stderr[-3000:]
    assert columns and columns[0] == portal["column_url"], (portal["cms"], columns)
    wanted_2024 = {r["url"] for r in portal["reports"] if r["report_year"] == 2024}
    duplicate_of = portal.get("duplicate_of", {})
    got = {duplicate_of.get(item["url"], item["url"]) for item in items}
    assert got == wanted_2024, (sorted(wanted_2024 - got), sorted(got - wanted_2024))
    assert all(item["site"]["id"] == urlsplit(portal["home_url"]).hostname for item in items)
    if portal["cms"] == "subcolumns":  # year sub-columns outside -a years are not walked
        assert "govreports/discovery/subcolumn_outside_years" in done.stderr


def test_a_column_url_given_directly_is_walked_without_discovery(farm: Farm, tmp_path: Path) -> None:
    portal = farm.manifest["portals"]["511303"]
    done, items, columns = crawl(tmp_path, "-a", f"url={portal['column_url']}", "-a", "years=2023-2024")
    assert done.returncode == 0, done.stderr[-3000:]
    assert columns == [portal["column_url"]]
    status = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["sites"]["127.0.0.10"]
    assert status["hub_pages"] == 1  # the column page itself, nothing else
    wanted = {r["url"] for r in portal["reports"] if r["report_year"] in (2023, 2024)}
    assert {item["url"] for item in items} == wanted


def test_sites_are_selected_by_adcode_or_slug_and_unknown_ids_are_reported(farm: Farm, tmp_path: Path) -> None:
    plain, subcolumns = farm.manifest["portals"]["150724"], farm.manifest["portals"]["500107"]
    slug = urlsplit(subcolumns["home_url"]).hostname
    done, items, columns = crawl(
        tmp_path, "-s", f"GOVREPORTS_REGISTRY={farm.registry_path}", "-s", f"GOVREPORTS_SITES_FILE={farm.sites_path}",
        "-a", f"sites=150724,{slug},nowhere", "-a", "years=2024")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "unknown site id 'nowhere'" in done.stderr
    assert sorted(columns) == sorted([plain["column_url"], subcolumns["column_url"]])
    assert {item["site"]["id"] for item in items} == {"150724", "500107"}
    assert "govreports/sites_selected': 2" in done.stderr


def test_a_bad_years_argument_is_named_and_the_run_goes_on(farm: Farm, tmp_path: Path) -> None:
    done, items, _ = crawl(tmp_path, "-s", f"GOVREPORTS_REGISTRY={farm.registry_path}", "-a", "years=2023-2019",
                           "-a", "sites=150724")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "-a years=2023-2019: years '2023-2019': 2023 is after 2019; the year filter is ignored" in done.stderr
    assert len(items) == len(farm.manifest["portals"]["150724"]["reports"])  # every year
