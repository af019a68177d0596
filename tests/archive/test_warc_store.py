"""The archive's own guarantees, on real files: WARC records as served, revisits, conversions,
recovery of a torn file, rotation, and the group commit's order."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from scrapy.utils.misc import build_from_crawler
from warcio.archiveiterator import ArchiveIterator

from govreports.archive.crawl import ArchiveExtension, DeliveryGroup
from govreports.archive.store import Archive, ArchivedItem
from govreports.archive.warc import (
    HEADERS_NOTE,
    RECONSTRUCTED,
    check_file,
    payload_digest,
)
from govreports.pipelines.dedup import DedupPipeline
from govreports.state.feed import DurableJsonLinesItemExporter
from tests.state.conftest import gaoping_2023, make_crawler, run_state_of

PAGE = "<html><head><meta charset='utf-8'><title>南充市高坪区2023年政府信息公开工作年度报告</title></head><body>正文</body></html>"


def gzip_capture(url: str = "http://www.gaoping.gov.cn/zwgk/t20240115_3271106.html", text: str = PAGE) -> dict[str, Any]:
    """A report page as a portal serves it gzip-encoded, chunked, with validators."""
    return {"url": url, "status": 200, "protocol": "HTTP/1.1",
            "headers": [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                        ("Transfer-Encoding", "chunked"), ("ETag", '"5f1-abc"'),
                        ("Last-Modified", "Mon, 15 Jan 2024 08:00:00 GMT")],
            "body": gzip.compress(text.encode("utf-8"), mtime=0), "ip": "127.0.0.1",
            "request": {"method": "GET", "url": url, "headers": [("User-Agent", "govreports/0.1")]}}


def records(path: Path) -> list[Any]:
    with path.open("rb") as file:
        out = []
        for record in ArchiveIterator(file):
            out.append((record.rec_type, dict(record.rec_headers.headers),
                        record.http_headers.get_header("Content-Encoding") if record.http_headers else None,
                        record.content_stream().read()))
        return out


def test_a_report_page_is_archived_as_served_before_decompression_with_its_request(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive", run_id="run-1")
    capture = gzip_capture()
    source = archive.write_exchange(capture)
    archive.commit([])
    archive.finish()
    archive.close()
    [path] = (tmp_path / "archive" / "warc").iterdir()
    assert path.name.endswith(".warc.gz")
    kinds = records(path)
    assert [kind for kind, *_ in kinds] == ["warcinfo", "response", "request"]
    _, headers, encoding, payload = kinds[1]
    assert headers["WARC-Record-ID"] == source["record_id"]
    assert headers["WARC-Payload-Digest"] == payload_digest(capture["body"])  # of the gzip bytes as served
    assert headers[HEADERS_NOTE] == RECONSTRUCTED
    assert encoding == "gzip" and payload == PAGE.encode("utf-8")  # warcio undoes the content-encoding
    assert kinds[2][1]["WARC-Concurrent-To"] == source["record_id"]
    with path.open("rb") as file:
        response = next(r for r in ArchiveIterator(file) if r.rec_type == "response")
        assert response.http_headers.get_header("Transfer-Encoding") is None
        assert response.http_headers.get_header("Content-Length") == str(len(capture["body"]))


def test_bytes_archived_before_become_a_revisit_record_not_a_second_copy(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive", run_id="run-1")
    first = archive.write_exchange(gzip_capture())
    archive.commit([])
    again = archive.write_exchange(gzip_capture(url="http://www.gaoping.gov.cn/bmxxgk/t20240115_3271107.html"))
    archive.commit([])
    assert archive.payload(again["record_id"]) == PAGE.encode("utf-8")
    archive.finish()
    archive.close()
    [path] = (tmp_path / "archive" / "warc").iterdir()
    kinds = records(path)
    revisit = next(headers for kind, headers, *_ in kinds if kind == "revisit")
    assert revisit["WARC-Refers-To"] == first["record_id"]
    assert revisit["WARC-Profile"].endswith("identical-payload-digest")
    assert sum(1 for kind, *_ in kinds if kind == "response") == 1


def test_a_page_rendered_in_chromium_adds_a_conversion_record_referring_to_the_plain_download(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive", run_id="run-1")
    original = gzip_capture(text="<html><script>challenge()</script></html>")
    rendered = {**gzip_capture(), "body": PAGE.encode("utf-8"), "rendered": True, "original": original,
                "headers": [("Content-Type", "text/html; charset=utf-8")]}
    source = archive.write_exchange(rendered)
    archive.commit([])
    archive.finish()
    archive.close()
    [path] = (tmp_path / "archive" / "warc").iterdir()
    kinds = records(path)
    conversion = next(headers for kind, headers, *_ in kinds if kind == "conversion")
    response = next(headers for kind, headers, *_ in kinds if kind == "response")
    assert conversion["WARC-Record-ID"] == source["record_id"]
    assert conversion["WARC-Refers-To"] == response["WARC-Record-ID"]
    assert next(payload for kind, _, _, payload in kinds if kind == "conversion") == PAGE.encode("utf-8")


def item(key: str = "k1", revision: int = 1, report_id: str = "a" * 40) -> ArchivedItem:
    return ArchivedItem(key=key, id=report_id, revision=revision, url="http://x/1.html", site_id="511803",
                        content_hash=hashlib.sha256(key.encode()).hexdigest(), item_json=json.dumps({"id": report_id}),
                        page={"sources": []}, source_digest=None, parser_version="v", schema_version=1,
                        reason="first_seen")


def test_a_file_torn_by_a_kill_is_cut_back_to_its_last_committed_record_and_closed(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive", run_id="killed-run")
    archive.write_exchange(gzip_capture())
    archive.commit([item("delivered", report_id="d" * 40), item("lost", report_id="e" * 40)])
    archive.mark_archived([("delivered", 1)])
    committed_size = archive.file.size  # type: ignore[union-attr]
    archive.write_exchange(gzip_capture(text="<html>written after the last commit</html>"))
    torn = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 9999\r\n\r\n" + b"x" * 500)
    archive.file.file.write(torn[: len(torn) // 2])  # type: ignore[union-attr]  # the kill hit mid-record
    archive.file.file.flush()  # type: ignore[union-attr]
    archive._db.execute("UPDATE runs SET pid = 999999999 WHERE run_id = 'killed-run'")  # a process that is gone
    archive._db.close()  # SIGKILL: nothing else runs
    [open_file] = (tmp_path / "archive" / "warc").iterdir()
    assert open_file.name.endswith(".warc.gz.open") and open_file.stat().st_size > committed_size

    recovered = Archive(tmp_path / "archive", run_id="next-run")
    result = recovered.recover(lambda key, revision, content_hash: key == "delivered")
    recovered.close()
    [closed] = (tmp_path / "archive" / "warc").iterdir()
    assert closed.name.endswith(".warc.gz") and closed.stat().st_size == committed_size
    assert check_file(closed) == (3, None)  # warcinfo, response, request
    assert (result.files_cut, result.rows_archived, result.rows_dropped) == (1, 0, 1)
    reopened = Archive(tmp_path / "archive", create=False)
    assert [r.key for r in reopened.latest()] == ["delivered"]
    reopened.close()


def test_files_rotate_at_their_size_and_a_closed_file_is_never_written_again(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive", run_id="run-1", rotate_bytes=1)
    archive.write_exchange(gzip_capture())
    archive.commit([])
    [first] = (tmp_path / "archive" / "warc").iterdir()
    assert first.name.endswith(".warc.gz")
    before = hashlib.sha256(first.read_bytes()).hexdigest()
    archive.write_exchange(gzip_capture(text="<html>another report</html>"))
    archive.commit([])
    archive.finish()
    archive.close()
    assert hashlib.sha256(first.read_bytes()).hexdigest() == before
    assert len(list((tmp_path / "archive" / "warc").iterdir())) == 2


def test_a_group_reaches_the_feed_only_after_its_archive_rows_and_commits_claims_after_the_feed(
        tmp_path: Path) -> None:
    db = tmp_path / "state" / "govreports.sqlite3"
    crawler = make_crawler(db, GOVREPORTS_DELIVERY_GROUP_ITEMS=3, GOVREPORTS_DELIVERY_GROUP_MS=60_000)
    extension = crawler.get_extension(ArchiveExtension)
    assert extension is not None
    group: DeliveryGroup = extension.start()
    pipeline = build_from_crawler(DedupPipeline, crawler)
    feed = tmp_path / "feed.jsonl"
    with feed.open("ab") as out:
        exporter = build_from_crawler(DurableJsonLinesItemExporter, crawler, out)
        exporter.start_exporting()
        for year in (2021, 2022):
            report = pipeline.process_item(gaoping_2023(index_no=f"11511303MB1529498F/{year}-00012",
                                                        report_year=year, text=f"{year}年，高坪区……"))
            extension.queue(report)
            exporter.export_item(report)
        assert feed.read_bytes() == b""  # two of three: the group waits
        assert extension.archive is not None and archived_rows(extension.archive) == []
        assert len(run_state_of(crawler).store.pending_claims()) == 2
        third = pipeline.process_item(gaoping_2023())
        extension.queue(third)
        exporter.export_item(third)
        assert feed.read_bytes().count(b"\n") == 3
        assert archived_rows(extension.archive) == ["pending"] * 3  # in the archive before the feed
        assert run_state_of(crawler).store.pending_claims() == []  # claims committed after the feed
        assert group.seconds > 0
    extension.finish()
    assert archived_rows(extension.archive) == ["archived"] * 3
    run_state_of(crawler).close()


def archived_rows(archive: Archive) -> list[str]:
    return [str(row[0]) for row in archive._db.execute("SELECT state FROM revisions ORDER BY rowid")]


def test_when_the_archive_cannot_commit_no_line_reaches_the_feed(tmp_path: Path) -> None:
    db = tmp_path / "state" / "govreports.sqlite3"
    crawler = make_crawler(db, GOVREPORTS_DELIVERY_GROUP_ITEMS=1)
    extension = crawler.get_extension(ArchiveExtension)
    assert extension is not None
    extension.start()
    assert extension.archive is not None
    pipeline = build_from_crawler(DedupPipeline, crawler)
    feed = tmp_path / "feed.jsonl"
    failing = extension.archive.commit

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    with feed.open("ab") as out:
        exporter = build_from_crawler(DurableJsonLinesItemExporter, crawler, out)
        exporter.start_exporting()
        report = pipeline.process_item(gaoping_2023())
        extension.queue(report)
        extension.archive.commit = disk_full  # type: ignore[method-assign]
        try:
            exporter.export_item(report)
        except OSError:
            pass
        assert feed.read_bytes() == b"" and len(run_state_of(crawler).store.pending_claims()) == 1
        extension.archive.commit = failing  # type: ignore[method-assign]  # space again: the next flush delivers
        extension.group.flush()  # type: ignore[union-attr]
        assert feed.read_bytes().count(b"\n") == 1
        assert archived_rows(extension.archive) == ["pending"]
    extension.finish()
    run_state_of(crawler).close()
