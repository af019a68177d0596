"""`scrapy seed [-a sites=…] [--force]`: start a cluster crawl by queueing the sites' start requests.

Needs `GOVREPORTS_REDIS_URL`. Runs the `annual_reports` spider's own start logic (the same site
selection as `scrapy crawl`: `-a sites=`, `province=`, `level=`, `url=`, `years=`, `full=`) and
pushes its start requests into the shared Redis queue, then exits: workers
(`scrapy crawl annual_reports` with the same `GOVREPORTS_REDIS_URL`) pick them up. Run it once per
crawl, from cron on one node.

A new crawl starts from a drained frontier (nothing queued, nothing leased): the previous crawl's
request fingerprints are forgotten, so every page is fetched again and the state store decides
what is new. While a crawl is still running, seeding is refused (exit 1) unless `--force`, which
throws the running crawl's queue, leases and fingerprints away first. Exit 0 when at least one
request was queued.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from govreports.cluster.frontier import RedisFrontier
from govreports.cluster.scheduler import redis_client
from govreports.defaults import apply_project_settings

SPIDER = "annual_reports"


def _say(message: str) -> None:
    print(f"seed: {message}", file=sys.stderr)


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Queue the sites' start requests in Redis for the cluster workers (GOVREPORTS_REDIS_URL)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--force", action="store_true",
                            help="seed even while a crawl is running (its queue, leases and fingerprints are discarded)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        apply_project_settings(self.settings)  # what a crawl needs, also outside a project checkout
        super().process_options(args, opts)
        if not self.settings.get("GOVREPORTS_REDIS_URL"):
            raise UsageError("scrapy seed needs GOVREPORTS_REDIS_URL (environment or -s), e.g. redis://host:6379/0")
        for name, value in {
            "GOVREPORTS_CLUSTER_SEED": True,
            "GOVREPORTS_CLUSTER_WORK": False,
            "GOVREPORTS_STATE_ENABLED": False,  # seeding is not a run: nothing to claim or record
            # the run book stays (the spider reports to it); no run summary: seeding is not a run
            "EXTENSIONS": {**self.settings.getdict("EXTENSIONS"), "govreports.extensions.RunSummary": None},
            "FEEDS": {},
        }.items():
            self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process is not None and self.settings is not None
        frontier = RedisFrontier(redis_client(self.settings["GOVREPORTS_REDIS_URL"]),
                                 self.settings.get("GOVREPORTS_REDIS_PREFIX"), SPIDER)
        state = frontier.state()
        if not state.drained:
            if not opts.force:
                _say(f"a crawl is still running ({state.queued} queued, {state.in_flight} in flight on "
                     f"{len(state.leased)} worker(s), {sum(state.dead.values())} left by dead workers); "
                     "not seeding (--force discards it)")
                self.exitcode = 1
                return
            _say(f"--force: discarding the running crawl ({state.queued} queued, {state.in_flight} in flight)")
            frontier.reset()
        else:
            frontier.start_generation()
        crawler = self._create_crawler(SPIDER)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        pushed = int(crawler.stats.get_value("scheduler/enqueued/redis", 0)) if crawler.stats else 0
        info = frontier.seed_info() or {}
        _say(f"queued {pushed} start request(s) for {len(info.get('sites') or [])} site(s) in {frontier.base}")
        self.exitcode = 0 if pushed and not self.crawler_process.bootstrap_failed else 1
