"""JavaScript-built pages and cookie challenges, rendered in Debian's headless Chromium on demand.

The switch is `GOVREPORTS_RENDER` = `auto` (default) | `never` | `always`, and per site `render` in
sites.toml (a site's `auto` follows the global value). `never` is a global kill switch.

- `RenderAddon` (listed in ADDONS) turns rendering on only when the mode is not `never` and the
  browser binary `GOVREPORTS_CHROMIUM` (/usr/bin/chromium) exists; otherwise it logs one line
  saying why and sets `GOVREPORTS_RENDER_ACTIVE = False`, which is all the spider looks at. When on,
  it installs scrapy-playwright's download handler for http/https with `LazyBrowserProvider` (the
  Playwright driver and Chromium start on the first rendered request, so a crawl that renders
  nothing pays nothing), a small page cap and `RenderMiddleware`.
- `RenderMiddleware` maps the spider's `meta["govreports_render"]` to scrapy-playwright's meta:
  `always` and escalated requests (`meta["playwright"] = True`) go through the browser, which waits
  until the page settles (network idle, no navigation pending: a cookie challenge's
  `location.reload()` is followed), then the response carries the status of the document finally
  shown, and the browser's cookies for the page as `Set-Cookie` headers so Scrapy's cookie jar
  carries a passed challenge over to the site's next plain requests. Everything else stays plain
  HTTP.
- `escalated(request, reason)` is the spider's one retry in the browser (same request, same
  download slot, so the same per-site politeness).

- `RenderLedger` (kept by the run's bookkeeping, `govreports.run.RunBook`) decides whether a page
  may be retried in the browser and keeps each site's account (`SiteStatus.render`: escalated,
  succeeded, failed, the first page that needed a browser while rendering was off, notes).

We render; we never solve CAPTCHAs or spoof fingerprints: a challenge still shown after rendering
is recorded as `blocked`. Stats: `govreports/render/requests` (rendered downloads),
`govreports/render/errors`, `govreports/render/challenge_passed`, `govreports/render/cookies_carried`
(the middleware); `govreports/render/escalated|succeeded|failed|needed_but_off` (the ledger).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from govreports.registry import Site
from govreports.state.base import RenderAccount

logger = logging.getLogger(__name__)

RENDER_MODES: tuple[str, ...] = ("auto", "never", "always")
# the anti-bot answers a real browser may pass (a script computes a cookie and reloads); WAF
# blocks and plain 403s are not retried in the browser: that would be evasion, not rendering
BROWSER_PASSABLE_KINDS: frozenset[str] = frozenset({"ruishu", "jiasule"})
BROWSER_PASSABLE_STATUSES: frozenset[int] = frozenset({412, 521})
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
)
# what a page needs to show its text and links; the rest is aborted in the browser
HEAVY_RESOURCE_TYPES: frozenset[str] = frozenset({"image", "font", "media"})
_HEAVY_SUFFIX = re.compile(r"\.(?:png|jpe?g|gif|bmp|webp|svg|ico|woff2?|ttf|otf|eot|mp4|mp3|flv|swf|avi|wav)(?:$|\?)",
                           re.IGNORECASE)
_META_WATCH = "govreports_render_watch"
_OUR_PLAYWRIGHT_KEYS = ("playwright_page_init_callback", "playwright_page_methods", "playwright_page_goto_kwargs")


# --- deciding --------------------------------------------------------------------------------
def browser_may_pass(kind: str | None, status: int) -> bool:
    """True for the challenges a browser passes by running the page's script (瑞数, 加速乐)."""
    return kind in BROWSER_PASSABLE_KINDS or (kind is not None and status in BROWSER_PASSABLE_STATUSES)


def is_rendered(request_or_response: Request | Response) -> bool:
    """Whether this request went (or this response came) through the browser."""
    if isinstance(request_or_response, Response):
        return "playwright" in (request_or_response.flags or [])
    return bool(request_or_response.meta.get("playwright"))


def escalated(request: Request, reason: str) -> Request:
    """The same request once more, through the browser (same callback, slot and politeness)."""
    meta = {key: value for key, value in request.meta.items()
            if key not in (_META_WATCH, *_OUR_PLAYWRIGHT_KEYS, "retry_times", "download_latency",
                           "govreports_ticket")}  # a new request for the run's progress (govreports.run)
    meta.update({"playwright": True, "govreports_render": "escalated", "govreports_render_reason": reason})
    return request.replace(meta=meta, dont_filter=True)


