"""RunSummary extension: persist each site's crawl status and say how the run went.

At `spider_opened` it hands the spider `spider.known_url(url) -> bool` (the store's `known_urls`,
restricted to *settled* sites: see `settled_sites`), which the spider uses for early stop on
incremental runs (`GOVREPORTS_EARLY_STOP`, `-a full=1`). Stat `govreports/early_stop/settled_sites`.

At `spider_closed` it
- writes every entry of `spider.site_status` (kept by the `annual_reports` spider) to the state
  store (`SiteStatus`: column found, list pages, reports seen, pages failed, blocked + reason, stop
  reasons, the raw dict);
- ends the run in the store (claims that reached no durable feed are released);
- builds a summary (sites crawled, reports new / changed / unchanged / duplicate, failures — per
  site, each {url, kind, reason} —, argument errors, blocked sites, feeds, how many reports the
  archive holds and the `scrapy export` command that writes them all, outcome), logs it as a short table, sets the stat `govreports/run/failed` (0/1), and
  writes it as JSON next to each durable feed (`<feed stem>.summary.json`) when
  `GOVREPORTS_RUN_SUMMARY` is on (default off; `scrapy harvest` turns it on) and to
  `GOVREPORTS_SUMMARY_FILE` when set.

A run *failed* when it did not finish normally (finish reason other than `finished`), a feed
could not be stored, or no site that was not blocked got through (every one failed, or none was
selected). Blocked sites alone never fail a run: they are reported.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from w3lib.url import file_uri_to_path

from govreports.state import RunState, SiteStatus, existing_state, utc_now

logger = logging.getLogger(__name__)

REPORT_OUTCOMES = ("new", "changed", "unchanged", "duplicate")


class RunSummary:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_state: RunState | None = None
        settings = crawler.settings
        self.write_next_to_feed = settings.getbool("GOVREPORTS_RUN_SUMMARY", False)
        self.summary_file = settings.get("GOVREPORTS_SUMMARY_FILE") or None
        self.summary: dict[str, Any] | None = None
        self.started_at = utc_now()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        """Give the spider its early-stop oracle: is this report URL known, on a settled site?"""
        self.run_state = existing_state(self.crawler)
        spider = self.crawler.spider
        if self.run_state is None or not hasattr(spider, "known_url"):
            return
        settled = self.settled_sites(list(getattr(spider, "site_status", None) or {}))
        self._inc_by("govreports/early_stop/settled_sites", len(settled))
        if not settled:
            return
        store = self.run_state.store
        spider.known_url = lambda url: bool(store.known_urls([url], sites=settled))

    def settled_sites(self, site_ids: list[str]) -> frozenset[str]:
        """Sites whose columns are known to be harvested completely up to their known reports.

        Early stop (stop walking at the first list page whose reports are all known) only loses
        nothing when every older report is known too. That holds for a site whose last recorded
        crawl (recorded only by a run that reached its end) had no failed page and no block, and
        only when the previous run finished normally: a killed or stopped run may have delivered
        the newest page of reports but not the next one, so the run after it walks everything.
        """
        assert self.run_state is not None
        store = self.run_state.store
        previous = [run for run in store.runs() if run.run_id != self.run_state.run_id]
        if not previous or previous[-1].outcome != "finished":
            return frozenset()
        settled = set()
        for site_id in site_ids:
            status = store.site_status(str(site_id))
            if status is not None and not status.pages_failed and not status.blocked:
                settled.add(str(site_id))
        return frozenset(settled)

    def _inc_by(self, name: str, amount: int) -> None:
        if self.crawler.stats is not None and amount:
            self.crawler.stats.inc_value(name, amount)

    def spider_closed(self, reason: str) -> None:
        self.run_state = self.run_state or existing_state(self.crawler)
        spider = self.crawler.spider
        site_status: dict[str, dict[str, Any]] = dict(getattr(spider, "site_status", None) or {})
        statuses = []
        for site_id, status in site_status.items():
            try:
                statuses.append(SiteStatus.from_spider(str(site_id), dict(status or {}),
                                                       run_id=self.run_state.run_id if self.run_state else None))
            except Exception:  # one odd entry must not cost the others their record
                logger.exception("site status of %s could not be read: %r", site_id, status)
                self._inc("govreports/run/site_status_unreadable")
        if self.run_state is not None:
            for status in statuses:
                self.run_state.store.record_site_status(status)
            self.run_state.finish("finished" if reason == "finished" else f"stopped: {reason}")
        self.summary = self.build_summary(reason, statuses)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("govreports/run/failed", int(self.summary["failed"]))
        logger.info("run summary\n%s", format_summary(self.summary))
        for path in self.summary_paths():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(self.summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
                os.replace(tmp, path)
            except OSError:
                logger.exception("could not write the run summary to %s", path)

    def _inc(self, name: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(name)

    def summary_paths(self) -> list[Path]:
        paths = []
        if self.summary_file:
            paths.append(Path(self.summary_file))
        if self.write_next_to_feed:
            for feed in self.feed_paths():
                feed_path = Path(feed)
                paths.append(feed_path.with_name(feed_path.name.rsplit(".", 1)[0] + ".summary.json"))
        return paths

    def feed_paths(self) -> list[str]:
        """Local feed files of this run: those that received items, else those about to be stored
        empty (a run that emitted nothing still gets its summary)."""
        if self.run_state is not None and self.run_state.feeds:
            return list(self.run_state.feeds)
        paths = []
        extensions = getattr(self.crawler.extensions, "middlewares", ()) if self.crawler.extensions else ()
        for extension in extensions:
            for slot in getattr(extension, "slots", None) or ():
                uri = str(getattr(slot, "uri", "") or "")
                if uri.startswith("file://"):
                    paths.append(file_uri_to_path(uri))
                elif uri and "://" not in uri and uri != "-":
                    paths.append(os.path.abspath(uri))
        return paths

    def build_summary(self, reason: str, statuses: list[SiteStatus]) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        reports = {name: int(stats.get(f"govreports/dedup/{name}", 0)) for name in REPORT_OUTCOMES}
        blocked = [{"site": s.site_id, "reason": s.blocked_reason} for s in statuses if s.blocked]
        failed_sites = [
            s.site_id for s in statuses if not s.blocked and s.pages_failed and not s.reports_seen and not s.column_url
        ]
        ok_sites = [s for s in statuses if not s.blocked and s.site_id not in failed_sites]
        problems = []
        if reason != "finished":
            problems.append(f"finish reason {reason!r}")
        if any(k.startswith("feedexport/failed_count") for k in stats):
            problems.append("a feed could not be stored")
        if not ok_sites and not (statuses and len(blocked) == len(statuses)):
            problems.append("no site got through" if statuses else "no site was crawled")
        return {
            "run_id": self.run_state.run_id if self.run_state else None,
            "started_at": self.started_at,
            "finished_at": utc_now(),
            "finish_reason": reason,
            "failed": bool(problems),
            "problems": problems,
            "sites_crawled": len(statuses),
            "sites_failed": failed_sites,
            "sites_blocked": blocked,
            "reports": reports,
            "items_emitted": int(stats.get("item_scraped_count", 0)),
            "pages_failed": sum(s.pages_failed for s in statuses),
            # every recorded failure, refusal and skip per site: {url, kind, reason}
            "failures": {s.site_id: list(s.raw.get("failures") or []) for s in statuses if s.raw.get("failures")},
            "failures_omitted": {s.site_id: int(s.raw["failures_omitted"]) for s in statuses
                                 if s.raw.get("failures_omitted")},
            "argument_errors": list(getattr(self.crawler.spider, "argument_errors", None) or []),
            "registry_errors": list(getattr(self.crawler.spider, "registry_errors", None) or []),
            "errors_logged": int(stats.get("log_count/ERROR", 0)),
            "recovered_from_killed_run": {
                "committed": int(stats.get("govreports/state/recovered", 0)),
                "re_emitted": int(stats.get("govreports/state/released", 0)),
            },
            "feeds": self.feed_paths(),
            "archive": self.archive_summary(stats),
        }

    def archive_summary(self, stats: dict[str, Any]) -> dict[str, Any] | None:
        """How many reports the archive of record holds, and how to get them all (feeds are deliveries)."""
        from govreports.archive.crawl import ArchiveExtension

        extension = self.crawler.get_extension(ArchiveExtension)
        if extension is None or extension.archive is None:
            return None
        return {
            "reports": int(stats.get("govreports/archive/reports", 0)),
            "directory": str(extension.directory),
            "reused_unparsed": int(stats.get("govreports/archive/reused", 0)),
            "export": f"scrapy export -o FILE.jsonl -s GOVREPORTS_ARCHIVE_DIR={extension.directory}",
        }


def format_summary(summary: dict[str, Any]) -> str:
    """The few lines a person reads in the cron log."""
    reports = summary["reports"]
    blocked = ", ".join(f"{b['site']} ({b['reason'] or 'no reason'})" for b in summary["sites_blocked"]) or "-"
    rows = [
        ("outcome", "FAILED: " + "; ".join(summary["problems"]) if summary["failed"] else "ok"),
        ("sites crawled", str(summary["sites_crawled"])),
        ("reports new", str(reports["new"])),
        ("reports changed", str(reports["changed"])),
        ("reports unchanged", str(reports["unchanged"])),
        ("duplicates dropped", str(reports["duplicate"])),
        ("pages failed", str(summary["pages_failed"])),
        ("sites failed", ", ".join(summary["sites_failed"]) or "-"),
        ("sites blocked", blocked),
        ("feeds", ", ".join(summary["feeds"]) or "-"),
    ]
    archive = summary.get("archive")
    if archive:
        rows.append(("archive", f"{archive['reports']} report(s) in {archive['directory']}; "
                                f"every one of them: {archive['export']}"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)
