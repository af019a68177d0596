"""`bench_replay`: the empty spider. It fetches exactly the pages a real crawl fetched, and nothing else.

The engine-overhead benchmark records every request the farm answered during a full
`annual_reports` crawl (the scale farm's hit log) and replays it here: same URLs, methods and
form bodies, same settings, one request each (`dont_filter`), callbacks that do nothing, no items.
robots.txt is left out of the list because RobotsTxtMiddleware fetches it by itself, as in the
real crawl. The list is a JSON Lines file named by the `GOVREPORTS_BENCH_REPLAY` setting.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Request, Response


class ReplaySpider(scrapy.Spider):
    name = "bench_replay"

    async def start(self) -> AsyncIterator[Request]:
        path = Path(self.settings.get("GOVREPORTS_BENCH_REPLAY"))
        if not path.is_file():
            self.logger.error("GOVREPORTS_BENCH_REPLAY must name the replay list (got %r)", str(path))
            return
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            hit: dict[str, Any] = json.loads(line)
            headers = {"Content-Type": hit["content_type"]} if hit.get("content_type") else {}
            self.crawler.stats.inc_value("bench/replayed")
            yield Request(hit["url"], method=hit["method"], body=hit.get("body") or None, headers=headers,
                          callback=self.ignore, errback=self.ignore_failure, dont_filter=True)

    def ignore(self, response: Response) -> None:
        """Fetched: that is all the empty spider does."""

    def ignore_failure(self, failure: Any) -> None:
        self.crawler.stats.inc_value("bench/failed")
