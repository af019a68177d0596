"""ParsePipeline: turns each raw `ReportPage` into a `ReportItem`.

Parsing is CPU work in Python (a PDF can take seconds), so it does not run on the reactor:
by default it runs in worker processes (`GOVREPORTS_PARSE_PROCESSES`, default: the cores the
crawler may use, minus the one the crawl itself keeps busy, at least 1), so parses use the other
cores instead of sharing the crawl's GIL, a hostile file's hard time limit (SIGALRM, which needs a
main thread) applies, and a parser that crashes takes down a worker, not the crawl. `0` parses in
the reactor's thread pool instead (one process; what small runs and debugging may prefer).
The worker also runs the checks and computes the item's key, content hashes and JSON
(`build.prepared_item_from_page`, `govreports/prepared.py`), so ValidatePipeline only counts the
checks, DedupPipeline compares hashes and the archive and the feeds write the JSON as it came.
Workers are forked from a forkserver that preloaded `govreports.parsing.preload` (parser modules,
label tables, OpenCC dictionaries, warmed caches), so that read-only data is shared copy-on-write
and counted once in the process tree's PSS (4 workers: 160 → 97 MB).

A worker that dies (killed, out of memory, a crash in C code) fails the parses in flight; the
pool is started afresh and each such page is parsed again, up to `PARSE_ATTEMPTS` times; a page
that kills its worker every time becomes an item with a "parse failed" warning.

Stats: `govreports/parsed`, `govreports/parse/warnings` (items with at least one warning),
`govreports/parse/failed` (a page the parser could not handle: the item still goes on with a
warning so nothing is lost), `govreports/parse/worker_lost` (parses cut short by a dying worker),
`govreports/parse/processes` (the pool size; 0 = thread pool), `govreports/dropped/not_report`
(a page that turned out not to be an annual report, e.g. a notice linked from the column; logged
with its URL).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_to_future
from twisted.internet.threads import deferToThread

from govreports.build import prepared_item_from_page, provenance, site_record
from govreports.items import ReportItem, ReportPage
from govreports.listing.candidates import is_report_title
from govreports.parsing.doctype import reads_as_report
from govreports.prepared import HASH_FIELDS
from govreports.run import RunBook
from govreports.workers import exit_with_the_crawl, forkserver_context

logger = logging.getLogger(__name__)

PARSE_ATTEMPTS = 2


def default_parse_processes() -> int:
    """The cores this process may run on, minus one for the crawl itself (at least one worker)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


class ParsePipeline:
    def __init__(self, crawler: Crawler, processes: int,
                 parse: Callable[[ReportPage], ReportItem] = prepared_item_from_page) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.processes = max(0, processes)
        self.parse = parse  # module-level, so worker processes can be handed it
        self.pool: ProcessPoolExecutor | None = None
        self.stats.set_value("govreports/parse/processes", self.processes)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsePipeline:
        configured = crawler.settings.get("GOVREPORTS_PARSE_PROCESSES")
        processes = default_parse_processes() if configured in (None, "") else int(configured)
        # a partial of a module-level function still pickles, so workers get the settings too; the
        # worker also computes the key, hashes and JSON the pipelines after it use (prepared.py)
        hash_fields = tuple(crawler.settings.getlist("GOVREPORTS_DEDUP_HASH_FIELDS") or HASH_FIELDS)
        parse = functools.partial(prepared_item_from_page, soffice=crawler.settings.get("GOVREPORTS_SOFFICE") or None,
                                  hash_fields=hash_fields)
        return cls(crawler, processes, parse)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportPage):
            return item
        try:
            report = await self._parsed(item)
        except Exception as exc:  # the parser must not lose a page: keep it, say why
            logger.error("parse failed for %s: %s: %s", item.url, type(exc).__name__, exc,
                         exc_info=not isinstance(exc, BrokenProcessPool))
            self.stats.inc_value("govreports/parse/failed")
            report = ReportItem(url=item.url, site=site_record(item.site),
                                title=str(item.hints.get("link_text") or ""),
                                warnings=[f"parse failed: {type(exc).__name__}: {exc}"],
                                provenance=provenance(item.sources))
            return report
        return self.accept(item, report)

    async def _parsed(self, page: ReportPage) -> ReportItem:
        if not self.processes:
            return await deferred_to_future(deferToThread(self.parse, page))
        for attempt in range(1, PARSE_ATTEMPTS + 1):
            pool = self._pool()
            try:
                return await asyncio.get_running_loop().run_in_executor(pool, self.parse, page)
            except BrokenProcessPool:
                self.stats.inc_value("govreports/parse/worker_lost")
                logger.warning("a parse worker died while parsing %s (attempt %d of %d)", page.url, attempt,
                               PARSE_ATTEMPTS)
                self._discard(pool)
        raise BrokenProcessPool(f"the parse worker died on each of {PARSE_ATTEMPTS} attempts")

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            # forkserver: workers forked from a clean server process, not from the running reactor
            self.pool = ProcessPoolExecutor(self.processes, mp_context=forkserver_context(),
                                            initializer=exit_with_the_crawl, initargs=(os.getpid(),))
        return self.pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        if self.pool is pool:
            self.pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def accept(self, page: ReportPage, report: ReportItem) -> ReportItem:
        """Pass a parsed report on, or drop (and count) a page that is not an annual report."""
        if not _looks_like_report(report):
            self.stats.inc_value("govreports/dropped/not_report")
            book = self.crawler.get_extension(RunBook)
            if book is not None:
                book.not_report(str(page.site.get("id") or ""), page.url, report.title, _not_report_kind(report))
            raise DropItem(f"not an annual report: {page.url} ({report.title!r})", log_level="INFO")
        self.stats.inc_value("govreports/parsed")
        if report.warnings:
            self.stats.inc_value("govreports/parse/warnings")
        return report


def _looks_like_report(report: ReportItem) -> bool:
    """A report has the national tables, prose figures, a title naming one, or a body stating two of
    its sections or its statistics period, and the classifier (`parsing/doctype.py`) did not judge
    it something else.

    The body counts: many real reports reach the parser untitled (the heading is an image or lies
    outside the text, "一、总体情况" comes first) or titled over two lines; a page the classifier
    kept that states 总体情况, 主动公开政府信息情况 … is a report, and dropping it loses it."""
    if not report.is_report:
        return False
    return (bool(report.tables) or bool(report.figures) or is_report_title(report.title)
            or reads_as_report(report.text))


def _not_report_kind(report: ReportItem) -> str:
    """What the classifier called the page ("notice", "news"…), or why it is not taken as a report."""
    for warning in report.warnings:
        if warning.startswith("report: not an annual report but a "):
            return warning.removeprefix("report: not an annual report but a ").split(" ", 1)[0]
    return "no report tables, figures or title"
