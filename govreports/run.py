"""`RunBook`: the run's bookkeeping, in one extension (`crawler.get_extension(RunBook)`).

The spider navigates and tells the book what happened; the book keeps, per site, a typed
`SiteStatus` (govreports/state/base.py): column found, pages walked, candidates, reports, failures
(classified by type: govreports/failures.py), skips, stop reasons, blocks and the render account
(govreports/render.py `RenderLedger`). Other components read it here: the scope middlewares
(`request_scope`), the run summary (statuses, argument errors), the cluster scheduler (the
selected sites and arguments). Stats keep global counters only (`govreports/failed/<kind>`,
`govreports/stop/<reason>` …); per-site figures live in the statuses, which the run summary
stores and writes into its JSON (`sites`).

Progress: every `GOVREPORTS_PROGRESS_INTERVAL` seconds (0: never) one `progress:` line with sites
done/total, reports new/changed/unchanged, failed pages, blocked sites, pages/min and an ETA. A
site is *done* when none of its requests is scheduled, downloading or in its callback
(`ProgressMiddleware` closes a request's ticket when its callback's output has been taken; a
failed request's ticket closes when its errback reports the failure here). The ETA is the
remaining sites times the mean time per finished site over a moving window of the last
`ETA_WINDOW` finished sites (time since the site finished just before the window, divided by the
sites in it).

Early stop: `all_known(site, urls)` says whether a report URL is known on a *settled* site (see
`settled_sites`); the spider stops a column walk at a list page whose reports are all known.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from govreports.failures import ScopeRefused, classify, failed_request
from govreports.listing.challenge import challenge_kind
from govreports.listing.discovery import PlatformLink
from govreports.listing.walk import ColumnWalk
from govreports.registry import Site
from govreports.render import RenderLedger, browser_may_pass, is_rendered
from govreports.scope import SiteScope
from govreports.selection import SiteSelection
from govreports.state import RunState, SiteStatus, existing_state
from govreports.state.base import (
    FailureRecord,
    NotReportRecord,
    PlatformRecord,
    WalkRecord,
)
from govreports.urls import canonical_url

logger = logging.getLogger(__name__)

ETA_WINDOW = 20  # finished sites the ETA averages over
_TICKET = "govreports_ticket"


@runtime_checkable
class SelectsSites(Protocol):
    """A spider that says which sites it crawls (the annual_reports spider, from its arguments)."""

    selection: SiteSelection


@dataclass(frozen=True, slots=True)
class Progress:
    """The figures of a `progress:` line (and of the run summary's `progress`)."""

    sites_done: int
    sites_total: int
    reports_new: int
    reports_changed: int
    reports_unchanged: int
    pages_failed: int
    sites_blocked: int
    pages_per_minute: float
    eta_seconds: float | None

    def line(self) -> str:
        eta = "unknown" if self.eta_seconds is None else _duration(self.eta_seconds)
        return (f"progress: sites {self.sites_done}/{self.sites_total} done, reports {self.reports_new} new / "
                f"{self.reports_changed} changed / {self.reports_unchanged} unchanged, {self.pages_failed} failed "
                f"page(s), {self.sites_blocked} blocked site(s), {self.pages_per_minute:.0f} pages/min, ETA {eta}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class RunBook:
    """Per-site statuses of the run, and its progress."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.failure_samples = settings.getint("GOVREPORTS_FAILURE_SAMPLES")
        self.discovery_depth = settings.getint("GOVREPORTS_DISCOVERY_DEPTH")
        self.progress_interval = settings.getfloat("GOVREPORTS_PROGRESS_INTERVAL")
        self.early_stop = settings.getbool("GOVREPORTS_EARLY_STOP")
        self.state_enabled = settings.getbool("GOVREPORTS_STATE_ENABLED")
        self.render = RenderLedger(settings, self.stats, self.failure_samples)
        spider = crawler.spider
        # a spider that selects no registry sites (e.g. the benchmarks' replay spider) has no scope
        self.scoped = isinstance(spider, SelectsSites)
        self.selection = spider.selection if isinstance(spider, SelectsSites) else SiteSelection()
        self.sites = {site.id: site for site in self.selection.sites}
        self.statuses = {site.id: _new_status(site) for site in self.selection.sites}
        self.scopes = {site.id: self._scope(site) for site in self.selection.sites}
        self.any_scope = SiteScope()
        for scope in self.scopes.values():
            self.any_scope = self.any_scope.union(scope)
        self.settled: frozenset[str] = frozenset()
        self.run_state: RunState | None = None
        self.started = time.monotonic()
        self.tickets: dict[str, str] = {}  # open ticket -> site id
        self.outstanding = dict.fromkeys(self.sites, 0)
        self.finished_at: dict[str, float] = {}  # done sites -> when they became done
        self.last_tick = (self.started, 0)  # (when, responses received)
        # tickets travel in request meta (through Redis in cluster mode): unique to this process
        self._ticket_ids = (f"{self.started:.0f}.{os.getpid()}.{n}" for n in itertools.count(1))
        self._task: AsyncioLoopingCall | LoopingCall | None = None
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunBook:
        book = cls(crawler)
        crawler.signals.connect(book.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(book.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(book.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(book.request_dropped, signal=signals.request_dropped)
        return book

    @staticmethod
    def of(crawler: Crawler) -> RunBook:
        """The crawler's run book. Without one in EXTENSIONS (a component test, a custom settings
        module) the spider still gets a book of its own, which nobody summarises: said once."""
        book = crawler.get_extension(RunBook)
        if book is None:
            logger.warning("govreports.run.RunBook is not in EXTENSIONS: site statuses are kept but not stored")
            book = RunBook(crawler)
        return book

    def _scope(self, site: Site) -> SiteScope:
        twins = [self.selection.https_fallback.get(url) for url in site.start_urls]
        return SiteScope.from_urls_and_hosts((site.home_url, site.annual_report_url, *site.start_urls, *twins),
                                             (*site.allowed_domains, *site.attachment_hosts))

    # --- life cycle ----------------------------------------------------------------------------
    def spider_opened(self) -> None:
        selection = self.selection
        for name, value in {"govreports/registry/sites": selection.registry_sites,
                            "govreports/registry/errors": len(selection.registry_errors),
                            "govreports/registry/unknown_ids": selection.unknown_ids,
                            "govreports/sites_selected": len(self.sites)}.items():
            self.stats.set_value(name, value)
        if selection.argument_errors:
            self.stats.set_value("govreports/args/errors", len(selection.argument_errors))
        if self.state_enabled:
            self.run_state = existing_state(self.crawler)
            if self.run_state is not None and self.early_stop and not selection.full:
                self.settled = self.settled_sites(list(self.sites))
                if self.settled:
                    self.stats.inc_value("govreports/early_stop/settled_sites", len(self.settled))
        if self.progress_interval > 0:
            self._task = create_looping_call(self.log_progress)
            self._task.start(self.progress_interval, now=False)

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
            status = store.site_status(site_id)
            if status is not None and not status.pages_failed and not status.blocked:
                settled.add(site_id)
        return frozenset(settled)

    def all_known(self, site_id: str, urls: list[str]) -> bool:
        """Are these report URLs (at least one) all delivered before, on a settled site? Then the
        column walk stops here (early stop)."""
        if not urls or site_id not in self.settled or self.run_state is None:
            return False
        store = self.run_state.store
        return all(store.known_urls([canonical_url(url)], sites=self.settled) for url in urls)

    def spider_closed(self, reason: str) -> None:
        """Close the books: discovery still pending ends as "no_column"; stop the progress timer."""
        if self._closed:
            return
        self._closed = True
        if self._task is not None and self._task.running:
            self._task.stop()
        for status in self.statuses.values():
            if status.discovery in ("pending", "registry-failed"):
                status.discovery = "no_column: crawl ended before discovery finished"
                self.stats.inc_value("govreports/discovery/no_column")
        now = time.monotonic()
        for site_id in self.sites:
            self.finished_at.setdefault(site_id, now)
        found = sum(1 for status in self.statuses.values() if status.column_url)
        logger.info("run closed (%s): %d/%d site(s) with a 年报 column, %d report page(s) yielded", reason, found,
                    len(self.statuses), sum(status.reports_seen for status in self.statuses.values()))

    # --- progress ------------------------------------------------------------------------------
    def request_scheduled(self, request: Request) -> None:
        site_id = request.meta.get("govreports_site")
        if site_id not in self.outstanding or request.meta.get(_TICKET) in self.tickets:
            return  # a retry or redirect of a request still open keeps its ticket
        ticket = next(self._ticket_ids)
        request.meta[_TICKET] = ticket
        self.tickets[ticket] = site_id
        self.outstanding[site_id] += 1
        self.finished_at.pop(site_id, None)

    def request_dropped(self, request: Request) -> None:
        self.request_done(request)

    def request_done(self, request: Request) -> None:
        """The request and everything its callback produced are handled (ProgressMiddleware)."""
        site_id = self.tickets.pop(request.meta.get(_TICKET, ""), None)
        if site_id is None:
            return
        self.outstanding[site_id] -= 1
        if not self.outstanding[site_id]:
            self.finished_at[site_id] = time.monotonic()

    def progress(self, *, final: bool = False) -> Progress:
        now = time.monotonic()
        responses = int(self.stats.get_value("response_received_count", 0))
        since, before = (self.started, 0) if final else self.last_tick
        minutes = max(now - since, 1e-6) / 60
        done = sorted(self.finished_at.values())
        remaining = len(self.sites) - len(done)
        eta: float | None = None
        if remaining == 0:
            eta = 0.0
        elif done:
            window = done[-ETA_WINDOW:]
            window_start = done[-ETA_WINDOW - 1] if len(done) > ETA_WINDOW else self.started
            eta = remaining * (now - window_start) / len(window)
        return Progress(
            sites_done=len(done), sites_total=len(self.sites),
            reports_new=int(self.stats.get_value("govreports/dedup/new", 0)),
            reports_changed=int(self.stats.get_value("govreports/dedup/changed", 0)),
            reports_unchanged=int(self.stats.get_value("govreports/dedup/unchanged", 0)),
            pages_failed=sum(status.pages_failed for status in self.statuses.values()),
            sites_blocked=sum(1 for status in self.statuses.values() if status.blocked),
            pages_per_minute=(responses - before) / minutes, eta_seconds=eta,
        )

    def log_progress(self) -> None:
        figures = self.progress()
        self.last_tick = (time.monotonic(), int(self.stats.get_value("response_received_count", 0)))
        logger.info("%s", figures.line())

    # --- what the spider tells ------------------------------------------------------------------
    def site(self, site_id: str) -> Site:
        return self.sites[site_id]

    def status(self, site_id: str) -> SiteStatus:
        return self.statuses[site_id]

    def owns(self, site_id: str, url: str) -> bool:
        """Is `url` on the site's own domains or addresses (not on a platform it links)?"""
        return self.scopes[site_id].owns(url)

    def platform(self, site_id: str, link: PlatformLink, page_url: str) -> bool:
        """The site's own page names a platform on another host as its 信息公开 entry: that
        platform's paths for this site join its scope (recorded). False when the entry is refused."""
        status = self.statuses[site_id]
        if link.refused is not None:
            if all(entry.url != link.url for entry in status.platforms_refused):
                status.platforms_refused.append(PlatformRecord(link.url, page_url, refused=link.refused))
                self.stats.inc_value("govreports/discovery/platform_refused")
            return False
        if (link.host, link.prefix) not in self.scopes[site_id].platforms:
            self.scopes[site_id] = self.scopes[site_id].with_platform(link.host, link.prefix)
            self.any_scope = self.any_scope.with_platform(link.host, link.prefix)
            status.platforms.append(PlatformRecord(link.url, page_url, link.host, link.prefix))
            self.stats.inc_value("govreports/discovery/platform_accepted")
            logger.info("site %s: disclosure platform %s%s accepted (linked as %s from %s)", site_id, link.host,
                        link.prefix, link.text, page_url)
        return True

    def request_scope(self, request: Request) -> SiteScope | None:
        """What `request` may reach: its site's scope, or, for requests of no site (robots.txt),
        the union of every selected site's; None for a spider that selects no sites."""
        if not self.scoped:
            return None
        return self.scopes.get(request.meta.get("govreports_site") or "", self.any_scope)

    def page(self, site_id: str, kind: str) -> None:
        """A discovery ("hub") or list page was fetched."""
        status = self.statuses[site_id]
        if kind == "hub":
            status.hub_pages += 1
        else:
            status.list_pages += 1

    def column_source(self, site_id: str, source: str, *, discovery: str | None = None) -> None:
        status = self.statuses[site_id]
        status.column_source = source
        if discovery is not None:
            status.discovery = discovery

    def column_found(self, site_id: str, url: str, why: str) -> None:
        status = self.statuses[site_id]
        if status.column_url is None:
            status.column_url = url
            status.column_source = status.column_source or "discovered"
            status.discovery = f"found: {why}"
            self.stats.inc_value("govreports/discovery/column_found")
            logger.info("site %s: 年报 column %s (%s)", site_id, url, why)

    def column_walked(self, site_id: str, url: str) -> None:
        status = self.statuses[site_id]
        status.columns.append(url)
        status.list_pages += 1

    def column_lost(self, site_id: str) -> None:
        """The registry's column is gone: the spider looks for it again from the home page."""
        status = self.statuses[site_id]
        status.column_url = None
        status.discovery = "registry-failed"
        status.column_source = "discovered"
        self.stats.inc_value("govreports/discovery/registry_column_failed")

    def discovery_settled(self, site_id: str, hub_budget_left: int) -> None:
        """The last discovery page of a site is done; when no column was found, say why."""
        status = self.statuses[site_id]
        if status.column_url is not None or status.discovery not in ("pending", "registry-failed"):
            return
        if status.blocked:
            reason = f"blocked ({status.blocked_reason})"
        elif status.hub_pages == 0:
            reason = "home page failed"
        elif hub_budget_left <= 0:
            reason = f"hub budget exhausted after {status.hub_pages} pages"
        else:
            reason = f"no 年报 link within depth {self.discovery_depth} ({status.hub_pages} pages seen)"
        status.discovery = f"no_column: {reason}"
        self.stats.inc_value("govreports/discovery/no_column")
        logger.warning("site %s: no 年报 column: %s", site_id, reason)

    def candidate(self, site_id: str) -> None:
        self.statuses[site_id].candidates += 1
        self.stats.inc_value("govreports/candidates/kept")

    def report_yielded(self, site_id: str) -> None:
        self.statuses[site_id].reports_seen += 1
        self.stats.inc_value("govreports/reports_yielded")

    def not_report(self, site_id: str, url: str, title: str, kind: str) -> None:
        """A candidate page turned out not to be an annual report: listed in the site's status (the
        run summary), not emitted; its bytes stay in the archive."""
        status = self.statuses.get(site_id)
        if status is None:
            return
        status.not_reports_seen += 1
        if len(status.not_reports) < self.failure_samples:
            status.not_reports.append(NotReportRecord(url, title[:200], kind))

    def stopped(self, site_id: str, reason: str) -> None:
        """A column walk (or a column) stopped for `reason`."""
        stops = self.statuses[site_id].stop_reasons
        stops[reason] = stops.get(reason, 0) + 1
        self.stats.inc_value(f"govreports/stop/{reason}")

    def walk_ended(self, site_id: str, walk: ColumnWalk, reasons: Iterable[str]) -> None:
        reasons = list(reasons)
        for reason in reasons:
            self.stopped(site_id, reason)
        self.statuses[site_id].walks.append(WalkRecord(walk.column_url, walk.adapter, walk.pages, walk.collected,
                                                       walk.declared_total, reasons))
        if "total_not_reached" in reasons:
            logger.warning("site %s: column %s declares %s records, %d collected (%s)", site_id, walk.column_url,
                           walk.declared_total, walk.collected, ", ".join(reasons))

    # --- rendering and blocks -------------------------------------------------------------------
    def escalate(self, site_id: str, request: Request, reason: str) -> Request | None:
        """The request once more in the browser, or None (rendered already, site blocked, rendering off)."""
        status = self.statuses[site_id]
        if status.blocked:
            return None
        return self.render.escalate(self.sites[site_id], status.render, request, reason)

    def render_settled(self, site_id: str, request: Request | None, *, ok: bool, why: str = "") -> None:
        self.render.settled(self.statuses[site_id].render, request, ok=ok, why=why)

    def challenge(self, site_id: str, response: Response) -> list[Request] | None:
        """None when the answer is a real page; else the browser retry ([request]) or, when none is
        possible, [] with the site recorded as blocked."""
        kind = challenge_kind(response.status, response.body)
        if kind is None:
            return None
        if browser_may_pass(kind, response.status) and response.request is not None:
            retry = self.escalate(site_id, response.request, f"{kind} challenge (HTTP {response.status})")
            if retry is not None:
                return [retry]
        self.blocked_by(site_id, response)
        return []

    def browser_retry(self, site_id: str, failure: Failure) -> Request | None:
        """An errback's browser retry: a 412/521 challenge answer a browser may pass, else None.
        (An errback's first step: the failed request is done, whatever follows it.)"""
        self.request_done(failed_request(failure))
        error = failure.value
        if not isinstance(error, HttpError):
            return None
        kind = challenge_kind(error.response.status, error.response.body)
        if not browser_may_pass(kind, error.response.status):
            return None
        return self.escalate(site_id, failed_request(failure), f"{kind} challenge (HTTP {error.response.status})")

    def blocked_by(self, site_id: str, response: Response) -> bool:
        """Is `response` a challenge or block page? Then the site is recorded blocked (once)."""
        kind = challenge_kind(response.status, response.body)
        if kind is None:
            return False
        request = response.request
        self.render_settled(site_id, request, ok=False, why=f"still a {kind} challenge (HTTP {response.status})")
        status = self.statuses[site_id]
        if not status.blocked:
            off = self.render.off_reason(self.sites[site_id])
            if request is not None and is_rendered(request):
                how = "; still a challenge after rendering in Chromium"
            elif browser_may_pass(kind, response.status) and off:
                how = f"; not rendered: {off}"
            else:
                how = ""
            status.blocked = True
            status.blocked_reason = f"{kind} (HTTP {response.status}) at {response.url}{how}"
            self.stats.inc_value(f"govreports/blocked/{kind}")
            logger.warning("site %s: blocked by %s at %s; not trying to get around it", site_id, kind, response.url)
        return True

    # --- failures -------------------------------------------------------------------------------
    def failure(self, site_id: str, failure: Failure) -> None:
        """Record a request that failed or was not made (its errback's failure)."""
        request = failed_request(failure)
        self.request_done(request)
        error = failure.value
        assert error is not None  # an errback's failure always carries its exception
        verdict = classify(error, request.meta.get("redirect_urls"), request.url)
        url = verdict.url or request.url
        status = self.statuses[site_id]
        if isinstance(error, ScopeRefused):
            status.scope_refused[error.reason] = status.scope_refused.get(error.reason, 0) + 1
        if verdict.skipped:
            status.pages_skipped += 1
            if not isinstance(error, ScopeRefused):  # the scope middleware counted and logged it
                self.stats.inc_value(f"govreports/skipped/{verdict.kind}")
                logger.info("site %s: %s skipped (%s)", site_id, url, verdict.reason)
            self._sample(status, FailureRecord(url, verdict.kind, verdict.reason))
            return
        kind = verdict.kind
        if isinstance(error, HttpError) and self.blocked_by(site_id, error.response):
            kind = "blocked"
        self.render_settled(site_id, request, ok=False, why=verdict.reason)
        self.failed(site_id, url, kind, verdict.reason)

    def failed(self, site_id: str, url: str, kind: str, reason: str) -> None:
        """A page failed (or answered, but not with the page asked for: soft 404, home page)."""
        status = self.statuses[site_id]
        status.pages_failed += 1
        self.stats.inc_value(f"govreports/failed/{kind}")
        self._sample(status, FailureRecord(url, kind, reason))
        logger.info("site %s: %s failed (%s)", site_id, url, reason)

    def _sample(self, status: SiteStatus, record: FailureRecord) -> None:
        """Keep the first GOVREPORTS_FAILURE_SAMPLES failures of a site; count the rest."""
        if len(status.failures) < self.failure_samples:
            record.reason = record.reason[:500]
            status.failures.append(record)
        else:
            status.failures_omitted += 1


def _new_status(site: Site) -> SiteStatus:
    return SiteStatus(site.id, name=site.name, province=site.province, level=site.level, adcode=site.adcode,
                      home_url=site.home_url)


class ProgressMiddleware:
    """Tells the run book when a response is completely handled: after its callback's output was
    taken (a spider middleware). A failed request is done when its errback reports the failure to
    the book (`RunBook.failure`, `RunBook.browser_retry`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._book: RunBook | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressMiddleware:
        return cls(crawler)

    @property
    def book(self) -> RunBook | None:
        if self._book is None:
            self._book = self.crawler.get_extension(RunBook)
        return self._book

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for entry in result:
                yield entry
        finally:
            if self.book is not None and response.request is not None:
                self.book.request_done(response.request)
