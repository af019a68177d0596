"""RunSummary and the run book: site status into the store, the early-stop oracle, the run's
verdict, the alerts a cron user needs (a column or the reports gone since the last good run, a
site blocked twice in a row)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import scrapy
from scrapy.exceptions import DropItem
from scrapy.extension import ExtensionManager
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from govreports.extensions import RunSummary, format_summary
from govreports.pipelines.dedup import DedupPipeline
from govreports.registry import Site
from govreports.run import RunBook
from govreports.selection import SiteSelection
from govreports.state import SqliteStateStore
from govreports.state.feed import DurableJsonLinesItemExporter
from tests.state.conftest import gaoping_2023, run_state_of, state_settings

GAOPING = Site(id="511803", slug="gaoping.gov.cn", name="高坪区", level="county", province="四川省",
               adcode="511803", home_url="http://www.gaoping.gov.cn/")
XUANHUA = Site(id="130705", slug="xuanhua.gov.cn", name="宣化区", level="county", province="河北省",
               adcode="130705", home_url="http://www.xuanhua.gov.cn/")


class PortalSpider(scrapy.Spider):
    """A spider that selects two sites, as annual_reports does from its arguments."""

    name = "portal_spider"
    selection = SiteSelection(sites=(GAOPING, XUANHUA))


def crawler_with_book(tmp_path: Path, **settings: Any) -> Any:
    """A crawler with its run book and run summary, as `scrapy crawl` builds them."""
    crawler = get_crawler(PortalSpider, settings_dict=state_settings(tmp_path / "s.sqlite3", **settings))
    crawler.stats.open_spider()
    crawler.spider = PortalSpider()
    state = list(crawler.extensions.middlewares)  # the state and archive extensions
    book = build_from_crawler(RunBook, crawler)
    summary = build_from_crawler(RunSummary, crawler)
    crawler.extensions = ExtensionManager(*state, book, summary, crawler=crawler)
    return crawler


def book_of(crawler: Any) -> RunBook:
    return RunBook.of(crawler)


def summary_of(crawler: Any) -> RunSummary:
    extension = crawler.get_extension(RunSummary)
    assert extension is not None
    return extension


def a_good_run(book: RunBook, reports: int = 1) -> None:
    """Gaoping walked its column (3 list pages, reports seen); Xuanhua blocked by a challenge."""
    book.column_found("511803", "http://127.0.0.10/zwgk/zfxxgknb/", "registry")
    book.page("511803", "list"), book.page("511803", "list"), book.page("511803", "list")
    book.stopped("511803", "last_page")
    for _ in range(reports):
        book.report_yielded("511803")
    blocked = book.status("130705")
    blocked.blocked, blocked.blocked_reason = True, "412 cookie challenge"
    book.failed("130705", "http://www.xuanhua.gov.cn/", "blocked", "HTTP 412")


def deliver_one(crawler: Any, feed: Path) -> None:
    pipeline = build_from_crawler(DedupPipeline, crawler)
    with feed.open("ab") as out:
        exporter = build_from_crawler(DurableJsonLinesItemExporter, crawler, out)
        exporter.start_exporting()
        try:
            exporter.export_item(pipeline.process_item(gaoping_2023()))
        except DropItem:  # delivered by an earlier run: unchanged
            pass


def test_site_status_is_stored_and_a_blocked_site_does_not_fail_the_run(tmp_path: Path) -> None:
    feed = tmp_path / "2024-05-01T03-00-00.jsonl"
    crawler = crawler_with_book(tmp_path, GOVREPORTS_RUN_SUMMARY=True)
    book_of(crawler).spider_opened()
    a_good_run(book_of(crawler))
    deliver_one(crawler, feed)
    summary_of(crawler).spider_closed("finished")
    run_state_of(crawler).close()

    summary = json.loads((tmp_path / "2024-05-01T03-00-00.summary.json").read_text(encoding="utf-8"))
    assert summary["failed"] is False and summary["problems"] == []
    assert summary["reports"] == {"new": 1, "changed": 0, "unchanged": 0, "duplicate": 0}
    assert summary["sites_crawled"] == 2
    assert summary["sites_blocked"] == [{"site": "130705", "reason": "412 cookie challenge"}]
    assert summary["feeds"] == [str(feed.resolve())]
    assert summary["sites"]["511803"]["list_pages"] == 3
    assert summary["progress"]["sites_total"] == 2 and summary["progress"]["reports_new"] == 1
    assert crawler.stats.get_value("govreports/run/failed") == 0

    store = SqliteStateStore(tmp_path / "s.sqlite3")
    gaoping = store.site_status("511803")
    assert gaoping is not None and (gaoping.column_url, gaoping.list_pages, gaoping.stop_reasons) == (
        "http://127.0.0.10/zwgk/zfxxgknb/", 3, {"last_page": 1})
    assert store.runs()[0].outcome == "finished"
    store.close()


def test_the_summary_ends_with_the_progress_figures(tmp_path: Path) -> None:
    crawler = crawler_with_book(tmp_path)
    a_good_run(book_of(crawler))
    summary_of(crawler).spider_closed("finished")
    run_state_of(crawler).close()
    summary = summary_of(crawler).summary
    assert summary is not None
    last = format_summary(summary).splitlines()[-1]
    assert last.split() == ["progress", "sites", "2/2", "done,", "reports", "0", "new", "/", "0", "changed", "/", "0",
                            "unchanged,", "1", "failed", "page(s),", "1", "blocked", "site(s),"] + last.split()[19:]
    assert last.endswith("ETA 0:00:00")


def test_a_run_stopped_early_or_where_no_site_got_through_fails(tmp_path: Path) -> None:
    crawler = crawler_with_book(tmp_path)
    for site_id in ("511803", "130705"):
        book_of(crawler).failed(site_id, f"http://{site_id}/", "dns", "DNS lookup failed")
    extension = summary_of(crawler)
    extension.spider_closed("shutdown")
    run_state_of(crawler).close()
    assert extension.summary is not None and extension.summary["failed"]
    assert extension.summary["problems"] == ["finish reason 'shutdown'", "no site got through"]
    assert extension.summary["sites_failed"] == ["511803", "130705"]
    assert crawler.stats.get_value("govreports/run/failed") == 1
    assert "FAILED" in format_summary(extension.summary)
    assert not list(tmp_path.glob("*.summary.json"))  # GOVREPORTS_RUN_SUMMARY is off by default


GAOPING_URL = "http://www.gaoping.gov.cn/zwgk/zfxxgknb/202401/t20240115_3271106.html"


def finished_run(tmp_path: Path, run: Any = a_good_run) -> Any:
    crawler = crawler_with_book(tmp_path)
    book_of(crawler).spider_opened()
    run(book_of(crawler))
    deliver_one(crawler, tmp_path / "a.jsonl")
    summary_of(crawler).spider_closed("finished")
    run_state_of(crawler).close()
    return summary_of(crawler).summary


def opened_run(tmp_path: Path) -> Any:
    crawler = crawler_with_book(tmp_path)
    book_of(crawler).spider_opened()
    return crawler


def test_after_a_clean_run_the_book_knows_the_delivered_reports_for_early_stop(tmp_path: Path) -> None:
    finished_run(tmp_path)
    crawler = opened_run(tmp_path)
    book = book_of(crawler)
    assert book.all_known("511803", [GAOPING_URL.replace("http:", "https:").replace(".html", "_wap.html")])
    assert not book.all_known("511803", [GAOPING_URL, GAOPING_URL.replace("3271106", "9999999")])
    assert not book.all_known("511803", [])
    assert crawler.stats.get_value("govreports/early_stop/settled_sites") == 1  # 130705 is blocked
    run_state_of(crawler).close()


def test_after_a_killed_run_every_column_is_walked_in_full(tmp_path: Path) -> None:
    finished_run(tmp_path)
    killed = crawler_with_book(tmp_path)
    run_state_of(killed).store.close()  # SIGKILL: the run starts and never ends
    crawler = opened_run(tmp_path)
    assert not book_of(crawler).settled and not book_of(crawler).all_known("511803", [GAOPING_URL])
    run_state_of(crawler).close()


def test_a_site_with_failed_pages_last_time_is_not_settled(tmp_path: Path) -> None:
    def failed_pages(book: RunBook) -> None:
        a_good_run(book)
        book.failed("511803", "http://www.gaoping.gov.cn/x.html", "timeout", "timed out")

    finished_run(tmp_path, failed_pages)
    crawler = opened_run(tmp_path)
    assert not book_of(crawler).settled
    run_state_of(crawler).close()


# --- alerts ------------------------------------------------------------------------------------
def test_no_alert_after_two_good_runs_of_a_site(tmp_path: Path) -> None:
    finished_run(tmp_path)
    summary = finished_run(tmp_path, lambda book: a_good_run(book, reports=2))
    assert [a for a in summary["alerts"] if a["site"] == "511803"] == []


def test_a_column_gone_since_the_last_good_run_is_an_alert(tmp_path: Path) -> None:
    finished_run(tmp_path)

    def column_gone(book: RunBook) -> None:
        book.page("511803", "hub")
        book.discovery_settled("511803", hub_budget_left=5)

    summary = finished_run(tmp_path, column_gone)
    alert = next(a for a in summary["alerts"] if a["site"] == "511803")
    assert alert["kind"] == "column_vanished"
    assert "http://127.0.0.10/zwgk/zfxxgknb/" in alert["message"] and "no 年报 link" in alert["message"]


def test_reports_gone_since_the_last_good_run_is_an_alert_even_after_a_blocked_run(tmp_path: Path) -> None:
    finished_run(tmp_path, lambda book: a_good_run(book, reports=7))

    def blocked(book: RunBook) -> None:
        status = book.status("511803")
        status.blocked, status.blocked_reason = True, "waf (HTTP 403)"

    finished_run(tmp_path, blocked)  # a blocked run is not a good run: the good one stays remembered
    summary = finished_run(tmp_path, lambda book: a_good_run(book, reports=0))
    alert = next(a for a in summary["alerts"] if a["site"] == "511803")
    assert alert["kind"] == "reports_vanished" and "saw 7" in alert["message"]


def test_a_site_blocked_twice_in_a_row_is_an_alert_once_it_happens_again(tmp_path: Path) -> None:
    first = finished_run(tmp_path)  # Xuanhua blocked: once is only reported
    assert [a for a in first["alerts"] if a["site"] == "130705"] == []
    second = finished_run(tmp_path)
    alert = next(a for a in second["alerts"] if a["site"] == "130705")
    assert alert["kind"] == "blocked_again" and "2 runs in a row" in alert["message"]
    assert "412 cookie challenge" in alert["message"]
