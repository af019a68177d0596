"""BenchProbe: a Scrapy extension that writes what a benchmark crawl did to a JSON file.

Enabled by the benchmark harness only (`GOVREPORTS_BENCH_OUT=<path>`; without it the extension is
not configured). At spider close it writes the crawl's stats, the seconds between the first and
the last response (the steady-state window pages/s is measured over), the seconds from spider
open to close, the process's CPU seconds and its peak RSS, and per host the seconds its requests
spent in the downloader (reached → left: what it held of CONCURRENT_REQUESTS) and the most
requests in the downloader at once.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response


class BenchProbe:
    def __init__(self, crawler: Crawler, out: Path) -> None:
        self.crawler = crawler
        self.out = out
        self.opened = 0.0
        self.first_response: float | None = None
        self.last_response: float | None = None
        self.in_downloader: dict[int, tuple[str, float]] = {}
        self.held_s: dict[str, float] = {}
        self.most_in_downloader = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BenchProbe:
        out = crawler.settings.get("GOVREPORTS_BENCH_OUT")
        if not out:
            raise NotConfigured("GOVREPORTS_BENCH_OUT not set")
        probe = cls(crawler, Path(out))
        crawler.signals.connect(probe.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(probe.response_received, signal=signals.response_received)
        crawler.signals.connect(probe.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(probe.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(probe.request_left_downloader, signal=signals.request_left_downloader)
        return probe

    def request_reached_downloader(self, request: Request) -> None:
        self.in_downloader[id(request)] = (urlsplit(request.url).hostname or "", time.monotonic())
        self.most_in_downloader = max(self.most_in_downloader, len(self.in_downloader))

    def request_left_downloader(self, request: Request) -> None:
        entered = self.in_downloader.pop(id(request), None)
        if entered is not None:
            host, since = entered
            self.held_s[host] = self.held_s.get(host, 0.0) + time.monotonic() - since

    def spider_opened(self) -> None:
        self.opened = time.monotonic()

    def response_received(self, response: Response) -> None:
        now = time.monotonic()
        if self.first_response is None:
            self.first_response = now
        self.last_response = now

    def spider_closed(self, reason: str) -> None:
        closed = time.monotonic()
        assert self.crawler.stats is not None
        stats: dict[str, Any] = self.crawler.stats.get_stats()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        report = {
            "reason": reason,
            "open_to_close_s": closed - self.opened,
            "response_window_s": (self.last_response - self.first_response)
            if self.first_response is not None and self.last_response is not None else 0.0,
            "peak_rss_kb": usage.ru_maxrss,
            "cpu_s": usage.ru_utime + usage.ru_stime,     # every thread: the reactor and the parse pool
            "downloader_held_s_by_host": self.held_s,
            "most_in_downloader": self.most_in_downloader,
            "stats": {key: value for key, value in stats.items() if not key.startswith("govreports/site/")},
        }
        self.out.write_text(json.dumps(report, default=str, indent=1), encoding="utf-8")
