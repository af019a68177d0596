"""Responses too big to take are cut by Scrapy's limits, with a logged warning, quickly.

The project's settings (govreports/settings.py) cap every download (DOWNLOAD_MAXSIZE) and warn
on big ones (DOWNLOAD_WARNSIZE). A loopback server plays the hostile portal: one advertising a
2 GB Content-Length, one streaming without end and no length, one answering with a gzip bomb.
The downloads run in-process through a real Crawler built from the project's settings (only the
pipelines, extensions, robots.txt and politeness delays are switched off: no items are made).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import resource
import socketserver
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_twisted
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from tests.hostile.bombs import GIB, MIB, repeated_member

TWO_GB = 2 * GIB


@functools.cache
def gzip_bomb(expanded_bytes: int) -> bytes:
    member = repeated_member("body", b"", b"\0" * MIB, expanded_bytes // MIB, b"")
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + member.deflated + member.crc.to_bytes(4, "little") + (member.size % 2**32).to_bytes(4, "little")


class HostilePortal(socketserver.ThreadingTCPServer):
    """Raw HTTP/1.1 answers no well-behaved server would send."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bytes_sent: dict[str, int] = {}


class _Handler(socketserver.BaseRequestHandler):
    server: HostilePortal

    def handle(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            request += chunk
        path = request.split(b" ", 2)[1].decode()
        self.request.settimeout(20)
        if path == "/declared-2gb.pdf":
            self._send(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: %d\r\n\r\n" % TWO_GB,
                       path, endless=True)
        elif path == "/endless.pdf":
            self._send(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nConnection: close\r\n\r\n", path,
                       endless=True)
        elif path == "/gzip-bomb.html":
            body = gzip_bomb(GIB)
            self._send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(body) + body, path)
        else:
            self._send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", path)

    def _send(self, head: bytes, path: str, endless: bool = False) -> None:
        sent = 0
        try:
            self.request.sendall(head)
            block = b"%PDF-1.4 " + b"\0" * (MIB - 9)
            while endless and sent < 4 * GIB:  # until the client hangs up
                self.request.sendall(block)
                sent += len(block)
        except OSError:
            pass  # the client cut the download: what the test wants
        finally:
            self.server.bytes_sent[path] = sent


@pytest.fixture
def portal() -> Iterator[HostilePortal]:
    server = HostilePortal()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class _Fetch(Spider):
    name = "hostile_fetch"

    def __init__(self, url: str, outcome: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.outcome = outcome

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.url, callback=self.downloaded, errback=self.failed, dont_filter=True)

    def downloaded(self, response: Any) -> None:
        self.outcome["response"] = len(response.body)

    def failed(self, failure: Failure) -> None:
        self.outcome["failure"] = failure.type.__name__


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("govreports.settings", priority="project")
    settings.setdict({
        "ITEM_PIPELINES": {}, "EXTENSIONS": {}, "ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False, "GOVREPORTS_RENDER": "never", "TELNETCONSOLE_ENABLED": False,
        "GOVREPORTS_STATE_ENABLED": False, "RETRY_ENABLED": False, "LOG_LEVEL": "INFO",
    }, priority="cmdline")
    return settings


async def fetch(url: str) -> tuple[dict[str, Any], Crawler, float, float]:
    outcome: dict[str, Any] = {}
    crawler = Crawler(_Fetch, project_settings())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    # an asyncio task (the crawl awaits asyncio futures), awaited from the Twisted-driven test
    await Deferred.fromFuture(asyncio.ensure_future(crawler.crawl_async(url=url, outcome=outcome)))
    seconds = time.monotonic() - started
    extra_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return outcome, crawler, seconds, extra_mb


def test_project_download_limits_are_set_and_sane() -> None:
    settings = project_settings()
    maxsize, warnsize = settings.getint("DOWNLOAD_MAXSIZE"), settings.getint("DOWNLOAD_WARNSIZE")
    # big enough for a real report PDF with scanned pages (tens of MB), far below a memory problem
    assert 16 * MIB <= maxsize <= 256 * MIB
    assert 0 < warnsize < maxsize
    assert 0 < settings.getint("DOWNLOAD_TIMEOUT") <= 120


def _warned(caplog: pytest.LogCaptureFixture, *words: str) -> bool:
    return any(record.levelno == logging.WARNING and all(word in record.getMessage() for word in words)
               for record in caplog.records)


@pytest_twisted.ensureDeferred
async def test_a_2_gb_content_length_is_refused_before_the_body_is_read(
    portal: HostilePortal, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{portal.server_address[1]}/declared-2gb.pdf"
    outcome, crawler, seconds, extra_mb = await fetch(url)
    assert "response" not in outcome and outcome.get("failure")
    assert _warned(caplog, f"Expected to receive {TWO_GB} bytes", "larger than download max size")
    stats = crawler.stats.get_stats()  # type: ignore[union-attr]
    assert any(key.startswith("downloader/exception_type_count/") for key in stats)
    assert seconds < 30 and extra_mb < 500
    assert portal.bytes_sent.get("/declared-2gb.pdf", 0) < 256 * MIB  # the body was not pulled in


@pytest_twisted.ensureDeferred
async def test_an_endless_body_without_a_length_is_cut_at_the_max_size(
    portal: HostilePortal, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{portal.server_address[1]}/endless.pdf"
    outcome, crawler, seconds, extra_mb = await fetch(url)
    maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
    assert "response" not in outcome and outcome.get("failure")
    assert _warned(caplog, "larger than download max size", str(maxsize))
    assert _warned(caplog, "larger than download warn size")  # the warning came first, at the warn size
    assert seconds < 30 and extra_mb < 500
    deadline = time.monotonic() + 5
    while "/endless.pdf" not in portal.bytes_sent and time.monotonic() < deadline:
        time.sleep(0.05)  # noqa: ASYNC251  # the portal serves from its own thread; the crawl is over
    assert portal.bytes_sent["/endless.pdf"] < maxsize + 256 * MIB  # socket buffers aside, the cut was prompt


@pytest_twisted.ensureDeferred
async def test_a_gzip_bomb_is_cut_while_it_is_decompressed(
    portal: HostilePortal, caplog: pytest.LogCaptureFixture
) -> None:
    assert len(gzip_bomb(GIB)) < 2 * MIB  # one gigabyte once inflated
    url = f"http://127.0.0.1:{portal.server_address[1]}/gzip-bomb.html"
    outcome, _crawler, seconds, extra_mb = await fetch(url)
    assert "response" not in outcome
    assert _warned(caplog, "DOWNLOAD_MAXSIZE", "decompression")
    assert seconds < 30 and extra_mb < 500

