"""WARC/1.1 records of what the crawl downloaded, written and read with warcio.

One downloaded exchange becomes a `response` record (the status line, the headers and the body as
they came off the wire, before Scrapy decompressed them) and a `request` record
(`WARC-Concurrent-To` the response). Scrapy does not keep the bytes of the header block, so the
HTTP headers are rebuilt from Scrapy's response; every such record says so in
`WARC-Govreports-Headers: reconstructed-from-scrapy-response` (`Transfer-Encoding` is dropped,
since the body is stored de-chunked, and `Content-Length` is the stored length). A body already
archived (same `WARC-Payload-Digest`) becomes a `revisit` record (profile
identical-payload-digest, `WARC-Refers-To` the first record). A page rendered in Chromium adds a
`conversion` record holding the serialised DOM, `WARC-Refers-To` the plain download when the crawl
made one.

Each record is its own gzip member, so a record can be read on its own from its offset. Files are
written as `*.warc.gz.open`; `govreports.archive.store` decides when a record counts (fsync + the
committed offset in the database) and when a file is closed (renamed to `*.warc.gz`, never
modified again).
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

RECONSTRUCTED = "reconstructed-from-scrapy-response"
HEADERS_NOTE = "WARC-Govreports-Headers"
# hop-by-hop or describing a transfer the stored body no longer has
_DROPPED_HEADERS = {"transfer-encoding", "content-length", "connection", "keep-alive"}


def payload_digest(body: bytes) -> str:
    """The `WARC-Payload-Digest` warcio writes (sha1, base32): the key of content-addressed storage."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass(frozen=True, slots=True)
class Written:
    """A record as it went into the file: where, and what later records may refer to."""

    record_id: str
    type: str
    uri: str
    digest: str | None
    date: str
    offset: int
    length: int
    refers_to: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def _http_headers(capture: dict[str, Any], body: bytes) -> StatusAndHeaders:
    headers = [(name, value) for name, value in capture.get("headers") or ()
               if name.lower() not in _DROPPED_HEADERS]
    headers.append(("Content-Length", str(len(body))))
    status = f"{int(capture.get('status') or 200)} {capture.get('reason') or 'OK'}"
    return StatusAndHeaders(status, headers, protocol=str(capture.get("protocol") or "HTTP/1.1"))


def _header(capture: dict[str, Any], name: str) -> str | None:
    for key, value in capture.get("headers") or ():
        if key.lower() == name:
            return str(value)
    return None


# payloads that are compressed already (PDF streams, OOXML zips, images, a gzip content-encoding):
# deflating them again costs 15-40 ms per 400 KB PDF on the 2-core machine and saves ~1.5%; they
# go into stored (level 0) gzip members, in under 1 ms
_COMPRESSED_MEDIA = ("application/pdf", "application/zip", "application/vnd.openxmlformats", "image/",
                     "application/x-gzip", "application/gzip")


class _RecordBuffer(BytesIO):
    """Where warcio serialises one record, uncompressed; WarcFile deflates it as one gzip member."""