def host_rules_args(rules: str | None) -> list[str]:
    """Chromium's --host-resolver-rules for GOVREPORTS_BROWSER_HOST_RULES (the farm's host names)."""
    return [f"--host-resolver-rules={rules.strip()}"] if rules and rules.strip() else []


def chromium_problem(path: str) -> str | None:
    """Why the browser at `path` cannot be used, or None when it can."""
    binary = Path(path)
    if not binary.exists():
        return f"no Chromium at {path}"
    if not os.access(binary, os.X_OK):
        return f"{path} is not executable"
    try:
        import scrapy_playwright.handler  # noqa: F401
    except ImportError as error:  # pragma: no cover - a dependency of the project
        return f"scrapy-playwright is not importable ({error})"
    return None


# --- the account ------------------------------------------------------------------------------
class RenderLedger:
    """Whether a site's page may go through the browser, and how its browser retries ended."""

    def __init__(self, settings: BaseSettings, stats: StatsCollector, notes_kept: int) -> None:
        self.default_mode = str(settings.get("GOVREPORTS_RENDER"))
        self.active = settings.getbool("GOVREPORTS_RENDER_ACTIVE")
        self.inactive_reason = settings.get("GOVREPORTS_RENDER_OFF_REASON") or "rendering off"
        self.stats = stats
        self.notes_kept = notes_kept
        self.off_noted: set[str] = set()  # sites whose "needs a browser but rendering is off" was logged

    def mode(self, site: Site) -> str:
        """The site's mode: its sites.toml `render`, or the global one for `auto`."""
        return site.render if site.render != "auto" else self.default_mode

    def off_reason(self, site: Site) -> str | None:
        """Why this site's pages cannot go through the browser, or None when they can."""
        if self.mode(site) == "never":
            return 'render = "never" in sites.toml' if site.render == "never" else "GOVREPORTS_RENDER=never"
        return None if self.active else self.inactive_reason

    def escalate(self, site: Site, account: RenderAccount, request: Request, reason: str) -> Request | None:
        """The request once more, in the browser; None when it was rendered already or rendering
        is off (then counted as `needed_but_off`, with the reason in the account)."""
        if is_rendered(request):
            return None
        off = self.off_reason(site)
        if off is not None:
            self.stats.inc_value("govreports/render/needed_but_off")
            if account.needed_but_off is None:
                account.needed_but_off = f"{reason} at {request.url} (not rendered: {off})"
            if site.id not in self.off_noted:
                self.off_noted.add(site.id)
                logger.warning("site %s: %s at %s needs a browser; not rendered (%s)", site.id, reason, request.url,
                               off)
            return None
        self.stats.inc_value("govreports/render/escalated")
        account.escalated += 1
        logger.info("site %s: %s at %s; retrying it in Chromium", site.id, reason, request.url)
        return escalated(request, reason)

    def settled(self, account: RenderAccount, request: Request | None, *, ok: bool, why: str = "") -> None:
        """Count how an escalated request ended (once): succeeded or failed, with why."""
        if request is None or request.meta.get("govreports_render") != "escalated" \
                or request.meta.get("govreports_render_settled"):
            return
        request.meta["govreports_render_settled"] = True
        self.stats.inc_value(f"govreports/render/{'succeeded' if ok else 'failed'}")
        if ok:
            account.succeeded += 1
            return
        account.failed += 1
        if len(account.notes) < self.notes_kept:
            account.notes.append(f"{request.url}: {why or 'failed'}")


