"""`scrapy crawl`, with an exit status a cron job or a shell script can act on.

Scrapy's own `crawl` exits 0 whatever the run found. This one (the project's COMMANDS_MODULE
overrides the built-in command of the same name) also exits
- 2 when the arguments selected no site at all (a malformed `-a url=`, only unknown site ids, an
  empty registry): the reason was logged as one line naming the argument (govreports/selection.py);
- 1 when a cluster worker closed without doing anything because nothing was seeded, or because
  its site arguments do not cover the seeded sites (govreports/cluster/scheduler.py).
Otherwise it exits as Scrapy's does.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

NOTHING_SELECTED = 2
WORKER_IDLE = 1
IDLE_WORKER_REASONS = frozenset({"cluster_not_seeded", "cluster_sites_mismatch"})


def exit_status(crawler: Crawler) -> int:
    """The status for a finished crawl (0 when nothing here applies)."""
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    if stats.get("govreports/sites_selected") == 0:
        return NOTHING_SELECTED
    if stats.get("finish_reason") in IDLE_WORKER_REASONS:
        return WORKER_IDLE
    return 0


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider name: scrapy crawl annual_reports" if not args else
                             "running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        else:
            self.exitcode = exit_status(crawler)
