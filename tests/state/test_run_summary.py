"""RunSummary: site status into the store, early-stop oracle for the spider, the run's verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import scrapy
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from govreports.extensions import RunSummary, format_summary
from govreports.pipelines.dedup import DedupPipeline
from govreports.state import SqliteStateStore
from govreports.state.feed import DurableJsonLinesItemExporter
from tests.state.conftest import gaoping_2023, run_state_of, state_settings


class PortalSpider(scrapy.Spider):
    name = "portal_spider"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_url = None
        self.site_status: dict[str, dict[str, Any]] = {
            "511803": {"column_url": "http://127.0.0.10/zwgk/zfxxgknb/", "list_pages": 3, "reports_yielded": 1,
                       "pages_failed": 0, "stop_reasons": {"last_page": 1}, "blocked": False},
            "130705": {"column_url": None, "list_pages": 0, "reports_yielded": 0, "pages_failed": 1,
                       "stop_reasons": {}, "blocked": True, "blocked_reason": "412 cookie challenge"},
        }


def crawler_with_spider(tmp_path: Path, **settings: Any) -> Any:
    crawler = get_crawler(PortalSpider, settings_dict=state_settings(tmp_path / "s.sqlite3", **settings))
    crawler.stats.open_spider()
    crawler.spider = PortalSpider()
    return crawler


def deliver_one(crawler: Any, feed: Path) -> None:
    pipeline = build_from_crawler(DedupPipeline, crawler)
    with feed.open("ab") as out:
        exporter = build_from_crawler(DurableJsonLinesItemExporter, crawler, out)
        exporter.start_exporting()
        exporter.export_item(pipeline.process_item(gaoping_2023()))


def test_site_status_is_stored_and_a_blocked_site_does_not_fail_the_run(tmp_path: Path) -> None:
    feed = tmp_path / "2024-05-01T03-00-00.jsonl"
    crawler = crawler_with_spider(tmp_path, GOVREPORTS_RUN_SUMMARY=True)
    extension = build_from_crawler(RunSummary, crawler)
    deliver_one(crawler, feed)
    extension.spider_closed("finished")
    run_state_of(crawler).close()

    summary = json.loads((tmp_path / "2024-05-01T03-00-00.summary.json").read_text(encoding="utf-8"))
    assert summary["failed"] is False and summary["problems"] == []
    assert summary["reports"] == {"new": 1, "changed": 0, "unchanged": 0, "duplicate": 0}
    assert summary["sites_crawled"] == 2
    assert summary["sites_blocked"] == [{"site": "130705", "reason": "412 cookie challenge"}]
    assert summary["feeds"] == [str(feed.resolve())]
    assert crawler.stats.get_value("govreports/run/failed") == 0

    store = SqliteStateStore(tmp_path / "s.sqlite3")
    gaoping = store.site_status("511803")
    assert gaoping is not None and (gaoping.column_url, gaoping.list_pages, gaoping.stop_reasons) == (
        "http://127.0.0.10/zwgk/zfxxgknb/", 3, ("last_page",))
    assert store.runs()[0].outcome == "finished"
    store.close()


def test_a_run_stopped_early_or_where_no_site_got_through_fails(tmp_path: Path) -> None:
    crawler = crawler_with_spider(tmp_path)
    crawler.spider.site_status = {"511803": {"column_url": None, "pages_failed": 4, "reports_yielded": 0}}
    extension = build_from_crawler(RunSummary, crawler)
    extension.spider_closed("shutdown")
    run_state_of(crawler).close()
    assert extension.summary is not None and extension.summary["failed"]
    assert extension.summary["problems"] == ["finish reason 'shutdown'", "no site got through"]
    assert extension.summary["sites_failed"] == ["511803"]
    assert crawler.stats.get_value("govreports/run/failed") == 1
    assert "FAILED" in format_summary(extension.summary)
    assert not list(tmp_path.glob("*.summary.json"))  # GOVREPORTS_RUN_SUMMARY is off by default


GAOPING_URL = "http://www.gaoping.gov.cn/zwgk/zfxxgknb/202401/t20240115_3271106.html"


def finished_run(tmp_path: Path, site_status: dict[str, dict[str, Any]] | None = None) -> None:
    crawler = crawler_with_spider(tmp_path)
    if site_status is not None:
        crawler.spider.site_status = site_status
    extension = build_from_crawler(RunSummary, crawler)
    deliver_one(crawler, tmp_path / "a.jsonl")
    extension.spider_closed("finished")
    run_state_of(crawler).close()


def opened_run(tmp_path: Path) -> Any:
    crawler = crawler_with_spider(tmp_path)
    build_from_crawler(RunSummary, crawler).spider_opened()
    return crawler


def test_after_a_clean_run_the_spider_gets_a_known_url_oracle_for_early_stop(tmp_path: Path) -> None:
    finished_run(tmp_path)
    crawler = opened_run(tmp_path)
    known = crawler.spider.known_url
    assert known is not None
    assert known(GAOPING_URL.replace("http:", "https:").replace(".html", "_wap.html"))
    assert not known(GAOPING_URL.replace("3271106", "9999999"))
    assert crawler.stats.get_value("govreports/early_stop/settled_sites") == 1  # 130705 is blocked
    run_state_of(crawler).close()


def test_after_a_killed_run_every_column_is_walked_in_full(tmp_path: Path) -> None:
    finished_run(tmp_path)
    killed = crawler_with_spider(tmp_path)
    run_state_of(killed).store.close()  # SIGKILL: the run starts and never ends
    crawler = opened_run(tmp_path)
    assert crawler.spider.known_url is None
    run_state_of(crawler).close()


def test_a_site_with_failed_pages_last_time_is_not_settled(tmp_path: Path) -> None:
    finished_run(tmp_path, {"511803": {"column_url": "http://127.0.0.10/zwgk/", "pages_failed": 2,
                                       "reports_yielded": 5}})
    crawler = opened_run(tmp_path)
    assert crawler.spider.known_url is None
    run_state_of(crawler).close()
