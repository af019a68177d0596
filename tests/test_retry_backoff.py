"""A retry waits its backoff outside the downloader: a dead host holds no slot while live hosts go on.

A loopback server plays two portals: a dead one answering 503 to everything and a live one whose
pages link to each other one by one (like the list pages of a column). The crawl runs in-process
through a real Crawler built from the project's settings with ONE global downloader slot, so a
retry sleeping in the downloader would stop the live portal for its whole backoff.
"""

from __future__ import annotations

import asyncio
import socketserver
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import pytest_twisted
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import Settings
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from govreports.middlewares import BackoffRetryMiddleware, retry_after_seconds

LIVE_PAGES = 6


class TwoPortals(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[str] = []


class _Handler(socketserver.BaseRequestHandler):
    server: TwoPortals

    def handle(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            request += chunk
        path = request.split(b" ", 2)[1].decode()
        self.server.hits.append(path)
        if path.startswith("/dead/"):
            head = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        else:
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
        self.request.sendall(head)


@pytest.fixture
def portals() -> Iterator[TwoPortals]:
    server = TwoPortals()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class _DeadAndLive(Spider):
    """Starts with the dead portal's page, then walks the live portal page by page; samples the
    downloader while retries wait."""

    name = "dead_and_live"

    def __init__(self, base: str, outcome: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base
        self.outcome = outcome

    async def start(self) -> AsyncIterator[Request]:
        asyncio.ensure_future(self._sample())
        yield Request(f"{self.base}/dead/index.html", callback=self.page, errback=self.failed, dont_filter=True,
                      priority=10)
        yield Request(f"{self.base}/live/0.html", callback=self.page, errback=self.failed, cb_kwargs={"n": 0})

    def page(self, response: Response, n: int | None = None) -> Iterator[Request]:
        self.outcome.setdefault("pages", []).append(response.url)
        if n is not None and n + 1 < LIVE_PAGES:
            yield Request(f"{self.base}/live/{n + 1}.html", callback=self.page, errback=self.failed,
                          cb_kwargs={"n": n + 1})

    def failed(self, failure: Failure) -> None:
        self.outcome.setdefault("failures", []).append(failure.request.url)  # type: ignore[attr-defined]

    async def _sample(self) -> None:
        """Every 10 ms: the requests in the downloader while a retry waits."""
        while self.crawler.engine is not None and self.crawler.engine.running:
            engine = self.crawler.engine
            middleware = next((m for m in engine.downloader.middleware.middlewares
                               if isinstance(m, BackoffRetryMiddleware)), None)
            if middleware is not None and middleware.waiting:
                active = [request.url for request in engine.downloader.active]
                self.outcome.setdefault("active_while_waiting", []).append(active)
            await asyncio.sleep(0.01)


def crawl_settings() -> Settings:
    settings = Settings()
    settings.setmodule("govreports.settings", priority="project")
    settings.setdict({
        "ITEM_PIPELINES": {}, "EXTENSIONS": {}, "ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False, "GOVREPORTS_RENDER": "never", "TELNETCONSOLE_ENABLED": False,
        "GOVREPORTS_STATE_ENABLED": False, "LOG_LEVEL": "INFO",
        "CONCURRENT_REQUESTS": 1, "RETRY_TIMES": 2, "GOVREPORTS_RETRY_BACKOFF": 1.0,
    }, priority="cmdline")
    return settings


@pytest_twisted.ensureDeferred
async def test_a_dead_host_waiting_to_be_retried_holds_no_downloader_slot(portals: TwoPortals) -> None:
    outcome: dict[str, Any] = {}
    crawler = Crawler(_DeadAndLive, crawl_settings())
    base = f"http://127.0.0.1:{portals.server_address[1]}"
    await Deferred.fromFuture(asyncio.ensure_future(crawler.crawl_async(base=base, outcome=outcome)))

    assert portals.hits.count("/dead/index.html") == 3  # the first try and RETRY_TIMES retries
    assert outcome.get("failures") == [f"{base}/dead/index.html"]  # given up once, with its errback
    assert len(outcome["pages"]) == LIVE_PAGES  # the live portal was walked to its end
    # while retries waited, the only slot was never held by the dead host
    samples = outcome.get("active_while_waiting", [])
    assert samples, "no retry was ever seen waiting"
    assert all(not any("/dead/" in url for url in active) for active in samples)
    # the live portal went on during the backoff: its pages came between the dead host's tries
    dead_tries = [index for index, path in enumerate(portals.hits) if path.startswith("/dead/")]
    live_during_backoff = [path for path in portals.hits[dead_tries[0]:dead_tries[-1]] if path.startswith("/live/")]
    assert live_during_backoff
    stats = crawler.stats.get_stats()
    assert stats["govreports/retry/backoff_count"] == stats["retry/count"] == 2
    assert stats["govreports/retry/backoff_seconds"] == 1.0 + 2.0  # 1 s, then doubled
    assert stats["retry/max_reached"] == 1
    assert "govreports/retry/cancelled_at_close" not in stats


def _answer(retry_after: str) -> Response:
    return Response("http://example.gov.cn/", status=503, headers={"Retry-After": retry_after})


def test_retry_after_in_seconds_is_read() -> None:
    assert retry_after_seconds(_answer("120")) == 120.0
    assert retry_after_seconds(_answer(" 7 ")) == 7.0


def test_retry_after_as_an_http_date_is_read_as_the_seconds_until_then() -> None:
    now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)  # "Mon, 07 Dec 2026 08:01:30 GMT"
    assert retry_after_seconds(_answer(later), now=now.timestamp()) == 90.0
    past = format_datetime(now - timedelta(hours=1), usegmt=True)
    assert retry_after_seconds(_answer(past), now=now.timestamp()) == 0.0


def test_an_unreadable_retry_after_leaves_the_exponential_delay() -> None:
    assert retry_after_seconds(_answer("soon")) is None
    assert retry_after_seconds(Response("http://example.gov.cn/", status=503)) is None


class _Silent(socketserver.ThreadingTCPServer):
    """A host that accepts connections and never answers (counts them)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Hang)
        self.connections = 0
        self.closing = threading.Event()


class _Hang(socketserver.BaseRequestHandler):
    server: _Silent

    def handle(self) -> None:
        self.server.connections += 1
        self.server.closing.wait(30)


class _TwoPagesOfOneHost(Spider):
    name = "two_pages_of_one_host"

    def __init__(self, base: str, outcome: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base
        self.outcome = outcome

    async def start(self) -> AsyncIterator[Request]:
        yield Request(f"{self.base}/index.html", callback=self.page, errback=self.failed, priority=1)

    def page(self, response: Response) -> None:
        self.outcome.setdefault("pages", []).append(response.url)

    def failed(self, failure: Failure) -> Iterator[Request]:
        self.outcome.setdefault("failures", []).append(type(failure.value).__name__)
        if len(self.outcome["failures"]) == 1:  # the home page failed: try another page of the site
            yield Request(f"{self.base}/column/index.html", callback=self.page, errback=self.failed)


@pytest_twisted.ensureDeferred
async def test_a_host_that_never_answered_gets_no_more_requests_once_it_gave_up() -> None:
    silent = _Silent()
    threading.Thread(target=silent.serve_forever, daemon=True).start()
    try:
        settings = crawl_settings()
        settings.setdict({"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 1, "GOVREPORTS_RETRY_BACKOFF": 0.1}, priority="cmdline")
        outcome: dict[str, Any] = {}
        crawler = Crawler(_TwoPagesOfOneHost, settings)
        base = f"http://127.0.0.1:{silent.server_address[1]}"
        await Deferred.fromFuture(asyncio.ensure_future(crawler.crawl_async(base=base, outcome=outcome)))
    finally:
        silent.closing.set()
        silent.shutdown()
        silent.server_close()
    assert silent.connections == 2  # the home page and its one retry; the second page never went out
    assert outcome["failures"] == ["DownloadTimeoutError", "HostDown"]
    stats = crawler.stats.get_stats()
    assert stats["govreports/host_down/hosts"] == 1
    assert stats["govreports/host_down/skipped"] == 1
