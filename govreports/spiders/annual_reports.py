"""`annual_reports`: one spider for every portal of the registry. It navigates, nothing else.

Per site it starts from the registry's 年报 column (or sites.toml `start_urls`, or the home page),
finds the column by discovery when needed (listing/discovery.py), walks it and its sub-columns
with the CMS adapter that recognises the pages (listing/adapters/), keeps the links whose titles
name an annual disclosure report (listing/candidates.py), fetches each report page and its
attachments, and yields one `ReportPage` per report. Parsing is the pipelines' job.

Arguments (`-a`): `sites=ID,ID` (adcode or slug), `province=四川省`, `level=county`,
`url=URL` (an ad-hoc portal: home page or column), `years=2019-2023` (report years to keep,
judged on the title; unknown years are kept), `full=1` (ignore early stop). No argument = the
whole registry. A bad value (unknown site id, unreadable year range) is logged as an error, kept in
`argument_errors` (the run summary lists them) and costs only its own effect: the run goes on
(a bad `years` means no year filter). Skipped registry rows/overrides: `registry_errors`.

Settings: GOVREPORTS_PORTALS_FILE, GOVREPORTS_SITES_FILE, GOVREPORTS_MAX_LIST_PAGES (200),
GOVREPORTS_MAX_HUB_PAGES (30), GOVREPORTS_DISCOVERY_DEPTH (3), GOVREPORTS_SUBCOLUMN_DEPTH (2),
GOVREPORTS_EARLY_STOP (True), GOVREPORTS_RENDER (default for sites with render = "auto").

`self.site_status: dict[site_id, dict]` (persisted at close by the state extension) holds, per site:

- `site`: {id, name, adcode, province, level}; `home_url`;
- `column_url`: the first 年报 column walked (None when none was found); `columns`: every column
  and sub-column walked; `column_source`: registry | start_url | discovered | ad-hoc;
- `discovery`: "found: <evidence>", "registry", or "no_column: <why>" ("pending" while running);
- `hub_pages`: discovery pages fetched; `list_pages`: list pages walked (all columns);
- `candidates`: report links kept; `reports_yielded`: ReportPages yielded;
- `pages_failed`: requests that failed (HTTP error, timeout, DNS, refused, challenge, `truncated`
  body, `too_large`, `redirect_loop`, `soft_404` — a 200 error page —, `redirected_home`,
  `column_redirected_home`); `pages_skipped`: requests not made by choice (robots.txt, out of scope:
  `scope_<reason>`, see govreports/scope.py); `scope_refused`: {reason: count}; `failures`: the first
  GOVREPORTS_FAILURE_SAMPLES (50) of both as {url, kind, reason}, `failures_omitted` the rest;
- `stop_reasons`: {reason: count} over all column walks; `walks`: per column {column, adapter, pages,
  records, declared_total, stop_reasons};
- `blocked`: True when a challenge/403 page answered; `blocked_reason`.
Counts are mirrored in stats under `govreports/site/<id>/<key>`; global stats:
`govreports/discovery/column_found`, `govreports/discovery/no_column`, `govreports/stop/<reason>`,
`govreports/candidates/kept`, `govreports/candidates/dropped/<reason>`, `govreports/reports_yielded`,
`govreports/failed/<kind>`, `govreports/skipped/robots|offsite`, `govreports/attachments/fetched|failed`, `govreports/blocked/<kind>`.

Rendering (govreports/render.py): requests carry `meta["govreports_render"]` (the site's mode;
RenderMiddleware renders `always` sites' pages). In `auto`, a page is retried once in headless
Chromium (same request, same download slot) when it is a script challenge a browser may pass
(瑞数 412/200 `$_ts` stub, 加速乐 521 cookie script) or a column page with scripts but no report
link, no next page and no sub-column (a list built by JavaScript). A challenge passed in the browser
is carried over to the site's later plain requests by its cookies (RenderMiddleware hands them to
Scrapy's cookie jar), so the rest of the site stays plain HTTP; a page still a challenge after
rendering, or one that needs a browser while rendering is off (GOVREPORTS_RENDER=never, sites.toml
render = "never", no Chromium), leaves the site `blocked` with the reason. `status["render"]`:
{escalated, succeeded, failed, needed_but_off (the first such page and why), notes}; stats
`govreports/render/escalated|succeeded|failed|needed_but_off` (also per site). Attachments are not
retried in the browser.

Early stop (incremental runs): when GOVREPORTS_EARLY_STOP is on, `-a full` is not given, and
something (the state extension) has set `spider.known_url: Callable[[str], bool]`, a column walk
stops (reason `already_known`) at the first list page whose report links are all known.
"""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import FormRequest, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure
from w3lib.encoding import html_body_declared_encoding

from govreports.items import ReportPage
from govreports.listing.adapters import ADAPTERS, ListingStep, PageRequest, detect_adapter
from govreports.listing.candidates import judge_title, parse_years, report_year_hint, year_wanted
from govreports.listing.challenge import challenge_kind, script_builds_list
from govreports.listing.discovery import (
    column_links,
    hub_links,
    js_redirect_target,
    looks_like_column,
    subcolumn_links,
)
from govreports.listing.entries import ListEntry
from govreports.listing.soft404 import soft_404_reason
from govreports.listing.walk import ColumnWalk
from govreports.parsing.attachments import AttachmentLink, find_attachment_links
from govreports.parsing.html import content_matches
from govreports.parsing.ocr.page_images import report_images
from govreports.middlewares import RedirectLoop, ScopeRefused
from govreports.registry import Site, adhoc_site, load_registry, select_sites
from govreports.render import browser_may_pass, escalated, is_rendered
from govreports.scope import SiteScope

