"""ValidatePipeline: the format's arithmetic identities (govreports/checks) on each report.

The parse worker has normally run them already (`build.checked_item_from_page`, off the crawl
process); an item that arrives without checks but with tables or figures gets them here.

Checks report, they never correct a published number. Stats: `govreports/checks/run`,
`govreports/checks/failed` (failing rules), `govreports/checks/reports_failing` (reports with at
least one failing rule).
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from govreports.build import apply_checks
from govreports.items import ReportItem
from govreports.prepared import discard


class ValidatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportItem):
            return item
        if not item.checks and (item.tables or item.figures):  # not run by the parse worker
            apply_checks(item)
            discard(item)  # the item changed: its prepared JSON and hashes no longer describe it
        failing = [check for check in item.checks if check.get("ok") is False]
        self.stats.inc_value("govreports/checks/run", len(item.checks))
        if failing:
            self.stats.inc_value("govreports/checks/failed", len(failing))
            self.stats.inc_value("govreports/checks/reports_failing")
        return item