# --- the add-on ------------------------------------------------------------------------------
class RenderAddon:
    """Turns the browser path on (or says in one log line why it stays off)."""

    def update_settings(self, settings: BaseSettings) -> None:
        mode = str(settings.get("GOVREPORTS_RENDER") or "auto").strip().lower()
        if mode not in RENDER_MODES:
            logger.error("GOVREPORTS_RENDER=%r is not one of %s: rendering off", mode, "|".join(RENDER_MODES))
            self._off(settings, f"GOVREPORTS_RENDER={mode!r} is not a render mode")
            return
        if mode == "never":
            self._off(settings, "GOVREPORTS_RENDER=never")
            logger.info("rendering off (GOVREPORTS_RENDER=never): pages that need a browser are counted, not rendered")
            return
        chromium = str(settings.get("GOVREPORTS_CHROMIUM"))
        problem = chromium_problem(chromium)
        if problem is not None:
            self._off(settings, f"{problem} (GOVREPORTS_RENDER={mode})")
            log = logger.error if mode == "always" else logger.warning
            log("rendering off: GOVREPORTS_RENDER=%s but %s; install Debian's chromium (bin/install-system-deps) "
                "to crawl JavaScript-built pages", mode, problem)
            return
        self._on(settings, chromium)
        logger.info("rendering %s: Chromium at %s, started only when a page needs it", mode, chromium)

    @staticmethod
    def _off(settings: BaseSettings, reason: str) -> None:
        settings.set("GOVREPORTS_RENDER_ACTIVE", False, "addon")
        settings.set("GOVREPORTS_RENDER_OFF_REASON", reason, "addon")

    @staticmethod
    def _on(settings: BaseSettings, chromium: str) -> None:
        settings.set("GOVREPORTS_RENDER_ACTIVE", True, "addon")
        settings.set("GOVREPORTS_RENDER_OFF_REASON", None, "addon")
        handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
        handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
        handlers.update({"http": handler, "https": handler})
        settings.set("DOWNLOAD_HANDLERS", handlers, max(settings.getpriority("DOWNLOAD_HANDLERS") or 0, 15))
        timeout_ms = int(settings.getfloat("GOVREPORTS_RENDER_TIMEOUT") * 1000)
        pages = max(1, settings.getint("GOVREPORTS_RENDER_MAX_PAGES"))
        for name, value in {
            "PLAYWRIGHT_BROWSER_TYPE": "chromium",
            "PLAYWRIGHT_BROWSER_PROVIDER": "govreports.render.LazyBrowserProvider",
            "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": chromium, "headless": True, "args": [
                *CHROMIUM_ARGS, *host_rules_args(settings.get("GOVREPORTS_BROWSER_HOST_RULES"))]},
            "PLAYWRIGHT_MAX_CONTEXTS": 1,
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": pages,
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_ms,
            "PLAYWRIGHT_ABORT_REQUEST": "govreports.render.abort_heavy_resources",
            "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": "govreports.render.browser_headers",
        }.items():
            settings.set(name, value, "addon")
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", "govreports.render.RenderMiddleware", 800)


def _lazy_browser_provider() -> type:
    """scrapy-playwright's provider, but the Playwright driver starts with the first browser, not
    with the engine: a crawl that renders nothing never starts Node or Chromium. Built on first
    use so that importing this module (the spider does) does not import Playwright."""
    from scrapy_playwright.provider import PlaywrightBrowserProvider

    class LazyBrowserProvider(PlaywrightBrowserProvider):
        _started = False

        async def start(self) -> None:
            logger.debug("browser provider: Playwright starts with the first rendered request")

        async def _start_once(self) -> None:
            if not self._started:
                self._started = True
                await super().start()

        async def launch_browser(self) -> Any:
            await self._start_once()
            logger.info("rendering: starting Chromium (%s)", self.config.launch_options.get("executable_path"))
            return await super().launch_browser()

        async def launch_persistent_context(self, context_kwargs: dict[str, Any]) -> Any:
            await self._start_once()
            return await super().launch_persistent_context(context_kwargs)

    LazyBrowserProvider.__module__ = __name__
    LazyBrowserProvider.__qualname__ = "LazyBrowserProvider"
    return LazyBrowserProvider


_LAZY: dict[str, type] = {}


