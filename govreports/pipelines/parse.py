"""ParsePipeline: turns each raw `ReportPage` into a `ReportItem`.

Parsing (a PDF can take seconds) runs in the reactor's thread pool, so downloads, timeouts and
the other sites' politeness clocks keep running while a report is parsed.

Stats: `govreports/parsed`, `govreports/parse/warnings` (items with at least one warning),
`govreports/parse/failed` (a page the parser could not handle: the item still goes on with a
warning so nothing is lost), `govreports/dropped/not_report` (a page that turned out not to be an
annual report, e.g. a notice linked from the column; logged with its URL).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_to_future
from twisted.internet.threads import deferToThread

from govreports.build import item_from_page, site_record
from govreports.items import ReportItem, ReportPage
from govreports.listing.candidates import is_report_title

logger = logging.getLogger(__name__)


class ParsePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ParsePipeline":
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportPage):
            return item
        try:
            report = await deferred_to_future(deferToThread(item_from_page, item))
        except Exception as exc:  # the parser must not lose a page: keep it, say why
            logger.exception("parse failed for %s", item.url)
            self.stats.inc_value("govreports/parse/failed")
            report = ReportItem(url=item.url, site=site_record(item.site),
                                title=str(item.hints.get("link_text") or ""),
                                warnings=[f"parse failed: {type(exc).__name__}: {exc}"])
            return report
        return self.accept(item, report)

    def accept(self, page: ReportPage, report: ReportItem) -> ReportItem:
        """Pass a parsed report on, or drop (and count) a page that is not an annual report."""
        if not _looks_like_report(report):
            self.stats.inc_value("govreports/dropped/not_report")
            raise DropItem(f"not an annual report: {page.url} ({report.title!r})", log_level="INFO")
        self.stats.inc_value("govreports/parsed")
        if report.warnings:
            self.stats.inc_value("govreports/parse/warnings")
        return report


def _looks_like_report(report: ReportItem) -> bool:
    """A report has the national tables, prose figures, or a title naming one."""
    return bool(report.tables) or is_report_title(report.title) or (
        report.format == "pre2019" and bool(report.figures)
    )
