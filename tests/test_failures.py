"""Failure kinds come from the exception's type (govreports/failures.py), not from its message."""

from __future__ import annotations

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError

from govreports.failures import RedirectLoop, RobotsForbidden, ScopeRefused, classify
from govreports.scope import Refusal

URL = "http://www.gaoping.gov.cn/zwgk/zfxxgknb/a.html"


@pytest.mark.parametrize(("error", "kind", "skipped"), [
    (HttpError(HtmlResponse(URL, status=404), "Ignoring non-200 response"), "http_404", False),
    (RobotsForbidden("Forbidden by robots.txt"), "robots", True),
    (RobotsForbidden(""), "robots", True),  # no "robots" in the message needed
    (IgnoreRequest("anything at all"), "ignored", True),
    (DNSLookupError("no such host"), "dns", False),
    (CannotResolveHostError("no such host"), "dns", False),
    (TCPTimedOutError(), "timeout", False),
    (DownloadTimeoutError("took longer than 30 s"), "timeout", False),
    (DownloadConnectionRefusedError(), "refused", False),
    (ResponseDataLossError(), "truncated", False),
    (DownloadCancelledError("Cancelling download: expected size larger than download max size"), "too_large", False),
    (DownloadFailedError("connection lost"), "connection", False),
    (ValueError("odd"), "error", False),
])
def test_each_exception_type_has_its_kind(error: BaseException, kind: str, skipped: bool) -> None:
    verdict = classify(error, url=URL)
    assert (verdict.kind, verdict.skipped) == (kind, skipped)


def test_a_scope_refusal_of_a_redirect_names_the_page_that_redirected() -> None:
    refused = ScopeRefused("http://10.0.0.1/x", Refusal("private_address", "resolves to 10.0.0.1"),
                           redirected_from=URL)
    verdict = classify(refused, url="http://10.0.0.1/x")
    assert (verdict.kind, verdict.skipped, verdict.url) == ("scope_private_address", True, URL)
    assert verdict.reason == "out of scope (redirect to http://10.0.0.1/x): resolves to 10.0.0.1"


def test_a_redirect_loop_is_recorded_at_the_start_of_its_chain() -> None:
    loop = classify(RedirectLoop([URL, URL + "?a", URL]), url=URL + "?a")
    assert (loop.kind, loop.url) == ("redirect_loop", URL)
    too_many = classify(IgnoreRequest("max redirections reached"), ["http://a.gov.cn/1", "http://a.gov.cn/2"],
                        "http://a.gov.cn/3")
    assert (too_many.kind, too_many.url) == ("redirect_loop", "http://a.gov.cn/1")
    assert "3 URLs in the chain" in too_many.reason
