"""Downloader middlewares of the crawl.

`BackoffRetryMiddleware` is Scrapy's RetryMiddleware (same settings: RETRY_TIMES,
RETRY_HTTP_CODES, RETRY_EXCEPTIONS) plus an exponential pause before each retry, so a struggling
government server is not hit again at once: the n-th retry waits
`GOVREPORTS_RETRY_BACKOFF * 2**(n-1)` seconds (default 2, 4, 8 …), at most
`GOVREPORTS_RETRY_BACKOFF_MAX` (60), or the server's `Retry-After` when it sends one (capped the
same way). Stats: `govreports/retry/backoff_count`, `govreports/retry/backoff_seconds`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response

_DELAY_KEY = "govreports_retry_delay"


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries with exponential backoff; replaces scrapy's RetryMiddleware at the same priority."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.backoff = crawler.settings.getfloat("GOVREPORTS_RETRY_BACKOFF", 2.0)
        middleware.backoff_max = crawler.settings.getfloat("GOVREPORTS_RETRY_BACKOFF_MAX", 60.0)
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


def _retry_after_seconds(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value.decode("latin-1").strip()))
    except ValueError:
        return None  # an HTTP date: fall back to the exponential delay
