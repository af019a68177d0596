"""ParsePipeline parses in worker processes: the same item as in-process, and a dying worker loses nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from govreports.build import item_from_page
from govreports.checks import run_checks
from govreports.items import ReportItem, ReportPage
from govreports.parsing.limits import hard_time_limit
from govreports.pipelines.parse import (
    PARSE_ATTEMPTS,
    ParsePipeline,
    default_parse_processes,
)

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


def xuanhua_page(**hints: Any) -> ReportPage:
    """宣化区's 2019 report (Hanweb page, 2019-format tables)."""
    return ReportPage(url="http://www.xuanhua.gov.cn/art/2020/2/19/art_1583_997006845.html",
                      body=(PAGES / "002_xuanhua_hanweb.html").read_bytes(), site={"id": "130705"},
                      media_type="text/html", headers={}, declared_encoding=None, hints=dict(hints),
                      attachments=[], rendered=False, fetched_at="2026-11-22T00:00:00+00:00")


def die_on_first_attempt(page: ReportPage) -> ReportItem:
    """Kill the worker the first time it sees the page (the marker file says it has been here)."""
    marker = Path(page.hints["marker"])
    if not marker.exists():
        marker.write_text("died here once")
        os._exit(1)
    return item_from_page(page)


def die_always(page: ReportPage) -> ReportItem:
    os._exit(1)


def report_whether_the_hard_limit_is_armed(page: ReportPage) -> ReportItem:
    """A stand-in parser that says whether a hard time limit can be armed where it runs."""
    with hard_time_limit(30) as armed:
        return ReportItem(url=page.url, title="宣化区2019年政府信息公开工作年度报告", warnings=[f"hard limit armed: {armed}"])


def pipeline(processes: int, **kwargs: Any) -> ParsePipeline:
    crawler = get_crawler()
    crawler.stats.open_spider()  # type: ignore[union-attr]
    return ParsePipeline(crawler, processes, **kwargs)


async def process(parse_pipeline: ParsePipeline, page: ReportPage) -> Any:
    return await Deferred.fromFuture(asyncio.ensure_future(parse_pipeline.process_item(page)))


def test_the_default_keeps_one_core_for_the_crawl_and_parses_in_at_least_one_worker() -> None:
    assert default_parse_processes() == max(1, len(os.sched_getaffinity(0)) - 1)
    crawler = get_crawler(settings_dict={"GOVREPORTS_PARSE_PROCESSES": "0"})
    assert ParsePipeline.from_crawler(crawler).processes == 0


@pytest_twisted.ensureDeferred
async def test_a_report_parsed_in_a_worker_process_equals_the_in_process_parse() -> None:
    in_workers, in_threads = pipeline(1), pipeline(0)
    try:
        from_worker = await process(in_workers, xuanhua_page())
        from_thread = await process(in_threads, xuanhua_page())
    finally:
        in_workers.close_spider()
    assert dataclasses.asdict(from_worker) == dataclasses.asdict(from_thread)
    assert from_worker.tables["applications"] and from_worker.report_year == 2019
    assert in_workers.stats.get_value("govreports/parsed") == 1
    assert in_workers.stats.get_value("govreports/parse/processes") == 1


@pytest_twisted.ensureDeferred
async def test_a_worker_that_dies_is_replaced_and_the_page_parsed_again(tmp_path: Path) -> None:
    parse_pipeline = pipeline(1, parse=die_on_first_attempt)
    try:
        item = await process(parse_pipeline, xuanhua_page(marker=str(tmp_path / "marker")))
        again = await process(parse_pipeline, xuanhua_page(marker=str(tmp_path / "marker")))
    finally:
        parse_pipeline.close_spider()
    assert item.report_year == 2019 and not any("parse failed" in warning for warning in item.warnings)
    assert again.report_year == 2019
    assert parse_pipeline.stats.get_value("govreports/parse/worker_lost") == 1
    assert parse_pipeline.stats.get_value("govreports/parse/failed") is None


@pytest_twisted.ensureDeferred
async def test_a_page_that_kills_every_worker_becomes_an_item_with_a_parse_failed_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    parse_pipeline = pipeline(1, parse=die_always)
    try:
        item = await process(parse_pipeline, xuanhua_page(link_text="宣化区2019年政府信息公开工作年度报告"))
    finally:
        parse_pipeline.close_spider()
    assert item.url.endswith("art_1583_997006845.html") and item.title == "宣化区2019年政府信息公开工作年度报告"
    assert any(warning.startswith("parse failed: BrokenProcessPool") for warning in item.warnings)
    assert parse_pipeline.stats.get_value("govreports/parse/worker_lost") == PARSE_ATTEMPTS
    assert parse_pipeline.stats.get_value("govreports/parse/failed") == 1
    assert "parse worker died" in caplog.text


