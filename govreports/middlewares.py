"""Downloader middlewares of the crawl.

`BackoffRetryMiddleware` is Scrapy's RetryMiddleware (same settings: RETRY_TIMES,
RETRY_HTTP_CODES, RETRY_EXCEPTIONS, and Scrapy's public `get_retry_request`) plus an exponential
pause before each retry, so a struggling government server is not hit again at once: the n-th
retry waits `GOVREPORTS_RETRY_BACKOFF * 2**(n-1)` seconds (default 2, 4, 8 …), at most
`GOVREPORTS_RETRY_BACKOFF_MAX` (60), or the server's `Retry-After` (seconds or an HTTP date,
capped the same way).

The pause is not spent in the downloader: a waiting retry must not hold one of the
CONCURRENT_REQUESTS slots (with hundreds of dead hosts, sleeping retries would starve the live
ones). The retry request goes back to the engine as usual; when the engine schedules it, the
`request_scheduled` handler holds it back (IgnoreRequest from that signal drops it without an
errback) and hands it to `engine.crawl` again once its delay is over. While retries wait, the
spider is kept open (`spider_idle` → DontCloseSpider). Scrapy 2.19 has no per-request delay of its
own (scrapy/scrapy#802), hence this middleware. A retry that does not come back through the
scheduler (robots.txt, fetched by `engine.download_async`) still waits in the downloader.

An origin (scheme, host, port) that never answered anything in this run and whose request gave up after its retries on a
network error (timeout, refused, TLS, DNS) is down: its later requests fail at once with
`HostDown` (recorded by the errbacks like any failure) instead of each waiting for its own
timeouts (`GOVREPORTS_HOST_DOWN_SKIP`). On a national crawl ~10 % of hosts time out; without this
each would spend 3 × DOWNLOAD_TIMEOUT on robots.txt and again on its home page.
Stats: `govreports/retry/backoff_count`, `govreports/retry/backoff_seconds`,
`govreports/retry/waiting_max` (most retries waiting at once), `govreports/retry/cancelled_at_close`,
`govreports/retry/backoff_in_downloader`, `govreports/host_down/hosts`, `govreports/host_down/skipped`.

`ScopeMiddleware` (before OffsiteMiddleware and robots.txt) and `RedirectScopeMiddleware` (before
RedirectMiddleware) keep the crawl inside each site's scope (govreports/scope.py): every request
and every redirect target is judged, refusals raise `ScopeRefused` (an IgnoreRequest the spider's
errbacks record) and count `govreports/scope/refused/<reason>`; redirect loops raise `RedirectLoop`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import scrapy.downloadermiddlewares.robotstxt
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.response import response_status_message
from w3lib.url import safe_url_string

from govreports.failures import HostDown, RedirectLoop, RobotsForbidden, ScopeRefused
from govreports.run import RunBook
from govreports.scope import Refusal, SiteScope, ip_literal, parse_networks, refusal, resolved_refusal
from govreports.urls import canonical_url

logger = logging.getLogger(__name__)

_DELAY_KEY = "govreports_retry_delay"


class RetryDeferred(IgnoreRequest):
    """Raised from `request_scheduled` to hold a retry back until its delay is over (not a failure)."""


def _host(url: str) -> str:
    """The origin (scheme, host, port) a request goes to: an http port that never answers says
    nothing of the same host's https (`-a url=` tries both)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return ""
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    except ValueError:  # a port out of range: the download fails and is recorded on its own
        port = 0
    return f"{parts.scheme}://{parts.hostname.lower()}:{port}"


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries with exponential backoff, waiting outside the downloader; replaces scrapy's
    RetryMiddleware at the same priority."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.backoff = crawler.settings.getfloat("GOVREPORTS_RETRY_BACKOFF")
        self.backoff_max = crawler.settings.getfloat("GOVREPORTS_RETRY_BACKOFF_MAX")
        self.waiting: dict[Request, CallLaterResult] = {}
        self.skip_down_hosts = crawler.settings.getbool("GOVREPORTS_HOST_DOWN_SKIP")
        self.answered: set[str] = set()   # hosts that sent at least one HTTP answer
        self.down: set[str] = set()
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffRetryMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        host = _host(request.url)
        if host in self.down:
            self.crawler.stats.inc_value("govreports/host_down/skipped")
            raise HostDown(request.url, host)
        delay = request.meta.pop(_DELAY_KEY, 0)
        if delay and delay > 0:  # a retry downloaded directly (robots.txt): it never met request_scheduled
            self.crawler.stats.inc_value("govreports/retry/backoff_in_downloader")
            await asyncio.sleep(delay)

    # without Scrapy's deprecated `spider` argument, hence the narrower signature
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        self.answered.add(_host(request.url))
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry_request(request, response_status_message(response.status), retry_after_seconds(response))
        return retry or response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        if isinstance(exception, HostDown):
            return None
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            retry = self._retry_request(request, exception, None)
            if retry is None:
                self._gave_up(request, exception)
            return retry
        return None

    def _gave_up(self, request: Request, exception: Exception) -> None:
        """A request out of retries on a network error: its host is down if it never answered."""
        host = _host(request.url)
        if not self.skip_down_hosts or not host or host in self.answered or host in self.down:
            return
        self.down.add(host)
        self.crawler.stats.inc_value("govreports/host_down/hosts")
        logger.warning("host %s is down (never answered; %s after %d retries): its other requests are not sent",
                       host, type(exception).__name__, request.meta.get("retry_times", 0))

    def _retry_request(self, request: Request, reason: str | Exception, retry_after: float | None) -> Request | None:
        """The retry (Scrapy's `get_retry_request`) with its delay in meta, or None when given up."""
        spider = self.crawler.spider
        assert spider is not None  # downloads happen only while a spider is open
        retry = get_retry_request(
            request,
            spider=spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
        )
        if retry is not None:
            attempt = int(retry.meta.get("retry_times", 1))
            delay = retry_after if retry_after is not None else self.backoff * 2 ** (attempt - 1)
            retry.meta[_DELAY_KEY] = min(delay, self.backoff_max)
        return retry

    def request_scheduled(self, request: Request) -> None:
        """Hold a retry back until its delay is over, outside the downloader and the scheduler."""
        delay = request.meta.pop(_DELAY_KEY, 0)
        if not delay or delay <= 0:
            return
        stats = self.crawler.stats
        stats.inc_value("govreports/retry/backoff_count")
        stats.inc_value("govreports/retry/backoff_seconds", delay)
        self.waiting[request] = call_later(delay, self._release, request)
        stats.max_value("govreports/retry/waiting_max", len(self.waiting))
        raise RetryDeferred(f"retry of {request.url} waits {delay:.1f} s")

    def _release(self, request: Request) -> None:
        if self.waiting.pop(request, None) is not None and self.crawler.engine is not None:
            self.crawler.engine.crawl(request)

    def spider_idle(self) -> None:
        if self.waiting:
            raise DontCloseSpider

    def spider_closed(self) -> None:
        """A crawl stopped early (shutdown, CLOSESPIDER_*) drops the retries still waiting: counted."""
        if self.waiting:
            self.crawler.stats.inc_value("govreports/retry/cancelled_at_close", len(self.waiting))
            logger.warning("%d retries were still waiting when the crawl closed; not fetched", len(self.waiting))
        for handle in self.waiting.values():
            handle.cancel()
        self.waiting.clear()