try:
    from govreports.urls import canonical_url
except ImportError:  # pragma: no cover - the state engineer's module; identity until it lands
    def canonical_url(url: str) -> str:
        return url

_MAX_FAILURE_SAMPLES = 20  # render notes kept per site
# why a column page is retried in the browser when it has no report link (render.py)
LIST_NEEDS_BROWSER = "list page with scripts but no report links"
_MEDIA_BY_SUFFIX = {".wps": "application/vnd.ms-works", ".ofd": "application/ofd"}


@dataclass
class SiteRun:
    """The spider's working state for one site (the persisted part is `status`)."""

    site: Site
    status: dict[str, Any]
    visited: set[str] = field(default_factory=set)  # canonical URLs of discovery/list pages requested
    reports: set[str] = field(default_factory=set)  # canonical URLs of report pages requested
    discovery_pending: int = 0
    hub_budget: int = 30
    column_fallback_done: bool = False
    render_off_noted: bool = False  # "needed a browser but rendering is off" logged once per site


class AnnualReportsSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(self, *args: Any, sites: str | None = None, province: str | None = None,
                 level: str | None = None, url: str | None = None, years: str | None = None,
                 full: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arg_sites = [part for part in (sites or "").replace(";", ",").split(",") if part.strip()] or None
        self.arg_province = province or None
        self.arg_level = level or None
        self.arg_url = url or None
        self.full = str(full or "").lower() in ("1", "true", "yes")
        self.years: tuple[int, int] | None = None
        self.argument_errors: list[str] = []  # bad -a values: logged, in the run summary, the run goes on
        self.registry_errors: list[str] = []  # skipped registry rows / overrides, the same way
        if years:
            try:
                self.years = parse_years(years)
            except ValueError as error:
                # a bad argument costs its own effect, not the run: every year is harvested
                message = f"-a years={years}: {error}; the year filter is ignored, every year is harvested"
                self.argument_errors.append(message)
                self.logger.error(message)
        self.site_status: dict[str, dict[str, Any]] = {}
        self.runs: dict[str, SiteRun] = {}
        self.walks: dict[str, ColumnWalk] = {}
        self.known_url: Callable[[str], bool] | None = None
        self.allowed_domains: list[str] = []
        self.site_scopes: dict[str, SiteScope] = {}
        self.any_site_scope = SiteScope()
        self.startup_stats: dict[str, int] = {}

    # --- set-up ------------------------------------------------------------------------------
    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> AnnualReportsSpider:
        spider: AnnualReportsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler.settings)
        return spider

    def _configure(self, settings: Any) -> None:
        self.max_list_pages = settings.getint("GOVREPORTS_MAX_LIST_PAGES", 200)
        self.max_hub_pages = settings.getint("GOVREPORTS_MAX_HUB_PAGES", 30)
        self.discovery_depth = settings.getint("GOVREPORTS_DISCOVERY_DEPTH", 3)
        self.subcolumn_depth = settings.getint("GOVREPORTS_SUBCOLUMN_DEPTH", 2)
        self.early_stop = settings.getbool("GOVREPORTS_EARLY_STOP", True) and not self.full
        self.default_render = settings.get("GOVREPORTS_RENDER", "auto")
        self.failure_samples = settings.getint("GOVREPORTS_FAILURE_SAMPLES", 50)
        selected = self._select_sites(settings)
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        domains: dict[str, None] = {}
        for site in selected:
            self.runs[site.id] = SiteRun(site=site, status=self._new_status(site), hub_budget=self.max_hub_pages)
            self.site_status[site.id] = self.runs[site.id].status
            domains.update(dict.fromkeys(site.domains()))
            scope = SiteScope.from_urls_and_hosts((site.home_url, site.annual_report_url, *site.start_urls),
                                                  (*site.allowed_domains, *site.attachment_hosts))
            self.site_scopes[site.id] = scope
            self.any_site_scope = self.any_site_scope.union(scope)
            if site.download_delay is not None or site.concurrency is not None:
                slot: dict[str, Any] = {}
                if site.download_delay is not None:
                    slot["delay"] = site.download_delay
                if site.concurrency is not None:
                    slot["concurrency"] = site.concurrency
                slots[self._slot(site)] = slot
        self.allowed_domains = list(domains)
        if slots:
            if settings.frozen:
                self.logger.warning("settings already frozen: per-site download_delay/concurrency not applied")
            else:
                settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        self.logger.info("annual_reports: %d site(s) selected, %d allowed domain(s)",
                         len(self.runs), len(self.allowed_domains))

    def _select_sites(self, settings: Any) -> tuple[Site, ...]:
        if self.arg_url:
            return (adhoc_site(self.arg_url),)
        portals = Path(settings.get("GOVREPORTS_PORTALS_FILE", "settings/portals.csv"))
        sites_file = settings.get("GOVREPORTS_SITES_FILE", "settings/sites.toml")
        load = load_registry(portals, Path(sites_file) if sites_file else None)
        self.registry_errors = list(load.errors)
        for message in load.errors:
            self.logger.warning("registry: %s", message)
        # stats exist only once the crawl starts: start() copies these in
        self.startup_stats["govreports/registry/sites"] = len(load.sites)
        self.startup_stats["govreports/registry/errors"] = len(load.errors)
        selection = select_sites(load.sites, ids=self.arg_sites, province=self.arg_province, level=self.arg_level)
        for message in selection.messages():
            self.logger.error("-a sites: %s", message)
            self.argument_errors.append(f"-a sites: {message}")
        self.startup_stats["govreports/registry/unknown_ids"] = len(selection.unknown)
        if not selection.sites:
            self.logger.error("no site selected (sites=%s province=%s level=%s)",
                              self.arg_sites, self.arg_province, self.arg_level)
        return selection.sites

    @staticmethod
    def _new_status(site: Site) -> dict[str, Any]:
        return {
            "site": site.info(), "home_url": site.home_url, "column_url": None, "columns": [],
            "column_source": None, "discovery": "pending", "hub_pages": 0, "list_pages": 0,
            "candidates": 0, "reports_yielded": 0, "pages_failed": 0, "pages_skipped": 0, "failures": [],
            "stop_reasons": {}, "walks": [], "blocked": False, "blocked_reason": None,
            "render": {"escalated": 0, "succeeded": 0, "failed": 0, "needed_but_off": None, "notes": []},
        }

    @staticmethod
    def _slot(site: Site) -> str:
        return f"site:{site.id}"

    def request_scope(self, request: Request) -> SiteScope:
        """What `request` may reach (ScopeMiddleware): its site's scope, or, for requests of no
        site (robots.txt), the union of every selected site's."""
        return self.site_scopes.get(request.meta.get("govreports_site") or "", self.any_site_scope)

    # --- small helpers -----------------------------------------------------------------------
    def _count(self, run: SiteRun, key: str, amount: int = 1) -> None:
        run.status[key] = run.status.get(key, 0) + amount
        self.crawler.stats.inc_value(f"govreports/site/{run.site.id}/{key}", amount)

    def _meta(self, run: SiteRun, **extra: Any) -> dict[str, Any]:
        # one download slot per site (not per host): politeness and per-site delays follow the site
        meta: dict[str, Any] = {"govreports_site": run.site.id, "download_slot": self._slot(run.site)}
        render = run.site.render if run.site.render != "auto" else self.default_render
        if render != "never":
            meta["govreports_render"] = render
        meta.update(extra)
        return meta

    @staticmethod
    def _visit_key(url: str) -> str:
        """The canonical URL, plus gkmlpt's category fragment (the one fragment that matters)."""
        fragment = urlsplit(url).fragment
        return canonical_url(url) + (f"#{fragment}" if fragment.isdigit() else "")

    def _first_visit(self, run: SiteRun, url: str) -> bool:
        key = self._visit_key(url)
        if key in run.visited:
            return False
        run.visited.add(key)
        return True

    def _stat(self, key: str, amount: int = 1) -> None:
        self.crawler.stats.inc_value(key, amount)

    # --- rendering (govreports/render.py) ----------------------------------------------------
    def _render_mode(self, run: SiteRun) -> str:
        return run.site.render if run.site.render != "auto" else self.default_render

    def _render_off_reason(self, run: SiteRun) -> str | None:
        """Why this site's pages cannot go through the browser, or None when they can."""
        if self._render_mode(run) == "never":
            return 'render = "never" in sites.toml' if run.site.render == "never" else "GOVREPORTS_RENDER=never"
        settings = self.crawler.settings
        if not settings.getbool("GOVREPORTS_RENDER_ACTIVE"):
            return settings.get("GOVREPORTS_RENDER_OFF_REASON") or "rendering off"
        return None

    def _escalate(self, run: SiteRun, request: Request, reason: str) -> Request | None:
        """The request once more, in the browser; None when it was rendered already or rendering
        is off (then counted as `govreports/render/needed_but_off`, with the reason in the status)."""
        if is_rendered(request) or run.status["blocked"]:
            return None  # rendered already, or the site is known to stay blocked
        off = self._render_off_reason(run)
        if off is not None:
            self._stat("govreports/render/needed_but_off")
            self.crawler.stats.inc_value(f"govreports/site/{run.site.id}/render/needed_but_off")
            if run.status["render"]["needed_but_off"] is None:
                run.status["render"]["needed_but_off"] = f"{reason} at {request.url} (not rendered: {off})"
            if not run.render_off_noted:
                run.render_off_noted = True
                self.logger.warning("site %s: %s at %s needs a browser; not rendered (%s)",
                                    run.site.id, reason, request.url, off)
            return None
        self._stat("govreports/render/escalated")
        self.crawler.stats.inc_value(f"govreports/site/{run.site.id}/render/escalated")
        run.status["render"]["escalated"] += 1
        self.logger.info("site %s: %s at %s; retrying it in Chromium", run.site.id, reason, request.url)
        return escalated(request, reason)

    def _render_settled(self, run: SiteRun, request: Request | None, *, ok: bool, why: str = "") -> None:
        """Count how an escalated request ended (once): succeeded or failed, with why."""
        if request is None or request.meta.get("govreports_render") != "escalated" \
                or request.meta.get("govreports_render_settled"):
            return
        request.meta["govreports_render_settled"] = True
        outcome = "succeeded" if ok else "failed"
        self._stat(f"govreports/render/{outcome}")
        self.crawler.stats.inc_value(f"govreports/site/{run.site.id}/render/{outcome}")
        run.status["render"][outcome] += 1
        if not ok and len(run.status["render"]["notes"]) < _MAX_FAILURE_SAMPLES:
            run.status["render"]["notes"].append(f"{request.url}: {why or 'failed'}")

    def _challenge(self, run: SiteRun, response: Response) -> list[Request] | None:
        """None when the answer is a real page; else the browser retry ([request]) or, when none is
        possible, [] with the site recorded as blocked."""
        kind = challenge_kind(response.status, response.body)
        if kind is None:
            return None
        if browser_may_pass(kind, response.status):
            retry = self._escalate(run, response.request, f"{kind} challenge (HTTP {response.status})")
            if retry is not None:
                return [retry]
        self._blocked_by(run, response.status, response.body, response.url, request=response.request)
        return []

    def _failed(self, failure: Failure) -> tuple[SiteRun, Request, Request | None]:
        """An errback's first step: the failed request, its site, and its one browser retry when
        the failure was a challenge a browser may pass (else None)."""
        request = failure.request  # type: ignore[attr-defined]
        run = self.runs[request.cb_kwargs["site_id"]]
        return run, request, self._escalation_for_failure(run, failure)

    def _escalation_for_failure(self, run: SiteRun, failure: Failure) -> Request | None:
        """An errback's browser retry: a 412/521 challenge answer a browser may pass."""
        error = failure.value
        if not isinstance(error, HttpError):
            return None
        response = error.response
        kind = challenge_kind(response.status, response.body)
        if not browser_may_pass(kind, response.status):
            return None
        return self._escalate(run, failure.request, f"{kind} challenge (HTTP {response.status})")  # type: ignore[attr-defined]

    def _list_needs_browser(self, html: str, step: ListingStep, subcolumns: list[ListEntry]) -> bool:
        """A column page whose list a script builds: no report link, no next page and no sub-column
        in the HTML, and an inline script that loads data or writes list markup."""
        if step.next_request is not None or subcolumns or not script_builds_list(html):
            return False
        return not any(judge_title(entry.title, entry.url).keep for entry in (*step.entries, *step.links))

    # --- start -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for key, value in self.startup_stats.items():
            self.crawler.stats.set_value(key, value)
        self.crawler.stats.set_value("govreports/sites_selected", len(self.runs))
        if self.argument_errors:
            self.crawler.stats.set_value("govreports/args/errors", len(self.argument_errors))
        for run in self.runs.values():
            for request in self._start_requests(run):
                yield request

    def _start_requests(self, run: SiteRun) -> Iterator[Request]:
        site = run.site
        if site.start_urls:
            run.status["column_source"] = "ad-hoc" if self.arg_url else "start_url"
            for url in site.start_urls:
                yield from self._discovery_request(run, url, depth=0, entry=True)
        elif site.annual_report_url:
            run.status["column_source"] = "registry"
            run.status["discovery"] = "registry"
            yield from self._column_request(run, site.annual_report_url, depth=0, from_registry=True)
        else:
            yield from self._discovery_request(run, site.home_url, depth=0)

    # --- discovery ---------------------------------------------------------------------------
    def _discovery_request(self, run: SiteRun, url: str, *, depth: int, entry: bool = False,
                           stub_followed: bool = False) -> Iterator[Request]:
        if not self._first_visit(run, url):
            return
        run.discovery_pending += 1
        yield Request(url, callback=self.parse_discovery, errback=self.discovery_failed, dont_filter=True,
                      cb_kwargs={"site_id": run.site.id, "depth": depth, "entry": entry,
                                 "stub_followed": stub_followed},
                      meta=self._meta(run, govreports_kind="discovery"))

    def parse_discovery(self, response: Response, site_id: str, depth: int, entry: bool,
                        stub_followed: bool) -> Iterator[Request]:
        run = self.runs[site_id]
        run.discovery_pending -= 1
        self._count(run, "hub_pages")
        if not isinstance(response, TextResponse):
            self._note_failure(run, response.url, "not_html", "discovery page is not HTML")
            yield from self._discovery_settled(run)
            return
        challenge = self._challenge(run, response)
        if challenge is not None:
            run.discovery_pending += len(challenge)
            yield from challenge
            yield from self._discovery_settled(run)
            return
        self._render_settled(run, response.request, ok=True)
        if self._error_page(run, response, "discovery page") is not None:
            yield from self._discovery_settled(run)
            return
        html = response.text
        target = js_redirect_target(html, response.url)
        if target and not stub_followed:
            self._stat("govreports/discovery/redirect_stub")
            yield from self._discovery_request(run, target, depth=depth, entry=entry, stub_followed=True)
            yield from self._discovery_settled(run)
            return
        if entry and urlsplit(response.url).path.strip("/") not in ("", "index.html", "index.htm", "index.shtml") \
                and looks_like_column(html, response.url):
            self._column_found(run, response.url, "the given URL is a 年报 column")
            yield from self._walk_column_page(run, response, response.url, depth=0)
            return
        columns = column_links(html, response.url)
        if columns:
            best = columns[0].score
            for link in [link for link in columns if link.score >= best - 6][:4]:
                if self._visit_key(link.url) in run.visited:
                    continue
                self._column_found(run, link.url, f"{link.why} on {response.url}")
                yield from self._column_request(run, link.url, depth=0)
        elif run.status["column_url"] is None and depth < self.discovery_depth:
            for link in hub_links(html, response.url):
                if run.hub_budget <= 0:
                    self._stat("govreports/discovery/hub_budget_exhausted")
                    break
                if self._visit_key(link.url) in run.visited:
                    continue
                run.hub_budget -= 1
                yield from self._discovery_request(run, link.url, depth=depth + 1)
        yield from self._discovery_settled(run)

    def discovery_failed(self, failure: Failure) -> Iterator[Request]:
        run, request, retry = self._failed(failure)
        if retry is not None:
            yield retry
            return
        run.discovery_pending -= 1
        self._record_failure(run, failure)
        yield from self._discovery_settled(run)

    def _column_found(self, run: SiteRun, url: str, why: str) -> None:
        if run.status["column_url"] is None:
            run.status["column_url"] = url
            run.status["column_source"] = run.status["column_source"] or "discovered"
            run.status["discovery"] = f"found: {why}"
            self._stat("govreports/discovery/column_found")
            self.crawler.stats.set_value(f"govreports/site/{run.site.id}/column_found", 1)
            self.logger.info("site %s: 年报 column %s (%s)", run.site.id, url, why)

    def _discovery_settled(self, run: SiteRun) -> Iterator[Request]:
        """When the last discovery page of a site is done and no column was found, say why."""
        if run.discovery_pending > 0 or run.status["column_url"] is not None:
            return
        if run.status["discovery"] not in ("pending", "registry-failed"):
            return
        if run.status["blocked"]:
            reason = f"blocked ({run.status['blocked_reason']})"
        elif run.status["hub_pages"] == 0:
            reason = "home page failed"
        elif run.hub_budget <= 0:
            reason = f"hub budget exhausted after {run.status['hub_pages']} pages"
        else:
            reason = f"no 年报 link within depth {self.discovery_depth} ({run.status['hub_pages']} pages seen)"
        run.status["discovery"] = f"no_column: {reason}"
        self._stat("govreports/discovery/no_column")
        self.logger.warning("site %s: no 年报 column: %s", run.site.id, reason)
        yield from ()

    # --- columns and list pages --------------------------------------------------------------
    def _column_request(self, run: SiteRun, url: str, *, depth: int, from_registry: bool = False,
                        stub_followed: bool = False) -> Iterator[Request]:
        if not self._first_visit(run, url):
            return
        yield Request(url, callback=self.parse_column, errback=self.column_failed, dont_filter=True,
                      cb_kwargs={"site_id": run.site.id, "column_url": url, "depth": depth,
                                 "stub_followed": stub_followed},
                      meta=self._meta(run, govreports_kind="column", govreports_from_registry=from_registry))

    def parse_column(self, response: Response, site_id: str, column_url: str, depth: int,
                     stub_followed: bool) -> Iterator[Any]:
        run = self.runs[site_id]
        if not isinstance(response, TextResponse):
            self._note_failure(run, response.url, "not_html", "column page is not HTML")
            return
        challenge = self._challenge(run, response)
        if challenge is not None:
            yield from challenge
            return
        target = js_redirect_target(response.text, response.url)
        if target and not stub_followed:
            self._stat("govreports/discovery/redirect_stub")
            yield from self._column_request(run, target, depth=depth, stub_followed=True)
            return
        error_page = self._error_page(run, response, "column page", kind_prefix="column_")
        if error_page is not None:
            # a removed column (soft 404, or a 301 to the home page) is not the column: say so
            self._stat(f"govreports/stop/{error_page}")
            run.status["stop_reasons"][error_page] = run.status["stop_reasons"].get(error_page, 0) + 1
            self.crawler.stats.inc_value(f"govreports/site/{run.site.id}/stop/{error_page}")
            yield from self._registry_column_gone(run, response.request)
            return
        if run.status["column_url"] is None:
            self._column_found(run, column_url, "registry annual_report_url")
        # keep the fragment of the URL as linked: gkmlpt's category id lives there
        url = column_url if urlsplit(column_url).fragment else response.url
        yield from self._walk_column_page(run, response, url, depth=depth)
        self._render_settled(run, response.request, ok=True)

    def column_failed(self, failure: Failure) -> Iterator[Request]:
        run, request, retry = self._failed(failure)
        if retry is not None:
            yield retry
            return
        self._record_failure(run, failure)
        yield from self._registry_column_gone(run, request)

    def _registry_column_gone(self, run: SiteRun, request: Request) -> Iterator[Request]:
        """The registry's column is gone: find it again from the home page (once)."""
        if request.meta.get("govreports_from_registry") and not run.column_fallback_done:
            # the registry's column is gone: find it again from the home page
            run.column_fallback_done = True
            run.status["column_url"] = None
            run.status["discovery"] = "registry-failed"
            run.status["column_source"] = "discovered"
            self._stat("govreports/discovery/registry_column_failed")
            yield from self._discovery_request(run, run.site.home_url, depth=0)

    def _walk_column_page(self, run: SiteRun, response: TextResponse, url: str, *, depth: int) -> Iterator[Any]:
        html = response.text
        adapter = detect_adapter(html, url, forced=run.site.adapter)
        step = adapter.first_page(html, url)
        subcolumns = subcolumn_links(html, response.url, url) if depth < self.subcolumn_depth else []
        if self._list_needs_browser(html, step, subcolumns):
            if is_rendered(response):
                self._render_settled(run, response.request, ok=False, why="still no report link after rendering")
            else:
                retry = self._escalate(run, response.request, LIST_NEEDS_BROWSER)
                if retry is not None:
                    if retry.meta.get("govreports_kind") == "discovery":
                        run.discovery_pending += 1
                    yield retry
                    return
        walk = ColumnWalk(column_url=url, adapter=adapter.name, max_pages=self.max_list_pages)
        self.walks[self._visit_key(url)] = walk
        run.status["columns"].append(url)
        self._stat(f"govreports/adapter/{adapter.name}")
        self._count(run, "list_pages")
        yield from self._take_step(run, walk, step)
        if depth < self.subcolumn_depth:
            for entry in subcolumns:
                if not self._subcolumn_in_years(entry):
                    self._stat("govreports/discovery/subcolumn_outside_years")
                    continue
                self._stat("govreports/discovery/subcolumn")
                yield from self._column_request(run, entry.url, depth=depth + 1)

    def _subcolumn_in_years(self, entry: ListEntry) -> bool:
        """A year sub-column (2023n/, gknb2017/, 2023年) outside -a years (±1: some portals file
        reports by publication year) is not walked; unit sub-columns always are."""
        if self.years is None:
            return True
        segments = [part for part in urlsplit(entry.url).path.split("/") if part and "." not in part]
        year = report_year_hint(entry.title) or (report_year_hint(segments[-1]) if segments else None)
        return year is None or self.years[0] - 1 <= year <= self.years[1] + 1

    def parse_list_page(self, response: Response, site_id: str, walk_key: str, adapter: str,
                        page: PageRequest) -> Iterator[Any]:
        run = self.runs[site_id]
        walk = self._walk_for(walk_key, adapter)
        self._count(run, "list_pages")
        challenge = self._challenge(run, response)
        if challenge is not None:
            if not challenge:
                self._end_walk(run, walk, walk.fail("blocked"))
            yield from challenge
            return
        self._render_settled(run, response.request, ok=True)
        error_page = self._error_page(run, response, "list page")
        if error_page is not None:
            self._end_walk(run, walk, walk.fail(error_page))
            return
        body = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        step = ADAPTERS[walk.adapter].next_page(body, page)
        yield from self._take_step(run, walk, step)

    def list_page_failed(self, failure: Failure) -> Iterator[Request]:
        run, request, retry = self._failed(failure)
        if retry is not None:
            yield retry
            return
        walk = self._walk_for(request.cb_kwargs["walk_key"], request.cb_kwargs["adapter"])
        self._record_failure(run, failure)
        self._end_walk(run, walk, walk.fail("page_failed"))

    def _walk_for(self, walk_key: str, adapter: str) -> ColumnWalk:
        """The walk a list page belongs to; a fresh one when the request outlived its spider
        (a run resumed from JOBDIR keeps requests on disk but not the spider's memory)."""
        walk = self.walks.get(walk_key)
        if walk is None:
            walk = ColumnWalk(column_url=walk_key, adapter=adapter, max_pages=self.max_list_pages)
            self.walks[walk_key] = walk
            self._stat("govreports/resumed_walks")
        return walk

    def _take_step(self, run: SiteRun, walk: ColumnWalk, step: ListingStep) -> Iterator[Any]:
        update = walk.add(step)
        kept = list(self._candidates(run, walk, step))
        for entry in kept:
            yield from self._report_request(run, entry, walk.column_url)
        reasons = list(update.stop_reasons)
        following = update.next_request
        if (following is not None and self.early_stop and self.known_url is not None and kept
                and all(self.known_url(canonical_url(entry.url)) for entry in kept)):
            following = None
            reasons = ["already_known"]
            walk.stop_reasons.append("already_known")
        if following is not None:
            yield self._list_request(run, walk, following)
        if reasons:
            self._end_walk(run, walk, reasons)

    def _list_request(self, run: SiteRun, walk: ColumnWalk, page: PageRequest) -> Request:
        kwargs = {"site_id": run.site.id, "walk_key": self._visit_key(walk.column_url), "adapter": walk.adapter,
                  "page": page}
        meta = self._meta(run, govreports_kind="list")
        if page.method.upper() == "POST":
            return FormRequest(page.url, formdata=dict(page.formdata), callback=self.parse_list_page,
                               errback=self.list_page_failed, cb_kwargs=kwargs, meta=meta, dont_filter=True)
        return Request(page.url, callback=self.parse_list_page, errback=self.list_page_failed,
                       cb_kwargs=kwargs, meta=meta, dont_filter=True)

    def _end_walk(self, run: SiteRun, walk: ColumnWalk, reasons: Iterable[str]) -> None:
        reasons = list(reasons)
        for reason in reasons:
            self._stat(f"govreports/stop/{reason}")
            run.status["stop_reasons"][reason] = run.status["stop_reasons"].get(reason, 0) + 1
            self.crawler.stats.inc_value(f"govreports/site/{run.site.id}/stop/{reason}")
        run.status["walks"].append({
            "column": walk.column_url, "adapter": walk.adapter, "pages": walk.pages,
            "records": walk.collected, "declared_total": walk.declared_total, "stop_reasons": reasons,
        })
        if "total_not_reached" in reasons:
            self.logger.warning("site %s: column %s declares %s records, %d collected (%s)", run.site.id,
                                walk.column_url, walk.declared_total, walk.collected, ", ".join(reasons))

    def _candidates(self, run: SiteRun, walk: ColumnWalk, step: ListingStep) -> Iterator[ListEntry]:
        record_urls = {entry.url for entry in step.entries}
        for entry in (*step.entries, *step.links):
            verdict = judge_title(entry.title, entry.url)
            if not verdict.keep:
                if entry.url in record_urls:
                    self._stat(f"govreports/candidates/dropped/{verdict.reason}")
                continue
            if not year_wanted(verdict.year, self.years):
                self._stat("govreports/candidates/dropped/outside_years")
                continue
            yield entry

    # --- reports and attachments -------------------------------------------------------------
    def _report_request(self, run: SiteRun, entry: ListEntry, column_url: str) -> Iterator[Request]:
        key = canonical_url(entry.url)
        if key in run.reports:
            return
        run.reports.add(key)
        self._count(run, "candidates")
        self._stat("govreports/candidates/kept")
        yield Request(entry.url, callback=self.parse_report, errback=self.report_failed,
                      cb_kwargs={"site_id": run.site.id, "hints": entry.hints(column_url)},
                      meta=self._meta(run, govreports_kind="report"))

    def parse_report(self, response: Response, site_id: str, hints: dict[str, Any]) -> Iterator[Any]:
        run = self.runs[site_id]
        challenge = self._challenge(run, response)
        if challenge is not None:
            yield from challenge
            return
        self._render_settled(run, response.request, ok=True)
        if self._error_page(run, response, "report page") is not None:
            return
        page = self._report_page(run, response, hints)
        links: list[AttachmentLink] = []
        if isinstance(response, TextResponse) and page.media_type in ("text/html", "application/xhtml+xml"):
            roots = self._content_roots(run, response)
            links = find_attachment_links(roots, response.url)
            # a report published as page images (issue 16): fetched for OCR when the text is too short
            links += report_images(roots, response.url, max_images=self._page_images_wanted())
        yield from self._next_attachment(run, page, links)

    def _page_images_wanted(self) -> int:
        if str(self.settings.get("GOVREPORTS_OCR") or "auto").lower() == "never":
            return 0
        return self.settings.getint("GOVREPORTS_OCR_PAGE_IMAGES")

    def report_failed(self, failure: Failure) -> Iterator[Request]:
        run, request, retry = self._failed(failure)
        if retry is not None:
            yield retry
            return
        self._record_failure(run, failure)

    def _content_roots(self, run: SiteRun, response: TextResponse) -> list[Any]:
        """The report's content containers (the parser's, or the site's own selector), else the whole page.

        Elements of the response's one parsed tree: attachment links are read from them directly.
        """
        custom = run.site.selectors.get("content")
        if custom:
            found = response.css(custom)
            if found:
                return [selector.root for selector in found]
        root = response.selector.root
        for candidates in content_matches(root):
            if candidates:
                return candidates
        return list(root.iter("article")) or [root]

    def _next_attachment(self, run: SiteRun, page: ReportPage, links: list[AttachmentLink]) -> Iterator[Any]:
        """Fetch attachments one after the other; the ReportPage goes out after the last one."""
        if not links:
            run.status["reports_yielded"] += 1
            self.crawler.stats.inc_value(f"govreports/site/{run.site.id}/reports_yielded")
            self._stat("govreports/reports_yielded")
            yield page
            return
        link, rest = links[0], links[1:]
        yield Request(link.url, callback=self.parse_attachment, errback=self.attachment_failed,
                      dont_filter=True, cb_kwargs={"site_id": run.site.id, "page": page, "link": link, "rest": rest},
                      meta=self._meta(run, govreports_kind="attachment"))

    def parse_attachment(self, response: Response, site_id: str, page: ReportPage, link: AttachmentLink,
                         rest: list[AttachmentLink]) -> Iterator[Any]:
        run = self.runs[site_id]
        page.attachments.append({"url": link.url, "name": link.name,
                                 "media_type": self._media_type(response), "body": response.body})
        self._stat("govreports/attachments/fetched")
        yield from self._next_attachment(run, page, rest)

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        run = self.runs[request.cb_kwargs["site_id"]]
        self._record_failure(run, failure)
        self._stat("govreports/attachments/failed")
        yield from self._next_attachment(run, request.cb_kwargs["page"], request.cb_kwargs["rest"])

    def _report_page(self, run: SiteRun, response: Response, hints: dict[str, Any]) -> ReportPage:
        headers = {key.decode("latin-1"): b", ".join(values).decode("latin-1", "replace")
                   for key, values in response.headers.items()}
        return ReportPage(
            url=response.url, body=response.body, site=run.site.info(), media_type=self._media_type(response),
            headers=headers, declared_encoding=self._declared_encoding(response), hints=dict(hints),
            attachments=[], rendered="playwright" in (response.flags or []),
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )

    @staticmethod
    def _media_type(response: Response) -> str:
        declared = (response.headers.get(b"Content-Type") or b"").decode("latin-1").split(";")[0].strip().lower()
        if declared and declared not in ("application/octet-stream", "application/x-download",
                                         "application/force-download", "binary/octet-stream"):
            return declared
        path = urlsplit(response.url).path.lower()
        suffix = Path(path).suffix
        if suffix in _MEDIA_BY_SUFFIX:
            return _MEDIA_BY_SUFFIX[suffix]
        guessed, _ = mimetypes.guess_type(path)
        if guessed:
            return guessed
        return "text/html" if isinstance(response, TextResponse) else "application/octet-stream"

    @staticmethod
    def _declared_encoding(response: Response) -> str | None:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        for part in content_type.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'").lower()
        if isinstance(response, TextResponse):
            return html_body_declared_encoding(response.body)
        return None

    # --- failures and blocks -----------------------------------------------------------------
    def _blocked_by(self, run: SiteRun, status: int, body: bytes, url: str, *, request: Request | None = None) -> bool:
        kind = challenge_kind(status, body)
        if kind is None:
            return False
        self._render_settled(run, request, ok=False, why=f"still a {kind} challenge (HTTP {status})")
        if not run.status["blocked"]:
            if request is not None and is_rendered(request):
                how = "; still a challenge after rendering in Chromium"
            elif browser_may_pass(kind, status) and self._render_off_reason(run):
                how = f"; not rendered: {self._render_off_reason(run)}"
            else:
                how = ""
            run.status["blocked"] = True
            run.status["blocked_reason"] = f"{kind} (HTTP {status}) at {url}{how}"
            self._stat(f"govreports/blocked/{kind}")
            self.crawler.stats.set_value(f"govreports/site/{run.site.id}/blocked", 1)
            self.logger.warning("site %s: blocked by %s at %s; not trying to get around it", run.site.id, kind, url)
        return True

    def _record_failure(self, run: SiteRun, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        if isinstance(error, HttpError):
            response = error.response
            if self._blocked_by(run, response.status, response.body, response.url, request=request):
                kind = "blocked"
            else:
                kind = f"http_{response.status}"
            reason = f"HTTP {response.status}"
        elif isinstance(error, ScopeRefused):
            self._note_scope_refusal(run, request, error)
            return
        elif isinstance(error, RedirectLoop) or (isinstance(error, IgnoreRequest)
                                                  and "max redirections" in str(error)):
            chain = error.chain if isinstance(error, RedirectLoop) else [*request.meta.get("redirect_urls", []),
                                                                          request.url]
            kind, reason = "redirect_loop", f"{error} ({len(chain)} URLs in the chain)"
            request = request.replace(url=chain[0]) if chain else request
        elif isinstance(error, IgnoreRequest):
            # robots.txt and offsite filtering are choices, not failures: counted apart
            text = str(error)
            kind = "robots" if "robots" in text.lower() else ("offsite" if "offsite" in text.lower() else "ignored")
            self._count(run, "pages_skipped")
            self._stat(f"govreports/skipped/{kind}")
            self._sample_failure(run, {"url": request.url, "kind": kind, "reason": text or kind})
            self.logger.info("site %s: %s skipped (%s)", run.site.id, request.url, text or kind)
            return
        elif failure.check(DNSLookupError, CannotResolveHostError):
            kind, reason = "dns", str(error) or "DNS lookup failed"
        elif failure.check(TwistedTimeoutError, TCPTimedOutError, TimeoutError, DownloadTimeoutError):
            kind, reason = "timeout", f"timed out: {error}"
        elif failure.check(ConnectionRefusedError, DownloadConnectionRefusedError):
            kind, reason = "refused", "connection refused"
        elif failure.check(ResponseDataLossError):
            kind, reason = "truncated", "connection closed before the body reached its Content-Length"
        elif failure.check(DownloadCancelledError) and "max size" in str(error):
            kind, reason = "too_large", f"refused: {error}"
        elif failure.check(DownloadFailedError):
            kind, reason = "connection", f"{type(error).__name__}: {error}"
        else:
            kind, reason = "error", f"{type(error).__name__}: {error}"
        self._render_settled(run, request, ok=False, why=reason)
        self._note_failure(run, request.url, kind, reason)

    def _note_failure(self, run: SiteRun, url: str, kind: str, reason: str) -> None:
        self._count(run, "pages_failed")
        self._stat(f"govreports/failed/{kind}")
        self._sample_failure(run, {"url": url, "kind": kind, "reason": reason})
        self.logger.info("site %s: %s failed (%s)", run.site.id, url, reason)

    def _sample_failure(self, run: SiteRun, record: dict[str, Any]) -> None:
        """Keep the first GOVREPORTS_FAILURE_SAMPLES failures of a site; count the rest."""
        if len(run.status["failures"]) < self.failure_samples:
            record["reason"] = str(record["reason"])[:500]
            run.status["failures"].append(record)
        else:
            run.status["failures_omitted"] = run.status.get("failures_omitted", 0) + 1

    def _note_scope_refusal(self, run: SiteRun, request: Request, error: ScopeRefused) -> None:
        """A request or redirect outside the site's scope: not fetched by choice, recorded with why
        (the middleware counted and logged it)."""
        self._count(run, "pages_skipped")
        refused = run.status.setdefault("scope_refused", {})
        refused[error.reason] = refused.get(error.reason, 0) + 1
        url = error.redirected_from or request.url
        target = f" (redirect to {error.url})" if error.redirected_from else ""
        self._sample_failure(run, {"url": url, "kind": f"scope_{error.reason}",
                                   "reason": f"out of scope{target}: {error.detail}"})

    def _error_page(self, run: SiteRun, response: Response, what: str, kind_prefix: str = "") -> str | None:
        """Why a 200 answer is not the page asked for (soft 404, or a redirect to the home page),
        recorded as a failure; None for a real page."""
        redirects = response.meta.get("redirect_urls") or []
        if redirects and self._is_home(run, response.url) and not self._is_home(run, redirects[0]):
            kind, reason = f"{kind_prefix}redirected_home", f"{what} redirected to the home page {response.url}"
        else:
            body = response.text if isinstance(response, TextResponse) else ""
            why = soft_404_reason(body) if body else None
            if why is None:
                return None
            kind, reason = f"{kind_prefix}soft_404", f"{what} answered 200 with an {why}"
        self._note_failure(run, redirects[0] if redirects else response.url, kind, reason)
        return kind

    @staticmethod
    def _is_home(run: SiteRun, url: str) -> bool:
        parts = urlsplit(url)
        home = urlsplit(run.site.home_url)
        root = parts.path.strip("/") in ("", "index.html", "index.htm", "index.shtml", "index.jsp", "index.php")
        return (parts.hostname or "").removeprefix("www.") == (home.hostname or "").removeprefix("www.") \
            and (root or parts.path == home.path) and not parts.query

    def closed(self, reason: str) -> None:
        for run in self.runs.values():
            if run.status["discovery"] in ("pending", "registry-failed"):
                run.status["discovery"] = "no_column: crawl ended before discovery finished"
                self._stat("govreports/discovery/no_column")
        found = sum(1 for run in self.runs.values() if run.status["column_url"])
        self.logger.info("annual_reports closed (%s): %d/%d site(s) with a 年报 column, %d report page(s) yielded",
                         reason, found, len(self.runs),
                         sum(run.status["reports_yielded"] for run in self.runs.values()))
