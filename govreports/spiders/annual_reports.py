"""`annual_reports`: one spider for every portal of the registry. It navigates, nothing else.

Per site it starts from the registry's 年报 column (or sites.toml `start_urls`, or the home page),
finds the column by discovery when needed (listing/discovery.py), walks it and its sub-columns
with the CMS adapter that recognises the pages (listing/adapters/), keeps the links whose titles
name an annual disclosure report (listing/candidates.py), fetches each report page and its
attachments, and yields one `ReportPage` per report. Parsing is the pipelines' job. Arguments:
govreports/selection.py. What happened to each site is told to the run's bookkeeping
(`self.book`, govreports/run.py), which also decides the one browser retry of a page a script
builds or guards (govreports/render.py) and early stop on known reports.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.http import FormRequest, Request, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from govreports.failures import failed_request
from govreports.items import ReportPage
from govreports.listing import discovery
from govreports.listing.adapters import ADAPTERS, ListingStep, PageRequest, detect_adapter
from govreports.listing.candidates import judge_title, subcolumn_in_years, year_wanted
from govreports.listing.challenge import list_needs_browser
from govreports.listing.entries import ListEntry
from govreports.listing.soft404 import not_the_page
from govreports.listing.walk import ColumnWalk
from govreports.pages import attachment_record, report_page
from govreports.parsing.attachments import AttachmentLink, content_roots, find_attachment_links
from govreports.parsing.ocr.config import config_from_settings
from govreports.parsing.ocr.page_images import report_images
from govreports.parsing.tree import html_root
from govreports.registry import Site
from govreports.render import is_rendered
from govreports.run import RunBook
from govreports.selection import ARGUMENT_NAMES, SiteSelection, apply_download_slots, select, slot_of
from govreports.urls import canonical_url, is_site_root, visit_key

LIST_NEEDS_BROWSER = "list page with scripts but no report links"  # why a column page is rendered (render.py)


@dataclass
class SiteRun:
    """The spider's navigation state for one site (what it has asked for, what is pending)."""

    site: Site
    hub_budget: int
    visited: set[str] = field(default_factory=set)  # canonical URLs of discovery/list pages requested
    reports: set[str] = field(default_factory=set)  # canonical URLs of report pages requested
    discovery_pending: int = 0
    column_fallback_done: bool = False