@pytest_twisted.ensureDeferred
async def test_the_hard_time_limit_applies_in_worker_processes_and_not_in_the_thread_pool() -> None:
    in_workers = pipeline(1, parse=report_whether_the_hard_limit_is_armed)
    in_threads = pipeline(0, parse=report_whether_the_hard_limit_is_armed)
    try:
        from_worker = await process(in_workers, xuanhua_page())
    finally:
        in_workers.close_spider()
    from_thread = await process(in_threads, xuanhua_page())
    assert from_worker.warnings == ["hard limit armed: True"]
    assert from_thread.warnings == ["hard limit armed: False"]


ORPHAN_SCRIPT = """
import os, sys, time
from scrapy.utils.test import get_crawler
from govreports.pipelines.parse import ParsePipeline
pipeline = ParsePipeline(get_crawler(), 1)
print(pipeline._pool().submit(os.getpid).result(), flush=True)
time.sleep(600)
"""


def test_a_killed_crawl_leaves_no_parse_worker_behind() -> None:
    crawl = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
    try:
        worker = int(crawl.stdout.readline())  # type: ignore[union-attr]
        os.kill(worker, 0)  # running
    finally:
        crawl.kill()  # SIGKILL: no chance to shut the pool down
        crawl.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    pytest.fail(f"parse worker {worker} outlived the killed crawl")


@pytest_twisted.ensureDeferred
async def test_checks_are_run_in_the_worker_and_only_counted_by_validate() -> None:
    from govreports.pipelines.validate import ValidatePipeline

    in_workers = pipeline(1)
    try:
        item = await process(in_workers, xuanhua_page())
    finally:
        in_workers.close_spider()
    assert item.checks  # computed in the worker process
    assert item.checks == run_checks(item.tables, item.figures, item.format)
    crawler = get_crawler()
    crawler.stats.open_spider()  # type: ignore[union-attr]
    validate = ValidatePipeline(crawler)
    marked = [{**check, "from_worker": True} for check in item.checks]
    item.checks = marked
    validate.process_item(item)
    assert item.checks is marked  # consumed as they came, not run again
    assert crawler.stats.get_value("govreports/checks/run") == len(marked)  # type: ignore[union-attr]


def test_a_parse_worker_imports_no_scrapy_or_twisted() -> None:
    """The worker has what the forkserver preloaded, not the crawl's libraries: its initializer
    lives outside the Scrapy pipelines (each worker would otherwise import Scrapy privately)."""
    in_workers = pipeline(1)
    try:
        loaded = in_workers._pool().submit(
            eval, "sorted({name.split('.')[0] for name in __import__('sys').modules} & {'scrapy', 'twisted'})"
        ).result(timeout=60)
    finally:
        in_workers.close_spider()
    assert loaded == []


REAL_WORLD = Path(__file__).resolve().parent / "fixtures" / "real-world"


def real_world_item(name: str) -> ReportItem:
    path = REAL_WORLD / name
    return item_from_page(ReportPage(url=path.as_uri(), body=path.read_bytes(), media_type="text/plain"))


@pytest.mark.parametrize("name", ["nanping-2012.txt", "lishui-2017.txt", "conghua-devzone-2022.txt",
                                  "suzhou-ah-2016.txt", "daying-2020.txt", "qiaokou-office-2024.txt",
                                  "huaihua-county-2022-hant.txt"])
def test_real_untitled_reports_are_passed_on_not_dropped(name: str) -> None:
    """Real reports whose text carries no report title (the heading is outside it, or split over two
    lines) and no table numbers: the body's sections or statistics period keep them; the pipeline
    used to drop 14 of the dev set's reports as 'not an annual report'."""
    item = real_world_item(name)
    assert pipeline(0).accept(ReportPage(url=item.url, body=b""), item) is item


@pytest.mark.parametrize("name", ["zizhou-statistics-2023.txt", "weixian-interpretation-2023.txt",
                                  "doc-office-summary-2023.txt"])
def test_real_pages_that_are_not_reports_are_still_dropped(name: str) -> None:
    from scrapy.exceptions import DropItem

    with pytest.raises(DropItem, match="not an annual report"):
        pipeline(0).accept(ReportPage(url="http://x.gov.cn/a.html", body=b""), real_world_item(name))
