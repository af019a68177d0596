"""RedisScheduler as a component (real Redis, a real spider, no engine): the shared dupefilter with
canonical fingerprints, and requests that cannot travel staying in the worker instead of vanishing."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from govreports.cluster.scheduler import RedisScheduler
from govreports.spiders.annual_reports import AnnualReportsSpider
from govreports_farm import Farm
from tests.cluster.conftest import RedisServer, requires_redis
from tests.crawlers import with_defaults

pytestmark = [pytest.mark.redis, requires_redis]


def scheduler_for(farm: Farm, server: RedisServer) -> RedisScheduler:
    crawler = get_crawler(AnnualReportsSpider, settings_dict=with_defaults(
        GOVREPORTS_REGISTRY=str(farm.registry_path), GOVREPORTS_SITES_FILE=str(farm.sites_path),
        GOVREPORTS_REDIS_URL=server.url, REQUEST_FINGERPRINTER_CLASS="govreports.urls.CanonicalRequestFingerprinter",
    ))
    crawler.spider = AnnualReportsSpider.from_crawler(crawler)
    crawler.stats.open_spider()  # type: ignore[union-attr]
    scheduler = RedisScheduler.from_crawler(crawler)
    scheduler.spider = crawler.spider  # what open() sets, without starting the heartbeat thread
    scheduler.worker = f"test-{id(scheduler)}"
    return scheduler


def test_one_report_page_in_two_spellings_is_fetched_by_one_worker_only(farm: Farm, redis_server: RedisServer) -> None:
    first, second = scheduler_for(farm, redis_server), scheduler_for(farm, redis_server)
    url = "http://127.0.0.10/zwgk/zfxxgknb/202401/t20240115_3271106.html"
    assert first.enqueue_request(Request(url, callback=first.spider.parse_report))  # type: ignore[union-attr]
    mobile_twin = "https://127.0.0.10/zwgk/zfxxgknb/202401/t20240115_3271106_wap.html?utm_source=wx"
    assert not second.enqueue_request(Request(mobile_twin, callback=second.spider.parse_report))  # type: ignore[union-attr]
    assert second.stats.get_value("dupefilter/filtered") == 1
    leased = second.next_request()  # the other worker may well be the one that fetches it
    assert leased is not None and leased.url == url and leased.callback == second.spider.parse_report  # type: ignore[union-attr]
    assert first.next_request() is None


def test_a_request_that_cannot_be_shared_stays_with_its_worker(farm: Farm, redis_server: RedisServer) -> None:
    scheduler = scheduler_for(farm, redis_server)
    odd = Request("http://127.0.0.10/", callback=lambda response: None, dont_filter=True)
    assert scheduler.enqueue_request(odd)
    assert scheduler.stats.get_value("govreports/cluster/unserializable") == 1
    assert scheduler.frontier.queued() == 0 and scheduler.has_pending_requests()
    assert scheduler.next_request() is odd