class WarcFile:
    """One `*.warc.gz.open` file being appended to (the caller fsyncs and decides what counts).

    Records are serialised by warcio and written as one gzip member each, as warcio's own gzip
    writer does, but deflated at level 1 (HTML: 17% of its size in 0.6 ms per 100 KB page, where
    warcio's fixed level 9 takes ~5 ms for 15%) and stored (level 0) for payloads compressed
    already: the same format, many times faster on report PDFs."""

    def __init__(self, path: Path, *, info: dict[str, str]) -> None:
        self.path = path
        self.file: IO[bytes] = path.open("ab")
        self._buffer = _RecordBuffer()
        self.writer = WARCWriter(self._buffer, gzip=False, warc_version="1.1")
        if self.file.tell() == 0:
            self._write_record(self.writer.create_warcinfo_record(path.name.removesuffix(".open"), info), level=1)

    def _write_record(self, record: Any, *, level: int) -> None:
        self._buffer.seek(0)
        self._buffer.truncate()
        self.writer.write_record(record)
        compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.file.write(compressor.compress(self._buffer.getvalue()) + compressor.flush())

    @staticmethod
    def _level(capture: dict[str, Any] | None) -> int:
        if capture is None:
            return 1
        encoding = (_header(capture, "content-encoding") or "").lower()
        media = (_header(capture, "content-type") or "").lower()
        return 0 if encoding in ("gzip", "br", "deflate", "zstd") or media.startswith(_COMPRESSED_MEDIA) else 1

    @property
    def size(self) -> int:
        return self.file.tell()

    def _write(self, record: Any, *, uri: str, digest: str | None, refers_to: str | None = None,
               capture: dict[str, Any] | None = None) -> Written:
        offset = self.file.tell()
        self._write_record(record, level=self._level(capture))
        headers = record.rec_headers
        return Written(
            record_id=headers.get_header("WARC-Record-ID"), type=headers.get_header("WARC-Type"), uri=uri,
            digest=digest, date=headers.get_header("WARC-Date"), offset=offset,
            length=self.file.tell() - offset, refers_to=refers_to,
            etag=_header(capture, "etag") if capture else None,
            last_modified=_header(capture, "last-modified") if capture else None,
        )

    def response(self, capture: dict[str, Any], digest: str | None = None) -> Written:
        """`digest`: the body's payload digest when the caller has it already."""
        body: bytes = capture["body"]
        uri = str(capture["url"])
        digest = digest or payload_digest(body)
        record = self.writer.create_warc_record(
            uri, "response", payload=BytesIO(body), length=len(body), http_headers=_http_headers(capture, body),
            warc_headers_dict=self._common(capture, digest),
        )
        return self._write(record, uri=uri, digest=digest, capture=capture)

    def revisit(self, capture: dict[str, Any], original: Written | Any, digest: str | None = None) -> Written:
        body: bytes = capture["body"]
        uri = str(capture["url"])
        digest = digest or payload_digest(body)
        headers = self._common(capture, None)
        headers["WARC-Refers-To"] = str(original.record_id)
        record = self.writer.create_revisit_record(
            uri, digest, str(original.uri), str(original.date), http_headers=_http_headers(capture, body),
            warc_headers_dict=headers,
        )
        return self._write(record, uri=uri, digest=digest, refers_to=str(original.record_id), capture=capture)

    def request(self, capture: dict[str, Any], response_id: str) -> Written:
        request = capture.get("request") or {}
        uri = str(request.get("url") or capture["url"])
        target = uri.split("/", 3)[3] if uri.count("/") >= 3 else ""
        http = StatusAndHeaders(f"{request.get('method') or 'GET'} /{target} HTTP/1.1",
                                list(request.get("headers") or ()), is_http_request=True)
        headers = {"WARC-Concurrent-To": response_id, HEADERS_NOTE: "reconstructed-from-scrapy-request"}
        record = self.writer.create_warc_record(uri, "request", payload=BytesIO(b""), length=0,
                                                http_headers=http, warc_headers_dict=headers)
        return self._write(record, uri=uri, digest=None)

    def conversion(self, url: str, body: bytes, content_type: str, refers_to: str | None) -> Written:
        digest = payload_digest(body)
        headers = {"WARC-Payload-Digest": digest, HEADERS_NOTE: "rendered-dom-serialised-by-chromium"}
        if refers_to:
            headers["WARC-Refers-To"] = refers_to
        record = self.writer.create_warc_record(url, "conversion", payload=BytesIO(body), length=len(body),
                                                warc_content_type=content_type, warc_headers_dict=headers)
        return self._write(record, uri=url, digest=digest, refers_to=refers_to)

    @staticmethod
    def _common(capture: dict[str, Any], digest: str | None) -> dict[str, str]:
        headers = {HEADERS_NOTE: RECONSTRUCTED}
        if digest:
            headers["WARC-Payload-Digest"] = digest
        if capture.get("ip"):
            headers["WARC-IP-Address"] = str(capture["ip"])
        return headers

    def sync(self) -> int:
        """Flush and fsync; returns the offset every record before which is on disk."""
        self.file.flush()
        os.fsync(self.file.fileno())
        return self.file.tell()

    def close(self) -> None:
        self.file.close()


def read_payload(path: Path, offset: int) -> tuple[str, bytes]:
    """(record type, payload) of the record at `offset`: the body as served (content-encoding and
    chunking undone by warcio), the DOM of a conversion record."""
    with path.open("rb") as file:
        file.seek(offset)
        for record in ArchiveIterator(file):
            return str(record.rec_type), record.content_stream().read()
    raise ValueError(f"no WARC record at {path}:{offset}")


def read_http_headers(path: Path, offset: int) -> list[tuple[str, str]]:
    """The (reconstructed) HTTP headers of the record at `offset`."""
    with path.open("rb") as file:
        file.seek(offset)
        for record in ArchiveIterator(file):
            return list(record.http_headers.headers) if record.http_headers else []
    return []


def check_file(path: Path) -> tuple[int, str | None]:
    """(records read, problem or None): the whole file read through warcio, as a reader would."""
    count = 0
    try:
        with path.open("rb") as file:
            for record in ArchiveIterator(file):
                record.content_stream().read()
                count += 1
    except Exception as error:  # warcio raises several kinds on a damaged file
        return count, f"{type(error).__name__}: {error}"
    return count, None
