"""What-if prototype (benchmarks only): the ParsePipeline with `item_from_page` in worker processes.

Benchmark 1 shows the crawl bound by parsing CPU in one Python process (the project's
ParsePipeline runs the parse in the reactor's thread pool, which keeps the reactor responsive but
shares one GIL). This variant hands each page to a `ProcessPoolExecutor` instead, so parses run
in parallel on every core. `python -m benchmarks.run --what-if` measures it next to the real
pipeline; it is not used by the project. Workers: `GOVREPORTS_BENCH_PARSE_WORKERS` (default: cores).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from govreports.build import item_from_page
from govreports.items import ReportPage
from govreports.pipelines.parse import ParsePipeline


class PooledParsePipeline(ParsePipeline):
    def __init__(self, crawler: Crawler, workers: int) -> None:
        super().__init__(crawler)
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PooledParsePipeline:
        workers = crawler.settings.getint("GOVREPORTS_BENCH_PARSE_WORKERS", 0) or len(os.sched_getaffinity(0))
        return cls(crawler, workers)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportPage):
            return item
        try:
            report = await asyncio.get_running_loop().run_in_executor(self.pool, item_from_page, item)
        except Exception:  # the project's pipeline logs, counts and keeps the page
            return await super().process_item(item)
        return self.accept(item, report)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
