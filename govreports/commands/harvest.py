"""`scrapy harvest`: the incremental crawl cron runs (through `bin/harvest`, which adds the lock).

It is `scrapy crawl annual_reports` with the incremental defaults: a date-stamped JSON Lines feed
`<output-dir>/%(time)s.jsonl` (unless `-o/-O` is given), the run summary written next to it
(`<time>.summary.json`) and logged as a table, early stop on known list pages (`--full` re-walks
every column), and an exit status cron can act on: 0 when the run finished, 1 when it failed
(stopped early, a feed could not be stored, or no site got through), 2 when the arguments selected
no site (as `scrapy crawl`: govreports/commands/crawl.py). Blocked sites are reported in the
summary but do not fail the run. Spider arguments (`-a sites=…`, `-a years=…`) pass through. The
summary JSON carries the run's `progress` figures (sites done, reports, pages/min) and `alerts`.
"""

from __future__ import annotations

import argparse

from scrapy.commands import BaseRunSpiderCommand

from govreports.commands.crawl import exit_status
from govreports.defaults import apply_project_settings

SPIDER = "annual_reports"


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Incremental harvest for cron: dated feed, state, run summary, exit status"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--output-dir", default="output", metavar="DIR",
                            help="where the dated feed and its summary go (default: output)")
        parser.add_argument("--full", action="store_true",
                            help="re-walk every list page (no early stop on already-known pages)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        apply_project_settings(self.settings)  # what a crawl needs, also outside a project checkout
        super().process_options(args, opts)
        if not (opts.output or opts.overwrite_output):
            feed = f"{opts.output_dir.rstrip('/')}/%(time)s.jsonl"
            self.settings.set("FEEDS", {feed: {"format": "jsonlines"}}, priority="cmdline")
        self.settings.set("GOVREPORTS_RUN_SUMMARY", True, priority="cmdline")
        if opts.full:
            opts.spargs["full"] = "1"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None
        crawler = self._create_crawler(SPIDER)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        failed = crawler.stats.get_value("govreports/run/failed", 1) if crawler.stats else 1
        self.exitcode = 1 if self.crawler_process.bootstrap_failed else (exit_status(crawler) or int(bool(failed)))
