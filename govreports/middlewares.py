"""Downloader middlewares of the crawl.

`BackoffRetryMiddleware` is Scrapy's RetryMiddleware (same settings: RETRY_TIMES,
RETRY_HTTP_CODES, RETRY_EXCEPTIONS) plus an exponential pause before each retry, so a struggling
government server is not hit again at once: the n-th retry waits
`GOVREPORTS_RETRY_BACKOFF * 2**(n-1)` seconds (default 2, 4, 8 …), at most
`GOVREPORTS_RETRY_BACKOFF_MAX` (60), or the server's `Retry-After` when it sends one (capped the
same way). Stats: `govreports/retry/backoff_count`, `govreports/retry/backoff_seconds`.

`ScopeMiddleware` (before OffsiteMiddleware and robots.txt) and `RedirectScopeMiddleware` (before
RedirectMiddleware) keep the crawl inside each site's scope (govreports/scope.py): every request
and every redirect target is judged, refusals raise `ScopeRefused` (an IgnoreRequest the spider's
errbacks record) and count `govreports/scope/refused/<reason>`; redirect loops raise `RedirectLoop`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy.downloadermiddlewares.robotstxt
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser
from w3lib.url import safe_url_string

from govreports.failures import RedirectLoop, RobotsForbidden, ScopeRefused
from govreports.run import RunBook
from govreports.scope import Refusal, SiteScope, ip_literal, parse_networks, refusal, resolved_refusal
from govreports.urls import canonical_url

logger = logging.getLogger(__name__)

_DELAY_KEY = "govreports_retry_delay"


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries with exponential backoff; replaces scrapy's RetryMiddleware at the same priority."""

    backoff: float
    backoff_max: float

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.backoff = crawler.settings.getfloat("GOVREPORTS_RETRY_BACKOFF")
        middleware.backoff_max = crawler.settings.getfloat("GOVREPORTS_RETRY_BACKOFF_MAX")
        return middleware

    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop(_DELAY_KEY, 0)
        if delay > 0:
            self.crawler.stats.inc_value("govreports/retry/backoff_count")
            self.crawler.stats.inc_value("govreports/retry/backoff_seconds", delay)
            await asyncio.sleep(delay)

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if isinstance(result, Request):
            retry_after = _retry_after_seconds(response)
            if retry_after is not None:
                result.meta[_DELAY_KEY] = min(retry_after, self.backoff_max)
        return result

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = retry.meta.get("retry_times", 1)
            retry.meta[_DELAY_KEY] = min(self.backoff * 2 ** (attempt - 1), self.backoff_max)
        return retry


class RobotsTxtMiddleware(scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, raising the typed `RobotsForbidden` (an IgnoreRequest) so
    the refusal is told apart by its type, not by its message."""

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as error:
            raise RobotsForbidden(str(error)) from None


def _retry_after_seconds(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value.decode("latin-1").strip()))
    except ValueError:
        return None  # an HTTP date: fall back to the exponential delay


# --- scope -------------------------------------------------------------------------------------
class _ScopeBase:
    """Shared set-up: the run's bookkeeping says which scope a request belongs to (`RunBook.request_scope`)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        networks, errors = parse_networks(crawler.settings.get("GOVREPORTS_ALLOWED_PRIVATE_NETS") or "")
        self.allowed_private_nets = networks
        for message in errors:
            logger.error("GOVREPORTS_ALLOWED_PRIVATE_NETS: %s; entry ignored", message)
        self.logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
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

    def __init__(self, crawler: Any) -> None:
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
            except (OSError, asyncio.TimeoutError, RuntimeError):
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
