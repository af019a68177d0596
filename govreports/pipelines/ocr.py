"""OcrPipeline: reads the scanned parts of a `ReportPage` before it is parsed.

Scanned PDF pages (no text layer, or a garbage one), image attachments and the images of a
report page made of page images go to the OCR pool (`GOVREPORTS_OCR_PROCESSES`, apart from the
parse workers, the engine loaded lazily in each OCR process); the results ride on the page
(`ReportPage.ocr`) to the parse worker, which lays them out like a PDF's text layer. A page
with nothing scanned costs one cheap look at its PDFs' text layers.

Stats: `govreports/ocr/documents` (bodies read), `govreports/ocr/pages` (pages OCR'd),
`govreports/ocr/pages_cached` (pages found in the cache), `govreports/ocr/pages_failed`,
`govreports/ocr/unavailable` (scans left unread: the engine is not installed).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from scrapy.crawler import Crawler

from govreports.items import ReportPage
from govreports.parsing.ocr.config import config_from_settings
from govreports.parsing.ocr.run import OcrPool, read_report
from govreports.workers import exit_with_the_crawl

logger = logging.getLogger(__name__)


class OcrPipeline:
    def __init__(self, crawler: Crawler, pool: OcrPool) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OcrPipeline:
        config = config_from_settings(crawler.settings)
        pool = OcrPool(config, initializer=exit_with_the_crawl, initargs=(os.getpid(),))
        return cls(crawler, pool)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportPage) or self.pool.config.mode == "never":
            return item
        read_before, cached_before, failed_before = self.pool.pages_read, self.pool.pages_cached, self.pool.pages_failed
        results = await read_report(self.pool, item.body, item.attachments)
        if not results:
            return item
        item.ocr = dict(results)
        self.stats.inc_value("govreports/ocr/documents", len(results))
        self.stats.inc_value("govreports/ocr/pages", self.pool.pages_read - read_before)
        self.stats.inc_value("govreports/ocr/pages_cached", self.pool.pages_cached - cached_before)
        self.stats.inc_value("govreports/ocr/pages_failed", self.pool.pages_failed - failed_before)
        if any(not result.version for result in results.values()):
            self.stats.inc_value("govreports/ocr/unavailable")
        return item

    def close_spider(self) -> None:
        self.pool.close()