class RobotsTxtMiddleware(scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, raising the typed `RobotsForbidden` (an IgnoreRequest) so
    the refusal is told apart by its type, not by its message."""

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as error:
            raise RobotsForbidden(str(error)) from None


def retry_after_seconds(response: Response, *, now: float | None = None) -> float | None:
    """The answer's Retry-After in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None  # unreadable: the exponential delay applies
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# --- scope -------------------------------------------------------------------------------------
class _ScopeBase:
    """Shared set-up: the run's bookkeeping says which scope a request belongs to (`RunBook.request_scope`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        networks, errors = parse_networks(crawler.settings.get("GOVREPORTS_ALLOWED_PRIVATE_NETS") or "")
        self.allowed_private_nets = networks
        for message in errors:
            logger.error("GOVREPORTS_ALLOWED_PRIVATE_NETS: %s; entry ignored", message)
        self.logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def scope_of(self, request: Request) -> SiteScope | None:
        """The scope the run's bookkeeping gives the request; None without it (everything passes)."""
        book = self.crawler.get_extension(RunBook)
        return book.request_scope(request) if book is not None else None

    def refuse(self, request: Request, error: ScopeRefused) -> ScopeRefused:
        self.stats.inc_value(f"govreports/scope/refused/{error.reason}")
        site = request.meta.get("govreports_site")
        host = urlsplit(error.url).hostname or error.url[:40]
        level = logging.WARNING if (error.reason, host) not in self.logged else logging.DEBUG
        self.logged.add((error.reason, host))
        logger.log(level, "site %s: %s (not fetched; declare the host in sites.toml allowed_domains if it "
                          "belongs to the site)", site or "-", error)
        return error


class ScopeMiddleware(_ScopeBase):
    """Refuses every request outside its site's scope before anything is sent (runs before the
    robots.txt middleware, so not even robots.txt is fetched from a refused host), whatever
    `dont_filter` says. Host names in scope are resolved once (cached) and refused when they
    resolve to a private address outside GOVREPORTS_ALLOWED_PRIVATE_NETS (GOVREPORTS_SCOPE_RESOLVE,
    default True). Stats `govreports/scope/refused/<reason>` (per site: the site status's `scope_refused`)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.resolve = crawler.settings.getbool("GOVREPORTS_SCOPE_RESOLVE")
        self.resolved: dict[str, Refusal | None] = {}

    async def process_request(self, request: Request) -> None:
        scope = self.scope_of(request)
        if scope is None:
            return
        refused = refusal(request.url, scope, self.allowed_private_nets)
        if refused is None and self.resolve:
            host = (urlsplit(request.url).hostname or "").lower()
            if host and ip_literal(host) is None:
                refused = await self._resolved(host)
        if refused is not None:
            chain = request.meta.get("redirect_urls") or []
            raise self.refuse(request, ScopeRefused(request.url, refused, redirected_from=chain[-1] if chain else None))

    async def _resolved(self, host: str) -> Refusal | None:
        if host not in self.resolved:
            try:
                infos = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(host, None), timeout=10)
                addresses = [str(info[4][0]) for info in infos]
            except (TimeoutError, OSError, RuntimeError):
                addresses = []  # unresolvable: the download itself will fail and be recorded
            self.resolved[host] = resolved_refusal(host, addresses, self.allowed_private_nets)
        return self.resolved[host]


class RedirectScopeMiddleware(_ScopeBase):
    """Judges a 3xx answer's Location before RedirectMiddleware follows it (place it above 600):
    an out-of-scope target is refused (`ScopeRefused`), a target already in the redirect chain is a
    loop (`RedirectLoop`, which Scrapy's duplicate filter would otherwise drop silently)."""

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        target = safe_url_string(urljoin(request.url, location.decode("latin-1").strip()))
        scope = self.scope_of(request)
        if scope is not None:
            refused = refusal(target, scope, self.allowed_private_nets)
            if refused is not None:
                raise self.refuse(request, ScopeRefused(target, refused, redirected_from=request.url))
        chain = [*(request.meta.get("redirect_urls") or []), request.url]
        if canonical_url(target) in {canonical_url(url) for url in chain}:
            self.stats.inc_value("govreports/redirect_loop")
            raise RedirectLoop([*chain, target])
        return response