def __getattr__(name: str) -> Any:
    """`govreports.render.LazyBrowserProvider` (PLAYWRIGHT_BROWSER_PROVIDER), built on first access."""
    if name == "LazyBrowserProvider":
        if name not in _LAZY:
            _LAZY[name] = _lazy_browser_provider()
        return _LAZY[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- in the browser --------------------------------------------------------------------------
def abort_heavy_resources(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are never needed for text and links."""
    return request.resource_type in HEAVY_RESOURCE_TYPES or bool(_HEAVY_SUFFIX.search(request.url))


async def browser_headers(*, browser_type_name: str, playwright_request: Any,
                          scrapy_request_data: dict[str, Any]) -> dict[str, str]:
    """PLAYWRIGHT_PROCESS_REQUEST_HEADERS: Scrapy's headers (User-Agent …) for navigations, but the
    browser's own cookies win over the Cookie header Scrapy's jar added, or a cookie a challenge
    script just set would be dropped on its reload."""
    from scrapy_playwright.headers import use_scrapy_headers

    headers = await use_scrapy_headers(browser_type_name=browser_type_name, playwright_request=playwright_request,
                                       scrapy_request_data=scrapy_request_data)
    if not playwright_request.is_navigation_request():
        return headers
    browser_cookie = (await playwright_request.all_headers()).get("cookie", "")
    scrapy_cookie = next((value for key, value in headers.items() if key.lower() == "cookie"), "")
    merged = merge_cookie_headers(scrapy_cookie, browser_cookie)
    headers = {key: value for key, value in headers.items() if key.lower() != "cookie"}
    if merged:
        headers["cookie"] = merged
    return headers


def merge_cookie_headers(*cookie_headers: str) -> str:
    """One Cookie header from several; a later header's value wins for the same name."""
    cookies: dict[str, str] = {}
    for header in cookie_headers:
        for part in (header or "").split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name:
                cookies[name] = value
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass
class Navigation:
    """One main-frame document the browser received."""

    url: str
    status: int
    content_type: str


@dataclass
class PageWatch:
    """Follows one rendered page: its main-frame navigations, whether it settled, its cookies."""

    settle_seconds: float = 10.0
    quiet_seconds: float = 0.3
    max_navigations: int = 6
    navigations: list[Navigation] = field(default_factory=list)
    pending: int = 0
    cookies: list[dict[str, Any]] = field(default_factory=list)
    settled: bool = False
    note: str = ""
    raw_body: bytes | None = None
    _last_response: Any = None

    async def attach(self, page: Any, request: Request) -> None:
        """playwright_page_init_callback: watch main-frame navigation requests and responses."""

        def on_request(playwright_request: Any) -> None:
            if playwright_request.is_navigation_request() and playwright_request.frame == page.main_frame:
                self.pending += 1

        def on_done(playwright_request: Any) -> None:
            if playwright_request.is_navigation_request() and playwright_request.frame == page.main_frame:
                self.pending = max(0, self.pending - 1)

        def on_response(response: Any) -> None:
            playwright_request = response.request
            if playwright_request.is_navigation_request() and playwright_request.frame == page.main_frame:
                self.pending = max(0, self.pending - 1)
                if 300 <= response.status < 400:  # a redirect: its target is the next navigation
                    self.pending += 1
                    return
                self.navigations.append(Navigation(response.url, response.status,
                                                   response.headers.get("content-type", "")))
                self._last_response = response

        page.on("request", on_request)
        page.on("requestfailed", on_done)
        page.on("response", on_response)

    async def settle(self, page: Any) -> dict[str, Any]:
        """PageMethod: wait until the network is idle and no navigation is pending (a challenge's
        reload, a JS redirect), within `settle_seconds`; then read the cookies."""
        from playwright.async_api import Error as PlaywrightError

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settle_seconds
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                self.note = f"not settled after {self.settle_seconds:g}s"
                break
            if len(self.navigations) > self.max_navigations:
                self.note = f"more than {self.max_navigations} navigations"
                break
            seen = len(self.navigations)
            try:
                await page.wait_for_load_state("networkidle", timeout=remaining * 1000)
            except PlaywrightError:  # a navigation replaced the document, or the wait timed out
                await asyncio.sleep(0.05)
                continue
            await asyncio.sleep(self.quiet_seconds)  # a script may navigate right after load
            if self.pending == 0 and len(self.navigations) == seen:
                self.settled = True
                break
        try:
            self.cookies = await page.context.cookies([page.url])
        except PlaywrightError:
            self.cookies = []
        final = self.final
        if final is not None and not _is_html(final.content_type) and self._last_response is not None:
            try:  # JSON/XML shown by Chromium is wrapped in HTML: keep the bytes the server sent
                self.raw_body = await self._last_response.body()
            except PlaywrightError:
                self.raw_body = None
        self._last_response = None
        return {"settled": self.settled, "navigations": len(self.navigations), "note": self.note}

    @property
    def final(self) -> Navigation | None:
        return self.navigations[-1] if self.navigations else None


def _is_html(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return not kind or kind in ("text/html", "application/xhtml+xml")


# --- the downloader middleware ---------------------------------------------------------------
class RenderMiddleware:
    """Sends `always` and escalated requests through the browser; fixes up what comes back."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.settle_seconds = settings.getfloat("GOVREPORTS_RENDER_SETTLE")
        self.timeout_ms = int(settings.getfloat("GOVREPORTS_RENDER_TIMEOUT") * 1000)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RenderMiddleware:
        if not crawler.settings.getbool("GOVREPORTS_RENDER_ACTIVE"):
            raise NotConfigured(crawler.settings.get("GOVREPORTS_RENDER_OFF_REASON") or "rendering off")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def wants_browser(self, request: Request) -> bool:
        if request.meta.get("playwright"):
            return True
        # `always`: every page of the site, but files go over plain HTTP (they need no script)
        return request.meta.get("govreports_render") == "always" and request.meta.get("govreports_kind") != "attachment"

    def process_request(self, request: Request) -> None:
        if not self.wants_browser(request):
            return None
        from scrapy_playwright.page import PageMethod

        watch = PageWatch(settle_seconds=self.settle_seconds)
        request.meta["playwright"] = True
        request.meta[_META_WATCH] = watch
        request.meta["playwright_page_init_callback"] = watch.attach
        # return at the first byte of the document: the settle step then follows any reload
        request.meta["playwright_page_goto_kwargs"] = {"wait_until": "commit", "timeout": self.timeout_ms}
        request.meta["playwright_page_methods"] = [PageMethod(watch.settle)]
        self.stats.inc_value("govreports/render/requests")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        watch: PageWatch | None = request.meta.pop(_META_WATCH, None)
        for key in _OUR_PLAYWRIGHT_KEYS:
            request.meta.pop(key, None)
        if watch is None or not is_rendered(response):
            return response
        final = watch.final
        changes: dict[str, Any] = {}
        if final is not None and final.status != response.status and isinstance(response, TextResponse):
            # the browser ran the page: the answer is the document it finally shows
            changes["status"] = final.status
            if response.status in BROWSER_PASSABLE_STATUSES and final.status < 400:
                self.stats.inc_value("govreports/render/challenge_passed")
        if watch.raw_body is not None and isinstance(response, TextResponse):
            changes["body"] = watch.raw_body
            headers = response.headers.copy()
            headers[b"Content-Type"] = final.content_type if final else "application/octet-stream"
            changes["headers"] = headers
        if watch.raw_body is None and isinstance(response, TextResponse):
            # the body is the DOM serialised by the browser, encoded by scrapy-playwright: say how,
            # or a <meta charset=gb2312> of the original page would be believed downstream
            headers = response.headers.copy()
            media = (headers.get(b"Content-Type") or b"text/html").decode("latin-1").split(";")[0].strip()
            headers[b"Content-Type"] = f"{media or 'text/html'}; charset={response.encoding}"
            changes["headers"] = headers
        set_cookies = list(_set_cookie_headers(watch.cookies))
        if set_cookies:
            headers = changes.get("headers") or response.headers.copy()
            for value in set_cookies:
                headers.appendlist(b"Set-Cookie", value.encode("latin-1", "replace"))
            changes["headers"] = headers
            self.stats.inc_value("govreports/render/cookies_carried", len(set_cookies))
        if not watch.settled:
            self.stats.inc_value("govreports/render/not_settled")
            logger.info("rendered %s: %s", request.url, watch.note or "not settled")
        if changes:
            if "body" in changes:
                return Response(url=response.url, status=changes.get("status", response.status),
                                headers=changes["headers"], body=changes["body"], flags=response.flags,
                                request=request, ip_address=response.ip_address)
            return response.replace(**changes)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request.meta.pop(_META_WATCH, None) is not None:
            for key in _OUR_PLAYWRIGHT_KEYS:
                request.meta.pop(key, None)
            self.stats.inc_value("govreports/render/errors")
            self.stats.inc_value(f"govreports/render/errors/{type(exception).__name__}")
            logger.info("rendering %s failed: %s: %s", request.url, type(exception).__name__,
                        str(exception).splitlines()[0] if str(exception) else "")
        return None

    def spider_closed(self) -> None:
        launched = self.crawler.stats.get_value("playwright/browser_count", 0)
        self.crawler.stats.set_value("govreports/render/browser_launched", int(bool(launched)))


def _set_cookie_headers(cookies: Iterable[dict[str, Any]]) -> Iterable[str]:
    """Browser cookies as host-only Set-Cookie values Scrapy's cookie jar accepts."""
    for cookie in cookies:
        name, value = cookie.get("name"), cookie.get("value", "")
        if not name:
            continue
        parts = [f"{name}={value}", f"Path={cookie.get('path') or '/'}"]
        if cookie.get("secure"):
            parts.append("Secure")
        if cookie.get("httpOnly"):
            parts.append("HttpOnly")
        yield "; ".join(parts)
