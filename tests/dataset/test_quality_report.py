"""The HTML quality report: one offline file whose charts are really drawn."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from govreports.dataset import Dataset, build_dataset
from govreports.dataset.quality import load_site_status, render_quality_report
from tests.dataset.reports import GAOPING, JIULONGPO, XUANHUA, report_2019, report_2021, report_pre2019, write_feed

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHARTS = ("reports-per-year", "coverage-by-province", "failing-checks-by-rule", "top-agencies")


@pytest.fixture
def dataset(tmp_path: Path) -> Dataset:
    """Three portals over several years, one broken carry-over, one internally inconsistent report."""
    items: list[dict[str, Any]] = [report_pre2019(GAOPING, year) for year in (2016, 2017, 2018)]
    carried = 6
    for year in (2019, 2020, 2021, 2022):  # 高坪 agrees with itself year to year
        make = report_2019 if year < 2021 else report_2021
        extra = {"in_force": 72} if year == 2022 else {}
        items.append(make(GAOPING, year, carried_over=carried, **extra))
        carried = items[-1]["tables"]["applications"]["carried_forward"]["total"]
    items += [report_2019(JIULONGPO, 2020, carried_forward=3)]  # natural persons do not balance
    items += [report_2021(JIULONGPO, 2021, carried_over=9)]  # 2020 carried forward 3
    items += [report_2021(XUANHUA, 2023)]
    feed = write_feed(tmp_path / "feed.jsonl", items, extra_lines=("{truncated",))
    return build_dataset([feed])


@pytest.fixture
def site_status(tmp_path: Path) -> dict[str, dict[str, Any]]:
    path = tmp_path / "status.json"
    path.write_text(json.dumps({
        "511803": {"name": "南充市高坪区人民政府", "province": "四川省", "column_url": "http://127.0.0.10/ndbg/", "reports_yielded": 7},
        # the spider's own shape: site under `site`, why no column in `discovery`
        "510722": {"site": {"id": "510722", "name": "三台县人民政府", "adcode": "510722", "province": "四川省", "level": "county"},
                   "column_url": None, "discovery": "no_column: no 年报 link on the home page", "reports_yielded": 0},
        "510781": {"name": "江油市人民政府", "province": "四川省", "column_url": "http://127.0.0.11/ndbg/", "reports_yielded": 0},
        "500107": {"province": "重庆市", "column_url": "http://127.0.0.12/ndbg/", "reports_yielded": 2},
    }, ensure_ascii=False), encoding="utf-8")
    status, problems = load_site_status(path)
    assert problems == []
    return status


def _marks(page: lxml.html.HtmlElement, chart: str) -> list[lxml.html.HtmlElement]:
    return page.xpath(f'//svg[@data-chart="{chart}"]//*[contains(concat(" ", @class, " "), " mark ")]')


def test_report_is_one_self_contained_file(dataset: Dataset, site_status) -> None:
    html = render_quality_report(dataset, site_status=site_status)
    page = lxml.html.fromstring(html)
    assert not page.xpath("//script[@src] | //link | //img | //iframe | //*[@src]")
    assert "url(" not in "".join(page.xpath("//style/text()"))
    assert [svg.get("data-chart") for svg in page.xpath("//svg[@class='chart']")] == list(CHARTS)


def test_every_chart_has_marks_for_the_data(dataset: Dataset, site_status) -> None:
    page = lxml.html.fromstring(render_quality_report(dataset, site_status=site_status))
    per_year = {m.findtext("title") for m in _marks(page, "reports-per-year")}
    assert {"2018 · pre2019: 1", "2020 · 2019: 2", "2021 · 2021: 2", "2023 · 2021: 1"} <= per_year
    coverage = {m.findtext("title") for m in _marks(page, "coverage-by-province")}
    assert {"四川省 · portals: 3", "四川省 · column found: 2", "四川省 · with reports: 1",
            "重庆市 · portals: 1", "河北省 · with reports: 1"} <= coverage
    rules = {m.findtext("title") for m in _marks(page, "failing-checks-by-rule")}
    assert rules == {"applications.balance.natural_person · failing: 1", "applications.balance.total · failing: 1",
                     "continuity.carried_over · failing: 1"}
    agencies = [m.findtext("title") for m in _marks(page, "top-agencies")]
    assert agencies == ["重庆市九龙坡区人民政府 · failing checks: 3"]


def test_tables_link_to_the_source_pages_and_list_feed_problems(dataset: Dataset, site_status) -> None:
    page = lxml.html.fromstring(render_quality_report(dataset, site_status=site_status))
    continuity_links = page.xpath('//table[@id="continuity"]//a/@href')
    broken = next(c for c in dataset.checks if not c.ok)
    assert continuity_links == [broken.previous_url, broken.current_url]
    assert page.xpath('//table[@id="failing-reports"]//a/@href') == [
        r.item["url"] for r in dataset.records if r.item["site"]["id"] == "500107" and r.item["report_year"] == 2020
    ]
    problems = page.xpath('//table[@id="problems"]//td/text()')
    assert any("malformed JSON" in text for text in problems)
    assert page.xpath('//table[@id="no-column"]//td/text()') == [
        "510722", "三台县人民政府", "四川省", "no_column: no 年报 link on the home page"]


def test_without_site_status_coverage_comes_from_the_feed(dataset: Dataset) -> None:
    page = lxml.html.fromstring(render_quality_report(dataset))
    coverage = {m.findtext("title") for m in _marks(page, "coverage-by-province")}
    assert "四川省 · portals: 1" in coverage and "四川省 · with reports: 1" in coverage
    assert not page.xpath('//table[@id="no-column"]')


def test_an_empty_dataset_still_renders_every_chart_saying_no_data(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "empty.jsonl", [])
    page = lxml.html.fromstring(render_quality_report(build_dataset([feed])))
    assert len(page.xpath("//svg[@class='chart']")) == 4
    assert page.xpath("//svg[@class='chart']//text()") == ["no data"] * 4


def _render_in_chromium(path: Path, screenshot: Path) -> dict[str, Any]:
    """Open the file in headless Chromium (offline) and read back what was drawn."""
    from playwright.sync_api import sync_playwright

    result: dict[str, Any] = {"errors": [], "requests": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("pageerror", lambda error: result["errors"].append(str(error)))
            page.on("console", lambda msg: msg.type == "error" and result["errors"].append(msg.text))
            page.on("request", lambda request: result["requests"].append(request.url))
            page.goto(path.as_uri(), wait_until="load")
            result["charts"] = page.evaluate(
                """() => Array.from(document.querySelectorAll('svg.chart')).map(svg => {
                    const marks = Array.from(svg.querySelectorAll('.mark'));
                    const box = svg.getBoundingClientRect();
                    return {name: svg.dataset.chart, marks: marks.length, width: box.width, height: box.height,
                            drawn: marks.filter(m => { const b = m.getBBox(); return b.width > 0 && b.height > 0; }).length};
                })"""
            )
            result["script_ran"] = page.evaluate("() => document.body.dataset.charts")
            page.click("#failing-reports th:nth-child(1)")  # the sort script works
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return result


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None, reason="needs /usr/bin/chromium")
def test_report_renders_in_headless_chromium_with_every_chart_drawn(dataset: Dataset, site_status, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(render_quality_report(dataset, site_status=site_status), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "dataset-quality-report.png"
    outcome: dict[str, Any] = {}

    def run() -> None:  # Playwright's sync API refuses to run on a thread with an event loop
        try:
            outcome.update(_render_in_chromium(report, screenshot))
        except Exception as exc:  # noqa: BLE001 - re-raised in the test thread
            outcome["exception"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "exception" in outcome:
        raise outcome["exception"]
    assert outcome["errors"] == []
    assert outcome["requests"] == [report.as_uri()], "the report must not fetch anything"
    assert outcome["script_ran"] == "4"
    charts = {chart["name"]: chart for chart in outcome["charts"]}
    assert list(charts) == list(CHARTS)
    for name, chart in charts.items():
        assert chart["width"] > 0 and chart["height"] > 0, name
        assert chart["marks"] > 0 and chart["drawn"] == chart["marks"], name
    assert screenshot.stat().st_size > 10_000


def test_a_run_summary_serves_as_the_site_status(tmp_path: Path) -> None:
    from govreports.state.base import SiteStatus

    found = SiteStatus("511303", name="高坪区", province="四川省", column_url="http://x/nb/", reports_seen=3)
    blocked = SiteStatus("130705", name="宣化区", province="河北省", blocked=True, blocked_reason="ruishu (HTTP 412)")
    path = tmp_path / "run.summary.json"
    path.write_text(json.dumps({"finish_reason": "finished", "sites": {s.site_id: s.to_json() for s in (found, blocked)}},
                               ensure_ascii=False), encoding="utf-8")
    status, problems = load_site_status(path)
    assert problems == [] and set(status) == {"511303", "130705"}
    assert status["511303"]["province"] == "四川省" and status["130705"]["reason"] == "ruishu (HTTP 412)"
