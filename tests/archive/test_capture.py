"""The capture middleware in the downloader chain: bytes before decompression, conditional
requests answered from the archive on a 304, list pages only when asked."""

from __future__ import annotations

import gzip
from pathlib import Path

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.misc import build_from_crawler

from govreports.archive import CAPTURE
from govreports.archive.crawl import ArchiveCaptureMiddleware, ArchiveExtension
from tests.state.conftest import make_crawler

URL = "http://www.gaoping.gov.cn/zwgk/zfxxgknb/202401/t20240115_3271106.html"
PAGE = "<html><head><meta charset='utf-8'></head><body>南充市高坪区2023年政府信息公开工作年度报告</body></html>".encode()


def chain(tmp_path: Path, **settings: object) -> tuple[ArchiveCaptureMiddleware, HttpCompressionMiddleware,
                                                        ArchiveExtension]:
    crawler = make_crawler(tmp_path / "state" / "govreports.sqlite3", **settings)
    extension = crawler.get_extension(ArchiveExtension)
    assert extension is not None
    extension.start()
    return (build_from_crawler(ArchiveCaptureMiddleware, crawler),
            build_from_crawler(HttpCompressionMiddleware, crawler), extension)


def served(request: Request, status: int = 200, body: bytes = b"", **headers: str) -> Response:
    return Response(URL, status=status, body=body, request=request,
                    headers={"Content-Type": "text/html; charset=utf-8", **headers})


def test_the_capture_holds_the_gzip_bytes_that_scrapy_then_decompresses(tmp_path: Path) -> None:
    capture_mw, compression_mw, _ = chain(tmp_path)
    request = Request(URL, meta={"govreports_kind": "report"})
    wire = gzip.compress(PAGE, mtime=0)
    response = capture_mw.process_response(request, served(request, body=wire, **{"Content-Encoding": "gzip"}))
    decoded = compression_mw.process_response(request, response)
    assert request.meta[CAPTURE]["body"] == wire
    assert ("Content-Encoding", "gzip") in request.meta[CAPTURE]["headers"]
    assert decoded.body == PAGE


def test_list_pages_are_not_captured_unless_the_setting_asks(tmp_path: Path) -> None:
    capture_mw, _, _ = chain(tmp_path)
    request = Request(URL, meta={"govreports_kind": "list"})
    capture_mw.process_response(request, served(request, body=PAGE))
    assert CAPTURE not in request.meta
    capture_mw, _, extension = chain(tmp_path / "with", GOVREPORTS_ARCHIVE_LIST_PAGES=True)
    request = Request(URL, meta={"govreports_kind": "list"})
    capture_mw.process_response(request, served(request, body=PAGE))
    assert extension.archive is not None and extension.archive.records_written == 2  # response + request


def test_a_report_with_validators_is_asked_conditionally_and_a_304_is_answered_from_the_archive(
        tmp_path: Path) -> None:
    capture_mw, compression_mw, extension = chain(tmp_path)
    assert extension.archive is not None
    first = Request(URL, meta={"govreports_kind": "report"})
    capture_mw.process_request(first)
    assert b"If-None-Match" not in first.headers  # nothing archived yet
    wire = gzip.compress(PAGE, mtime=0)
    capture_mw.process_response(first, served(first, body=wire, ETag='"5f1-abc"', **{
        "Content-Encoding": "gzip", "Last-Modified": "Mon, 15 Jan 2024 08:00:00 GMT"}))
    source = extension.archive.write_exchange(first.meta[CAPTURE])
    extension.archive.commit([])

    again = Request(URL, meta={"govreports_kind": "report"})
    capture_mw.process_request(again)
    assert again.headers[b"If-None-Match"] == b'"5f1-abc"'
    assert again.headers[b"If-Modified-Since"] == b"Mon, 15 Jan 2024 08:00:00 GMT"
    answered = capture_mw.process_response(again, served(again, status=304))
    answered = compression_mw.process_response(again, answered)
    assert answered.status == 200 and "archived" in answered.flags
    assert isinstance(answered, HtmlResponse) and answered.body == PAGE
    assert again.meta[CAPTURE]["archived_record"] == source["record_id"]
    before = extension.archive.records_written
    assert extension.archive.write_exchange(again.meta[CAPTURE])["record_id"] == source["record_id"]
    assert extension.archive.records_written == before  # nothing downloaded, nothing stored twice


def test_a_page_escalated_to_the_browser_keeps_its_plain_download_as_the_original(tmp_path: Path) -> None:
    from govreports.render import escalated

    capture_mw, _, extension = chain(tmp_path)
    plain = Request(URL, meta={"govreports_kind": "report"})
    challenge = b"<html><script>var _0x=1;document.cookie='x';location.reload()</script></html>"
    capture_mw.process_response(plain, served(plain, status=521, body=challenge))
    retry = escalated(plain, "jiasule (HTTP 521)")
    rendered = HtmlResponse(URL, status=200, body=PAGE, request=retry, flags=["playwright"],
                            headers={"Content-Type": "text/html; charset=utf-8"})
    capture_mw.process_response(retry, rendered)
    capture = retry.meta[CAPTURE]
    assert capture["rendered"] and capture["original"]["body"] == challenge
    assert extension.archive is not None
    source = extension.archive.write_exchange(capture)
    extension.archive.commit([])
    conversion = extension.archive.record(source["record_id"])
    assert conversion is not None and conversion["type"] == "conversion"
    original = extension.archive.record(str(conversion["refers_to"]))
    assert original is not None and original["type"] == "response"
    assert extension.archive.payload(str(original["record_id"])) == challenge
    assert extension.archive.payload(source["record_id"]) == PAGE