class AnnualReportsSpider(scrapy.Spider):
    name = "annual_reports"
    allowed_domains: list[str]
    max_list_pages: int
    discovery_depth: int
    subcolumn_depth: int
    page_images: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = {name: kwargs.pop(name) for name in ARGUMENT_NAMES if name in kwargs}
        super().__init__(*args, **kwargs)
        self.arguments = {name: str(value) for name, value in given.items() if value not in (None, "")}
        self.selection = SiteSelection()
        self.runs: dict[str, SiteRun] = {}
        self.walks: dict[str, ColumnWalk] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AnnualReportsSpider:
        spider: AnnualReportsSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_list_pages = settings.getint("GOVREPORTS_MAX_LIST_PAGES")
        spider.discovery_depth = settings.getint("GOVREPORTS_DISCOVERY_DEPTH")
        spider.subcolumn_depth = settings.getint("GOVREPORTS_SUBCOLUMN_DEPTH")
        spider.page_images = config_from_settings(settings).page_images
        spider.selection = select(settings, spider.arguments)
        sites = spider.selection.sites
        hub_pages = settings.getint("GOVREPORTS_MAX_HUB_PAGES")
        spider.runs = {site.id: SiteRun(site, hub_budget=hub_pages) for site in sites}
        spider.allowed_domains = list(dict.fromkeys(domain for site in sites for domain in site.domains()))
        apply_download_slots(settings, sites)
        return spider

    @cached_property
    def book(self) -> RunBook:
        return RunBook.of(self.crawler)

    def _meta(self, run: SiteRun, **extra: Any) -> dict[str, Any]:
        meta: dict[str, Any] = {"govreports_site": run.site.id, "download_slot": slot_of(run.site), **extra}
        if (render := self.book.render.mode(run.site)) != "never":
            meta["govreports_render"] = render
        return meta

    def _first_visit(self, run: SiteRun, url: str) -> bool:
        before = len(run.visited)
        run.visited.add(visit_key(url))
        return len(run.visited) > before

    # --- start -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for run in self.runs.values():
            for request in self._start_requests(run):
                yield request

    def _start_requests(self, run: SiteRun) -> Iterator[Request]:
        site = run.site
        if site.start_urls:
            self.book.column_source(site.id, "ad-hoc" if self.selection.adhoc else "start_url")
            for url in site.start_urls:
                yield from self._discovery_request(run, url, depth=0, entry=True)
        elif site.annual_report_url:
            self.book.column_source(site.id, "registry", discovery="registry")
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
        self.book.page(site_id, "hub")
        yield from self._discover(run, response, depth, entry, stub_followed)
        if run.discovery_pending <= 0:
            self.book.discovery_settled(site_id, run.hub_budget)

    def _discover(self, run: SiteRun, response: Response, depth: int, entry: bool,
                  stub_followed: bool) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self.book.failed(run.site.id, response.url, "not_html", "discovery page is not HTML")
            return
        challenge = self.book.challenge(run.site.id, response)
        if challenge is not None:
            run.discovery_pending += len(challenge)
            yield from challenge
            return
        self.book.render_settled(run.site.id, response.request, ok=True)
        if self._error_page(run, response, "discovery page") is not None:
            return
        html = response.text
        target = discovery.js_redirect_target(html, response.url)
        if target and not stub_followed:
            self.crawler.stats.inc_value("govreports/discovery/redirect_stub")
            yield from self._discovery_request(run, target, depth=depth, entry=entry, stub_followed=True)
            return
        if entry and not is_site_root(response.url) and discovery.looks_like_column(html, response.url):
            self.book.column_found(run.site.id, response.url, "the given URL is a 年报 column")
            yield from self._walk_column_page(run, response, response.url, depth=0)
            return
        columns = discovery.column_links(html, response.url)
        if columns:
            best = columns[0].score
            for link in [link for link in columns if link.score >= best - 6][:4]:
                if visit_key(link.url) in run.visited:
                    continue
                self.book.column_found(run.site.id, link.url, f"{link.why} on {response.url}")
                yield from self._column_request(run, link.url, depth=0)
        elif self.book.status(run.site.id).column_url is None and depth < self.discovery_depth:
            entries = discovery.platform_links(html, response.url) if self.book.owns(run.site.id, response.url) else []
            accepted = [link.url for link in entries if self.book.platform(run.site.id, link, response.url)]
            for url in [*accepted, *(link.url for link in discovery.hub_links(html, response.url))]:
                if run.hub_budget <= 0:
                    self.crawler.stats.inc_value("govreports/discovery/hub_budget_exhausted")
                    break
                if visit_key(url) in run.visited:
                    continue
                run.hub_budget -= 1
                yield from self._discovery_request(run, url, depth=depth + 1)

    def discovery_failed(self, failure: Failure) -> Iterator[Request]:
        run, request, retry = self._failed(failure)
        if retry is not None:
            yield retry
            return
        run.discovery_pending -= 1
        https = self.selection.https_fallback.get(request.url)
        if https is not None and not isinstance(failure.value, HttpError):
            self.logger.info("site %s: %s failed (%s); trying %s", run.site.id, request.url, failure.value, https)
            run.visited.discard(visit_key(https))  # the http and https spellings share one key
            yield from self._discovery_request(run, https, depth=0, entry=True)
            return
        self.book.failure(run.site.id, failure)
        if run.discovery_pending <= 0:
            self.book.discovery_settled(run.site.id, run.hub_budget)

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
            self.book.failed(site_id, response.url, "not_html", "column page is not HTML")
            return
        challenge = self.book.challenge(run.site.id, response)
        if challenge is not None:
            yield from challenge
            return
        target = discovery.js_redirect_target(response.text, response.url)
        if target and not stub_followed:
            self.crawler.stats.inc_value("govreports/discovery/redirect_stub")
            yield from self._column_request(run, target, depth=depth, stub_followed=True)
            return
        error_page = self._error_page(run, response, "column page", kind_prefix="column_")
        if error_page is not None:
            # a removed column (soft 404, or a 301 to the home page) is not the column: say so
            self.book.stopped(site_id, error_page)
            yield from self._registry_column_gone(run, response.request)
            return
        self.book.column_found(site_id, column_url, "registry annual_report_url")
        # keep the fragment of the URL as linked: gkmlpt's category id lives there
        url = column_url if urlsplit(column_url).fragment else response.url
        yield from self._walk_column_page(run, response, url, depth=depth)
        self.book.render_settled(site_id, response.request, ok=True)

    def column_failed(self, failure: Failure) -> Iterator[Request]:
        run, request, retry = self._failed(failure)
        if retry is not None:
            yield retry
            return
        self.book.failure(run.site.id, failure)
        yield from self._registry_column_gone(run, request)

    def _registry_column_gone(self, run: SiteRun, request: Request | None) -> Iterator[Request]:
        """The registry's column is gone: find it again from the home page (once)."""
        if request is not None and request.meta.get("govreports_from_registry") and not run.column_fallback_done:
            run.column_fallback_done = True
            self.book.column_lost(run.site.id)
            yield from self._discovery_request(run, run.site.home_url, depth=0)

    def _walk_column_page(self, run: SiteRun, response: TextResponse, url: str, *, depth: int) -> Iterator[Any]:
        html = response.text
        adapter = detect_adapter(html, url, forced=run.site.adapter)
        step = adapter.first_page(html, url)
        subcolumns = discovery.subcolumn_links(html, response.url, url) if depth < self.subcolumn_depth else []
        if list_needs_browser(html, step, subcolumns):
            if is_rendered(response):
                self.book.render_settled(run.site.id, response.request, ok=False,
                                         why="still no report link after rendering")
            elif response.request is not None:
                retry = self.book.escalate(run.site.id, response.request, LIST_NEEDS_BROWSER)
                if retry is not None:
                    if retry.meta.get("govreports_kind") == "discovery":
                        run.discovery_pending += 1
                    yield retry
                    return
        walk = ColumnWalk(column_url=url, adapter=adapter.name, max_pages=self.max_list_pages)
        self.walks[visit_key(url)] = walk
        self.book.column_walked(run.site.id, url)
        self.crawler.stats.inc_value(f"govreports/adapter/{adapter.name}")
        yield from self._take_step(run, walk, step)
        for entry in subcolumns:
            if not subcolumn_in_years(entry, self.selection.years):
                self.crawler.stats.inc_value("govreports/discovery/subcolumn_outside_years")
                continue
            self.crawler.stats.inc_value("govreports/discovery/subcolumn")
            yield from self._column_request(run, entry.url, depth=depth + 1)

    def parse_list_page(self, response: Response, site_id: str, walk_key: str, adapter: str,
                        page: PageRequest) -> Iterator[Any]:
        run = self.runs[site_id]
        walk = self._walk_for(walk_key, adapter)
        self.book.page(site_id, "list")
        challenge = self.book.challenge(run.site.id, response)
        if challenge is not None:
            if not challenge:
                self.book.walk_ended(site_id, walk, walk.fail("blocked"))
            yield from challenge
            return
        self.book.render_settled(site_id, response.request, ok=True)
        error_page = self._error_page(run, response, "list page")
        if error_page is not None:
            self.book.walk_ended(site_id, walk, walk.fail(error_page))
            return
        body = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        yield from self._take_step(run, walk, ADAPTERS[walk.adapter].next_page(body, page))

    def list_page_failed(self, failure: Failure) -> Iterator[Request]:
        run, request, retry = self._failed(failure)
        if retry is not None:
            yield retry
            return
        walk = self._walk_for(request.cb_kwargs["walk_key"], request.cb_kwargs["adapter"])
        self.book.failure(run.site.id, failure)
        self.book.walk_ended(run.site.id, walk, walk.fail("page_failed"))

    def _walk_for(self, walk_key: str, adapter: str) -> ColumnWalk:
        """The walk a list page belongs to; a fresh one when the request outlived its spider
        (a run resumed from JOBDIR keeps requests on disk but not the spider's memory)."""
        walk = self.walks.get(walk_key)
        if walk is None:
            walk = self.walks[walk_key] = ColumnWalk(walk_key, adapter, max_pages=self.max_list_pages)
            self.crawler.stats.inc_value("govreports/resumed_walks")
        return walk

    def _take_step(self, run: SiteRun, walk: ColumnWalk, step: ListingStep) -> Iterator[Any]:
        update = walk.add(step)
        kept = list(self._candidates(walk, step))
        for entry in kept:
            yield from self._report_request(run, entry, walk.column_url)
        reasons = list(update.stop_reasons)
        following = update.next_request
        if following is not None and self.book.all_known(run.site.id, [entry.url for entry in kept]):
            following = None
            reasons = ["already_known"]
            walk.stop_reasons.append("already_known")
        if following is not None:
            yield self._list_request(run, walk, following)
        if reasons:
            self.book.walk_ended(run.site.id, walk, reasons)

    def _list_request(self, run: SiteRun, walk: ColumnWalk, page: PageRequest) -> Request:
        kwargs = {"site_id": run.site.id, "walk_key": visit_key(walk.column_url), "adapter": walk.adapter,
                  "page": page}
        meta = self._meta(run, govreports_kind="list")
        if page.method.upper() == "POST":
            return FormRequest(page.url, formdata=dict(page.formdata), callback=self.parse_list_page,
                               errback=self.list_page_failed, cb_kwargs=kwargs, meta=meta, dont_filter=True)
        return Request(page.url, callback=self.parse_list_page, errback=self.list_page_failed,
                       cb_kwargs=kwargs, meta=meta, dont_filter=True)

    def _candidates(self, walk: ColumnWalk, step: ListingStep) -> Iterator[ListEntry]:
        record_urls = {entry.url for entry in step.entries}
        for entry in (*step.entries, *step.links):
            verdict = judge_title(entry.title, entry.url)
            if not verdict.keep:
                if entry.url in record_urls:
                    self.crawler.stats.inc_value(f"govreports/candidates/dropped/{verdict.reason}")
                continue
            if not year_wanted(verdict.year, self.selection.years):
                self.crawler.stats.inc_value("govreports/candidates/dropped/outside_years")
                continue
            yield entry

    # --- reports and attachments -------------------------------------------------------------
    def _report_request(self, run: SiteRun, entry: ListEntry, column_url: str) -> Iterator[Request]:
        key = canonical_url(entry.url)
        if key in run.reports:
            return
        run.reports.add(key)
        self.book.candidate(run.site.id)
        yield Request(entry.url, callback=self.parse_report, errback=self.report_failed,
                      cb_kwargs={"site_id": run.site.id, "hints": entry.hints(column_url)},
                      meta=self._meta(run, govreports_kind="report"))

    def parse_report(self, response: Response, site_id: str, hints: dict[str, Any]) -> Iterator[Any]:
        run = self.runs[site_id]
        challenge = self.book.challenge(run.site.id, response)
        if challenge is not None:
            yield from challenge
            return
        self.book.render_settled(site_id, response.request, ok=True)
        if self._error_page(run, response, "report page") is not None:
            return
        page = report_page(response, run.site.info(), hints)
        links: list[AttachmentLink] = []
        if isinstance(response, TextResponse) and page.media_type in ("text/html", "application/xhtml+xml"):
            links = self._page_links(run, response)
        yield from self._next_attachment(run, page, links)

    def _page_links(self, run: SiteRun, response: TextResponse) -> list[AttachmentLink]:
        """The page's attachment and page-image links, from a tree no callback keeps.

        Not `response.selector`: Scrapy's selector and its response refer to each other, so every
        report page's tree (≈ 10× its HTML) lived until a full garbage collection, hundreds of them
        at 3,000 portals; and not a local of the callback, which stays suspended while its
        ReportPage goes through the pipelines. HTML is parsed once into plain lxml elements
        (`html_root`, shared with the listing readers; cheaper to walk from Python than parsel's)."""
        root = (Selector(text=response.text, type="xml").root if isinstance(response, XmlResponse)
                else html_root(response.text))
        roots = content_roots(root, run.site.selectors.get("content"))
        links = find_attachment_links(roots, response.url)
        # a report published as page images: fetched for OCR when the page's text is too short
        return links + report_images(roots, response.url, max_images=self.page_images)

    def report_failed(self, failure: Failure) -> Iterator[Request]:
        run, _, retry = self._failed(failure)
        if retry is not None:
            yield retry
            return
        self.book.failure(run.site.id, failure)

    def _next_attachment(self, run: SiteRun, page: ReportPage, links: list[AttachmentLink]) -> Iterator[Any]:
        """Fetch attachments one after the other; the ReportPage goes out after the last one."""
        if not links:
            self.book.report_yielded(run.site.id)
            yield page
            return
        link, rest = links[0], links[1:]
        yield Request(link.url, callback=self.parse_attachment, errback=self.attachment_failed,
                      dont_filter=True, cb_kwargs={"site_id": run.site.id, "page": page, "link": link, "rest": rest},
                      meta=self._meta(run, govreports_kind="attachment"))

    def parse_attachment(self, response: Response, site_id: str, page: ReportPage, link: AttachmentLink,
                         rest: list[AttachmentLink]) -> Iterator[Any]:
        page.attachments.append(attachment_record(response, link.url, link.name))
        self.crawler.stats.inc_value("govreports/attachments/fetched")
        yield from self._next_attachment(self.runs[site_id], page, rest)

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        request = failed_request(failure)
        run = self.runs[request.cb_kwargs["site_id"]]
        self.book.failure(run.site.id, failure)
        self.crawler.stats.inc_value("govreports/attachments/failed")
        yield from self._next_attachment(run, request.cb_kwargs["page"], request.cb_kwargs["rest"])


    def _failed(self, failure: Failure) -> tuple[SiteRun, Request, Request | None]:
        """An errback's first step: the failed request, its site, its one browser retry (or None)."""
        request = failed_request(failure)
        run = self.runs[request.cb_kwargs["site_id"]]
        return run, request, self.book.browser_retry(run.site.id, failure)

    def _error_page(self, run: SiteRun, response: Response, what: str, kind_prefix: str = "") -> str | None:
        """The failure kind when a 200 answer is not the page asked for (soft 404, redirect home)."""
        redirects = response.meta.get("redirect_urls") or []
        html = response.text if isinstance(response, TextResponse) and response.body else None
        verdict = not_the_page(response.url, redirects, run.site.home_url, html, what)
        if verdict is not None:
            self.book.failed(run.site.id, redirects[0] if redirects else response.url, kind_prefix + verdict[0],
                             verdict[1])
        return None if verdict is None else kind_prefix + verdict[0]

