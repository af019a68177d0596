"""What kind of failure ended a request: a pure function over the exception's type.

The kinds name the failure in the site status, the stats (`govreports/failed/<kind>`,
`govreports/skipped/<kind>`) and the run summary. A *skip* is a request not made by choice
(robots.txt, out of scope); everything else is a failure. Two Scrapy outcomes have no exception
type of their own and are told by their message: "max redirections reached" (RedirectMiddleware)
and the DOWNLOAD_MAXSIZE cancellation is the only `DownloadCancelledError` Scrapy raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from govreports.scope import Refusal


class RobotsForbidden(IgnoreRequest):
    """robots.txt disallows the URL (raised by govreports.middlewares.RobotsTxtMiddleware)."""


class ScopeRefused(IgnoreRequest):
    """A request (or a redirect) outside its site's scope (govreports/scope.py), not fetched."""

    def __init__(self, url: str, refusal: Refusal, *, redirected_from: str | None = None) -> None:
        self.url = url
        self.reason = refusal.reason
        self.detail = refusal.detail
        self.redirected_from = redirected_from
        how = f"redirect from {redirected_from} to {url}" if redirected_from else url
        super().__init__(f"scope: refused {refusal.reason}: {how}: {refusal.detail}")


class HostDown(DownloadFailedError):
    """A request to a host that never answered and gave up on a network error earlier in the run
    (a failed download for the errbacks, never retried)."""

    def __init__(self, url: str, host: str) -> None:
        self.url = url
        self.host = host
        super().__init__(f"host down: {host} never answered and gave up after its retries; {url} not fetched")


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in the request's redirect chain (A → B → A)."""

    def __init__(self, chain: list[str]) -> None:
        self.chain = chain
        super().__init__("redirect loop: " + " → ".join(chain))


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a failed request is recorded: its kind, why, whether it was a skip (not a failure),
    and the URL to name (the start of a redirect chain, or the request's own)."""

    kind: str
    reason: str
    skipped: bool = False
    url: str | None = None


_TIMEOUTS = (TwistedTimeoutError, TCPTimedOutError, TimeoutError, DownloadTimeoutError)


def classify(error: BaseException, redirect_urls: list[str] | None = None, url: str = "") -> Verdict:
    """The verdict for `error`, raised while fetching `url` (reached through `redirect_urls`)."""
    if isinstance(error, HttpError):
        return Verdict(f"http_{error.response.status}", f"HTTP {error.response.status}")
    if isinstance(error, ScopeRefused):
        target = f" (redirect to {error.url})" if error.redirected_from else ""
        return Verdict(f"scope_{error.reason}", f"out of scope{target}: {error.detail}", skipped=True,
                       url=error.redirected_from or url)
    if isinstance(error, RedirectLoop):
        return Verdict("redirect_loop", f"{error} ({len(error.chain)} URLs in the chain)", url=error.chain[0])
    if isinstance(error, RobotsForbidden):
        return Verdict("robots", str(error) or "forbidden by robots.txt", skipped=True)
    if isinstance(error, IgnoreRequest) and "max redirections" in str(error):  # no type of its own
        chain = [*(redirect_urls or []), url]
        return Verdict("redirect_loop", f"{error} ({len(chain)} URLs in the chain)", url=chain[0])
    if isinstance(error, IgnoreRequest):
        return Verdict("ignored", str(error) or "ignored", skipped=True)
    if isinstance(error, (DNSLookupError, CannotResolveHostError)):
        return Verdict("dns", str(error) or "DNS lookup failed")
    if isinstance(error, _TIMEOUTS):
        return Verdict("timeout", f"timed out: {error}")
    if isinstance(error, (ConnectionRefusedError, DownloadConnectionRefusedError)):
        return Verdict("refused", "connection refused")
    if isinstance(error, ResponseDataLossError):
        return Verdict("truncated", "connection closed before the body reached its Content-Length")
    if isinstance(error, DownloadCancelledError):  # Scrapy cancels a download only past DOWNLOAD_MAXSIZE
        return Verdict("too_large", f"refused: {error}")
    if isinstance(error, HostDown):
        return Verdict("host_down", str(error))
    if isinstance(error, DownloadFailedError):
        return Verdict("connection", f"{type(error).__name__}: {error}")
    return Verdict("error", f"{type(error).__name__}: {error}")
