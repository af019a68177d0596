"""Harvesting on several machines: one Redis, N workers, a shared frontier and shared state.

`GOVREPORTS_REDIS_URL` (e.g. `redis://10.0.0.5:6379/0`) switches a crawl to cluster mode through
`ClusterAddon` (in `ADDONS`); without it nothing here is active and the single-machine crawl
(memory scheduler, SQLite state) is unchanged.

In cluster mode
- the request queue and the request fingerprints live in Redis (`RedisScheduler` over
  `RedisFrontier`): every worker takes requests from the same queue, each request is fetched by
  one worker, and a request is leased until that worker has fully handled it, so a worker that
  dies leaves its unfinished requests to the others (`govreports.cluster.scheduler`);
- the report state (dedup, revisions, claims, site status) lives in Redis too
  (`govreports.state.redis.RedisStateStore`, unless `GOVREPORTS_STATE_STORE` says otherwise), with
  an atomic claim so two workers never both emit the same report;
- workers do not push the spider's start requests: `scrapy seed` does, once per crawl (cron on
  one node), and `ClusterStartMiddleware` drops them in workers (count:
  `govreports/cluster/start_requests_not_seeded`);
- each worker writes its own feed (`-O output/$(hostname)-$$.jsonl`); `scrapy merge` (or
  `scrapy dataset` directly) combines them, one line per report at its latest revision.

The spider's site-level state that callbacks need travels in the requests (`cb_kwargs`:
`site_id`, the list-page state `PageRequest`, the pending `ReportPage` and its attachment links),
so any worker can continue any site; column walks lost with a worker restart fresh
(`AnnualReportsSpider._walk_for`). Every worker must know every seeded site (same `-a` arguments
as `scrapy seed`, or none); a worker that does not refuses to take requests. A worker started while
nothing is seeded says so at once (naming `scrapy seed` and its own `-a` arguments), waits
`GOVREPORTS_CLUSTER_WAIT_FOR_SEED`, and when it gives up having done nothing closes with the
reason `cluster_not_seeded`: `scrapy crawl` then exits 1 (govreports/commands/crawl.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

SCHEDULER = "govreports.cluster.scheduler.RedisScheduler"
STATE_STORE = "govreports.state.redis.RedisStateStore"
START_MIDDLEWARE = "govreports.cluster.ClusterStartMiddleware"


class ClusterAddon:
    """With `GOVREPORTS_REDIS_URL` set: the Redis scheduler, the Redis state store, no start requests."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("GOVREPORTS_REDIS_URL"):
            return
        settings.set("SCHEDULER", SCHEDULER, "addon")
        if not settings.get("GOVREPORTS_STATE_STORE"):
            # the project module declares it empty (= "SQLite, or Redis in cluster mode") at project
            # priority, above the add-on's: fill the empty value at the priority it was set with
            settings.set("GOVREPORTS_STATE_STORE", STATE_STORE, settings.getpriority("GOVREPORTS_STATE_STORE") or "addon")
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", ClusterStartMiddleware, 10)


class ClusterStartMiddleware(BaseSpiderMiddleware):
    """In a worker, the spider's start requests are `scrapy seed`'s job: drop (and count) them."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.seed = crawler.settings.getbool("GOVREPORTS_CLUSTER_SEED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterStartMiddleware:
        if not crawler.settings.get("GOVREPORTS_REDIS_URL"):
            raise NotConfigured("no GOVREPORTS_REDIS_URL")
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        not_seeded = 0
        async for entry in start:
            if isinstance(entry, Request) and not self.seed:
                not_seeded += 1
                continue
            yield entry
        if not_seeded and self.crawler.stats is not None:
            self.crawler.stats.inc_value("govreports/cluster/start_requests_not_seeded", not_seeded)
