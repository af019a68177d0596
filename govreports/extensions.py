"""RunSummary extension: persist each site's crawl status and say how the run went.

At `spider_closed` it
- writes every site's status (kept by the run's bookkeeping, `govreports.run.RunBook`) to the
  state store, after comparing it with the site's previous status (alerts, below);
- ends the run in the store (claims that reached no durable feed are released);
- builds a summary (sites crawled, reports new / changed / unchanged / duplicate, failures — per
  site, each {url, kind, reason} —, argument errors, blocked sites, alerts, feeds, how many
  reports the archive holds and the `scrapy export` command that writes them all, the final
  progress figures, every site's status), logs it as a short table, sets the stat
  `govreports/run/failed` (0/1), and writes it as JSON next to each durable feed
  (`<feed stem>.summary.json`) when `GOVREPORTS_RUN_SUMMARY` is on (`scrapy harvest` turns it
  on) and to `GOVREPORTS_SUMMARY_FILE` when set.

A run *failed* when it did not finish normally (finish reason other than `finished`), a feed
could not be stored, or no site that was not blocked got through (every one failed, or none was
selected). Blocked sites alone never fail a run: they are reported.

Alerts (for a cron user; logged as warnings, listed in the summary's `alerts`):
- `column_vanished`: the site's last good run (not blocked, a column found) had a 年报 column and
  this run found none;
- `reports_vanished`: its last good run saw reports and this one, not blocked, saw none;
- `blocked_again`: the site was blocked in this run and in the run before.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter
from w3lib.url import file_uri_to_path

from govreports.run import Progress, RunBook
from govreports.state import RunState, SiteStatus, existing_state
from govreports.state.base import utc_now

logger = logging.getLogger(__name__)

REPORT_OUTCOMES = ("new", "changed", "unchanged", "duplicate")


@dataclass(frozen=True, slots=True)
class Alert:
    site: str
    kind: str  # column_vanished | reports_vanished | blocked_again
    message: str


def alerts_for(previous: SiteStatus | None, current: SiteStatus) -> list[Alert]:
    """What a cron user must hear about `current`, compared with the site's stored status."""
    if previous is None:
        return []
    found: list[Alert] = []
    site = current.site_id
    if current.blocked and current.blocked_runs >= 2:
        found.append(Alert(site, "blocked_again", f"site {site} blocked in {current.blocked_runs} runs in a row: "
                                                  f"{current.blocked_reason}"))
    if current.blocked:
        return found
    if previous.good_column and current.column_url is None:
        found.append(Alert(site, "column_vanished", f"site {site}: the 年报 column {previous.good_column} of the "
                                                    f"last good run ({previous.good_run}) was not found: "
                                                    f"{current.discovery}"))
    elif previous.good_reports and not current.reports_seen:
        found.append(Alert(site, "reports_vanished", f"site {site}: no report this run; the last good run "
                                                     f"({previous.good_run}) saw {previous.good_reports}"))
    return found


class RunSummary:
    def __init__(self, crawler: Crawler, run_state: RunState | None = None) -> None:
        self.crawler = crawler
        self.run_state = run_state
        settings = crawler.settings
        self.write_next_to_feed = settings.getbool("GOVREPORTS_RUN_SUMMARY")
        self.summary_file = settings.get("GOVREPORTS_SUMMARY_FILE") or None
        self.cluster = bool(settings.get("GOVREPORTS_REDIS_URL"))
        self.summary: dict[str, Any] | None = None
        self.started_at = utc_now()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        extension = cls(crawler)  # the run state is the StateExtension's, found at spider_closed
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, reason: str) -> None:
        self.run_state = self.run_state or existing_state(self.crawler)
        book = self.crawler.get_extension(RunBook)
        if book is not None:
            book.spider_closed(reason)  # its books closed first, whatever the signal order
        statuses = list(book.statuses.values()) if book is not None else []
        alerts: list[Alert] = []
        if self.run_state is not None:
            store = self.run_state.store
            for status in statuses:
                status.run_id = self.run_state.run_id
                status.last_run = utc_now()
                previous = store.site_status(status.site_id)
                status.follow(previous)
                if not self.cluster:  # a worker sees part of each site: its figures alone prove nothing
                    alerts.extend(alerts_for(previous, status))
                store.record_site_status(status)
            self.run_state.finish("finished" if reason == "finished" else f"stopped: {reason}")
        for alert in alerts:
            logger.warning("alert: %s", alert.message)
        self.summary = self.build_summary(reason, statuses, book, alerts)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("govreports/run/failed", int(self.summary["failed"]))
        if alerts:
            self.crawler.stats.set_value("govreports/run/alerts", len(alerts))
        logger.info("run summary\n%s", format_summary(self.summary))
        for path in self.summary_paths():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(self.summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
                os.replace(tmp, path)
            except OSError:
                logger.exception("could not write the run summary to %s", path)

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
        exporter = self.crawler.get_extension(FeedExporter)
        for slot in exporter.slots if exporter is not None else ():
            uri = str(slot.uri)
            if uri.startswith("file://"):
                paths.append(file_uri_to_path(uri))
            elif uri and "://" not in uri and uri != "-":
                paths.append(os.path.abspath(uri))
        return paths

    def build_summary(self, reason: str, statuses: list[SiteStatus], book: RunBook | None,
                      alerts: list[Alert]) -> dict[str, Any]:
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
        selection = book.selection if book is not None else None
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
            "failures": {s.site_id: [asdict(f) for f in s.failures] for s in statuses if s.failures},
            "failures_omitted": {s.site_id: s.failures_omitted for s in statuses if s.failures_omitted},
            # pages fetched as candidates that the classifier judged not to be reports: not emitted,
            # kept in the archive (a wrong call can be re-derived with `scrapy reparse`)
            "not_reports": {s.site_id: [asdict(n) for n in s.not_reports] for s in statuses if s.not_reports},
            "not_reports_seen": sum(s.not_reports_seen for s in statuses),
            "argument_errors": list(selection.argument_errors) if selection else [],
            "registry_errors": list(selection.registry_errors) if selection else [],
            "errors_logged": int(stats.get("log_count/ERROR", 0)),
            "recovered_from_killed_run": {
                "committed": int(stats.get("govreports/state/recovered", 0)),
                "re_emitted": int(stats.get("govreports/state/released", 0)),
            },
            "feeds": self.feed_paths(),
            "alerts": [asdict(alert) for alert in alerts],
            "progress": book.progress(final=True).to_json() if book is not None else None,
            "sites": {s.site_id: s.to_json() for s in statuses},
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
        ("not reports", str(summary.get("not_reports_seen", 0))),  # listed in the JSON; bytes archived
        ("pages failed", str(summary["pages_failed"])),
        ("sites failed", ", ".join(summary["sites_failed"]) or "-"),
        ("sites blocked", blocked),
        ("feeds", ", ".join(summary["feeds"]) or "-"),
        ("alerts", "; ".join(alert["message"] for alert in summary["alerts"]) or "-"),
    ]
    if summary["progress"] is not None:
        rows.append(("progress", Progress(**summary["progress"]).line().removeprefix("progress: ")))
    archive = summary.get("archive")
    if archive:
        rows.append(("archive", (f"{archive['reports']} report(s) in {archive['directory']}; "
                                f"every one of them: {archive['export']}")))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)
