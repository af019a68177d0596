"""Persistent crawl state: what was delivered, in which revision, and how each site fared.

Crash-safety design (docs/architecture.md: "a run killed at any point and started again loses nothing and
emits nothing twice"):

1. **Claim.** `DedupPipeline` (priority 300) decides new / changed / unchanged / duplicate from the
   *committed* state and, for an item it lets through, writes a *claim* row (id, key, content hash,
   revision, run id). A claim is a promise, not a fact: `lookup()` ignores it.
2. **Archive.** The item goes to the archive of record (`govreports.archive`): the WARC records of
   its page and attachments (written when it entered the pipelines) are fsynced, then one archive
   transaction records them and the item's row (`pending`).
3. **Write + fsync.** The feed exporter `DurableJsonLinesItemExporter` (set for `jsonlines`,
   `jsonl` and `jl` in `FEED_EXPORTERS`) writes the item as one complete line, flushes and
   `fsync`s the file. When the run opens a feed file it records the file's path for the run
   (`run_feeds`) *before* writing anything to it.
4. **Commit.** Then the claim commits: the report row gets the new hash and revision, the old hash
   stays in `revisions`; the archive row becomes `archived`. Steps 2-4 run per delivery group
   (`GOVREPORTS_DELIVERY_GROUP_ITEMS` items or `GOVREPORTS_DELIVERY_GROUP_MS` ms, and at the end:
   `govreports.archive.crawl.DeliveryGroup`), each step for the whole group before the next, so
   the order holds per group and the fsyncs are shared. A commit is one SQLite transaction; with
   the default `synchronous=NORMAL` it survives a killed process, and a power loss can roll back
   only the last commits, so those reports are emitted again (twice, never lost);
   `GOVREPORTS_DB_SYNCHRONOUS=FULL` makes each commit durable.
5. **Recovery.** A kill can land anywhere: a line can be in the feed while its claim is still
   pending. So when the store is opened for a new run, every pending claim of a run that is no
   longer alive is reconciled against that run's own feed files: a complete line with the same
   `id` and `revision` means the report was delivered → commit it; no such line → release the
   claim, and the report will be emitted again. A torn last line (no newline: the kill hit inside
   the write) is cut off the feed first. Claims of a run that ended cleanly but never reached a
   durable feed (no feed configured, a non-jsonl format, stdout) are released at close. Then the
   archive recovers (`Archive.recover`): a WARC file cut by the kill is truncated to its last
   committed record and closed, and a pending archive row is kept when its claim committed, else
   dropped (the report is emitted again, with the same revision).
   Result: each report is in the union of the feeds exactly once, and in the archive exactly once,
   whatever the moment of the kill.
6. **Resuming long runs.** Scrapy's `JOBDIR` keeps the scheduler queue and the dupefilter between
   a graceful stop (SIGINT/SIGTERM) and the next start; the store makes the second half skip what
   the first half delivered. After a SIGKILL do not reuse the JOBDIR (Scrapy's queues are not
   crash-safe); a plain restart is safe because of 1-5.

Only one crawl may write the store at a time (`bin/harvest` takes a flock); recovery skips the
claims of a run whose process is still alive on this host.

Settings: `GOVREPORTS_DB` (SQLite path, default state/govreports.sqlite3), `GOVREPORTS_STATE_STORE`
(store class, default `govreports.state.sqlite.SqliteStateStore`), `GOVREPORTS_DB_BUSY_TIMEOUT_MS`
(default 10000), `GOVREPORTS_DB_SYNCHRONOUS` (NORMAL, the default, or FULL: see 3.),
`GOVREPORTS_STATE_ENABLED` (default True; False = no store, every item is new).
Stats: `govreports/state/recovered` (pending claims found in a dead run's feed and committed),
`govreports/state/released` (pending claims of a dead run not in its feed), `govreports/state/
torn_feed_tail` (partial last lines cut), `govreports/state/committed`, `govreports/state/
uncommitted` (claims released at close: the items reached no durable feed).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from govreports.state.base import Claim, RunInfo, Seen, SiteStatus, StateStore, utc_now
from govreports.state.recovery import recover_dead_runs
from govreports.state.sqlite import SqliteStateStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

__all__ = [
    "Claim",
    "RunInfo",
    "RunState",
    "Seen",
    "SiteStatus",
    "SqliteStateStore",
    "StateExtension",
    "StateStore",
    "existing_state",
    "open_store",
]

logger = logging.getLogger(__name__)


def open_store(settings: BaseSettings) -> StateStore:
    """Build the configured store (`GOVREPORTS_STATE_STORE`) from settings."""
    from scrapy.utils.misc import load_object

    # empty means SQLite (the cluster add-on fills in the Redis store when GOVREPORTS_REDIS_URL is set)
    store_cls = load_object(settings.get("GOVREPORTS_STATE_STORE") or "govreports.state.sqlite.SqliteStateStore")
    store: StateStore
    if hasattr(store_cls, "from_settings"):
        store = store_cls.from_settings(settings)
    else:
        store = store_cls(
            settings.get("GOVREPORTS_DB"),
            busy_timeout_ms=settings.getint("GOVREPORTS_DB_BUSY_TIMEOUT_MS"),
            synchronous=settings.get("GOVREPORTS_DB_SYNCHRONOUS"),
        )
    return store


class RunState:
    """One crawl's view of the store: its run id, its claims, and the commit the feed triggers.

    Owned by the crawler's `StateExtension` and shared by the dedup pipeline, the durable feed
    exporter, the archive and the site-status extension (`existing_state(crawler)`), so all of them
    talk about the same run.
    """

    def __init__(self, store: StateStore, stats: StatsCollector | None = None, *, run_id: str | None = None) -> None:
        self.store = store
        self.stats = stats
        self.run = RunInfo(
            run_id=run_id or f"{utc_now()}-{uuid.uuid4().hex[:8]}",
            pid=os.getpid(),
            host=socket.gethostname(),
            started_at=utc_now(),
        )
        self.claimed: dict[str, int] = {}  # report id -> revision claimed by this run
        self.claimed_hashes: dict[str, str] = {}  # report id -> content hash claimed (the archive reuses it)
        self.committed = 0
        self.feeds: list[str] = []
        self.finished = False
        self.closed = False
        # a shared store (Redis) judges liveness by heartbeat, not by pid on this host
        recover = getattr(store, "recover_dead_runs", None)
        self.recovery = recover() if callable(recover) else recover_dead_runs(store)
        for name, value in self.recovery.as_stats().items():
            self._inc(name, value)
        store.begin_run(self.run)

    @property
    def run_id(self) -> str:
        return self.run.run_id

    def _inc(self, name: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(f"govreports/state/{name}", count)

    def claim(self, claim: Claim) -> None:
        if self.store.claim(claim) is False:
            # a shared store refused: another live worker holds this report, or delivered it meanwhile
            from scrapy.exceptions import DropItem

            self._inc("claim_refused")
            if self.stats is not None:
                self.stats.inc_value("govreports/dedup/duplicate")
            raise DropItem(f"duplicate report (claimed or delivered by another worker): {claim.url}",
                           log_level="DEBUG")
        self.claimed[claim.id] = claim.revision
        self.claimed_hashes[claim.id] = claim.content_hash

    def feed_opened(self, path: str) -> None:
        """A durable feed file is about to receive items of this run (recorded before any write)."""
        path = os.path.abspath(path)
        if path not in self.feeds:
            self.feeds.append(path)
            self.store.record_feed(self.run_id, path)

    def delivered_ids(self, report_ids: list[str]) -> int:
        """A group of items is safely in a feed: commit their claims (one transaction where the
        store can); returns how many were claimed by this run."""
        for report_id in report_ids:
            self.claimed_hashes.pop(report_id, None)
        claimed = [rid for rid in report_ids if self.claimed.pop(rid, None) is not None]
        if not claimed:
            return 0
        commit_many = getattr(self.store, "commit_many", None)
        if callable(commit_many):
            commit_many(claimed, self.run_id)
        else:
            for report_id in claimed:
                self.store.commit(report_id, self.run_id)
        self.committed += len(claimed)
        self._inc("committed", len(claimed))
        return len(claimed)

    def delivered(self, item: Any) -> bool:
        """The item is safely (fsync'd) in a feed: commit its claim. Unclaimed items are ignored."""
        report_id = ItemAdapter(item).get("id")
        if not report_id or self.claimed.pop(report_id, None) is None:
            return False
        self.store.commit(report_id, self.run_id)
        self.committed += 1
        self._inc("committed")
        return True

    def finish(self, outcome: str) -> int:
        """Release claims that reached no durable feed, mark the run ended; returns released count."""
        if self.finished:
            return 0
        self.finished = True
        released = self.store.release(self.run_id)
        if released:
            logger.warning(
                "%d report(s) reached no durable feed (no jsonlines feed configured?): not marked seen",
                released,
            )
            self._inc("uncommitted", released)
        self.claimed.clear()
        self.claimed_hashes.clear()
        self.store.end_run(self.run_id, outcome)
        return released

    def close(self, outcome: str = "finished") -> None:
        if self.closed:
            return
        try:
            self.finish(outcome)
        finally:
            self.closed = True
            self.store.close()


class StateExtension:
    """Owns the crawl's `RunState` (store opened and dead runs recovered when the crawler is built).

    Components find it with `crawler.get_extension(StateExtension)` (`existing_state(crawler)`);
    the store closes when the engine stops. At its start it warns when a feed about to be
    overwritten (`-O`) holds what an earlier run delivered: the archive keeps those reports, and
    `scrapy export` writes them out again.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_state = RunState(open_store(crawler.settings), crawler.stats)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("GOVREPORTS_STATE_ENABLED"):
            raise NotConfigured("GOVREPORTS_STATE_ENABLED is off")
        extension = cls(crawler)
        extension.warn_about_overwritten_feeds()  # now: the feed exporter truncates them at spider_opened
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def warn_about_overwritten_feeds(self) -> None:
        for path in overwritten_feeds(self.crawler.settings):
            delivered_before = any(path in run.feeds for run in self.run_state.store.runs()
                                   if run.run_id != self.run_state.run_id)
            if delivered_before and os.path.getsize(path) > 0:
                logger.warning(
                    "-O replaces %s, which an earlier run delivered reports into: they are not lost (the archive "
                    "keeps every delivered report), but this feed will hold only this run's; "
                    "`scrapy export -o FILE` writes every archived report", path)
                if self.crawler.stats is not None:
                    self.crawler.stats.inc_value("govreports/feed/overwrites_delivered_feed")

    def engine_stopped(self) -> None:
        self.run_state.close("finished")


def overwritten_feeds(settings: BaseSettings) -> list[str]:
    """Local feed files this crawl truncates at its start (`-O`, or FEEDS with overwrite)."""
    from w3lib.url import file_uri_to_path

    paths = []
    for uri, options in (settings.getdict("FEEDS") or {}).items():
        if not (options or {}).get("overwrite"):
            continue
        uri = str(uri)
        if "%(" in uri:
            continue  # a new file per run
        if uri.startswith("file://"):
            path = file_uri_to_path(uri)
        elif "://" in uri or uri in ("-", "stdout:"):
            continue
        else:
            path = uri
        path = os.path.abspath(path)
        if os.path.exists(path):
            paths.append(path)
    return paths


def existing_state(crawler: Crawler) -> RunState | None:
    """The crawler's open `RunState` (its `StateExtension`'s), or None when state is off."""
    extension = crawler.get_extension(StateExtension) if getattr(crawler, "extensions", None) else None
    if extension is None or extension.run_state.closed:
        return None
    return extension.run_state
