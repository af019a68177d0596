"""The dataset built from a real crawl of the sample portal farm.

The farm's manifest is the ground truth: every item of the crawl must obey the JSON Schema, and
the cross-year checks must fail exactly for the consecutive-year pairs whose published numbers
disagree (the farm's deliberate `continuity_break` among them) — no more, no fewer.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest

from govreports.schema import validate_item

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def _path(url: str) -> str:
    """Ports differ between runs (and the manifest may record a placeholder port): compare by host+path."""
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}"


@pytest.fixture(scope="module")
def farm_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    from govreports_farm import Farm

    run_dir = tmp_path_factory.mktemp("farm")
    feed = run_dir / "feed.jsonl"
    with Farm.start(run_dir) as farm:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "annual_reports",
             "-s", f"GOVREPORTS_REGISTRY={farm.registry_path}", "-s", f"GOVREPORTS_SITES_FILE={farm.sites_path}",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"GOVREPORTS_DB={run_dir / 'state.sqlite3'}",
             "-s", "LOG_LEVEL=WARNING", "-O", str(feed)],
            cwd=ROOT, capture_output=True, text=True, timeout=900,
        )
        manifest = farm.manifest
    assert result.returncode == 0, result.stderr[-3000:]
    assert feed.exists() and feed.stat().st_size > 0, result.stderr[-3000:]
    return feed, manifest


def _stated_continuity(manifest: dict[str, Any]) -> dict[tuple[str, str, int], bool]:
    """(portal, agency, year N) → do the published carried-over (N) and carried-forward (N−1)
    totals agree, for every consecutive pair where the manifest states both values.

    Keyed by agency and year rather than URL: a report posted twice may be kept at either URL."""
    pairs: dict[tuple[str, str, int], bool] = {}
    for portal_id, portal in manifest["portals"].items():
        by_agency: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        for report in portal["reports"]:
            by_agency[report["agency"]][report["report_year"]] = report
        for agency, years in by_agency.items():
            for year, report in years.items():
                previous = years.get(year - 1)
                if previous is None:
                    continue
                carried_over = report["expected"].get("tables.applications.carried_over")
                carried_forward = previous["expected"].get("tables.applications.carried_forward")
                if carried_over is None or carried_forward is None:
                    continue
                pairs[(portal_id, agency, year)] = carried_over[-1] == carried_forward[-1]
    return pairs


def _report_at(manifest: dict[str, Any], url: str) -> tuple[str, str, int]:
    for portal_id, portal in manifest["portals"].items():
        for report in portal["reports"]:
            if _path(report["url"]) == _path(url):
                return portal_id, report["agency"], report["report_year"]
    raise AssertionError(f"{url} is not a manifest report")


def test_every_item_of_the_farm_crawl_obeys_the_schema(farm_crawl) -> None:
    feed, _ = farm_crawl
    problems = []
    for number, line in enumerate(feed.read_text(encoding="utf-8").splitlines(), start=1):
        problems += [f"line {number}: {error}" for error in validate_item(json.loads(line))]
    assert problems == []


def test_dataset_of_the_farm_finds_exactly_the_broken_continuity(farm_crawl, tmp_path: Path) -> None:
    feed, manifest = farm_crawl
    out, checks, report = tmp_path / "farm.csv", tmp_path / "checks.csv", tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "dataset", str(feed), "-o", str(out), "--checks", str(checks), "--report", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines() if line.strip()]
    with open(out, encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len({item["id"] for item in items})

    with open(checks, encoding="utf-8", newline="") as stream:
        carried = [row for row in csv.DictReader(stream) if row["rule"] == "continuity.carried_over"]
    checked = {(r["site"], r["agency"], int(r["current_year"])): r["ok"] == "true" for r in carried}
    breaks = [p["continuity_break"] for p in manifest["portals"].values() if p.get("continuity_break")]
    assert breaks, "the farm should publish a continuity break"
    for previous_url, current_url in breaks:
        portal_id, agency, year = _report_at(manifest, current_url)
        assert _report_at(manifest, previous_url) == (portal_id, agency, year - 1)
        assert checked[(portal_id, agency, year)] is False
    stated = _stated_continuity(manifest)
    assert {pair: checked.get(pair) for pair in stated} == stated  # every stated pair checked, same verdict
    assert sum(stated.values()) > 0 and not all(stated.values())

    page = lxml.html.fromstring(report.read_text(encoding="utf-8"))
    for chart in page.xpath("//svg[@class='chart']"):
        assert chart.xpath(".//*[contains(@class, 'mark')]"), chart.get("data-chart")
