"""The archive in a crawl: capture the raw exchanges, archive them, reuse unchanged reports, and
commit archive → feed → claims in groups.

- `ArchiveCaptureMiddleware` (downloader middleware, 595: after RedirectMiddleware, before
  HttpCompressionMiddleware in the response path) keeps each report page's and attachment's
  exchange as it came off the wire (body still content-encoded) in `request.meta["govreports_archive"]`;
  the spider hands it on in `ReportPage.capture` and each attachment's `"capture"`. List pages are
  archived too with `GOVREPORTS_ARCHIVE_LIST_PAGES`. With `GOVREPORTS_ARCHIVE_CONDITIONAL` a
  report request whose URL has an archived ETag / Last-Modified goes out conditional, and a 304 is
  answered with the archived body (flag `archived`), so nothing is downloaded twice.
- `ArchivePipeline` (priority 50, before parsing) writes the page's and attachments' WARC records
  (a revisit record for bytes already archived) and sets `page.sources`; when the archive already
  holds an item built from exactly these bytes by this `PARSER_VERSION`, that item is passed on
  instead of the page, so an unchanged report is never parsed again (`govreports/archive/reused`;
  a page known not to be a report is dropped at once, `govreports/archive/known_not_report`).
- `ArchiveItemPipeline` (priority 400, after dedup) queues each delivered item for the archive
  with its `revision_reason`.
- `ArchiveExtension` owns the `Archive` and the `DeliveryGroup`; it recovers what a killed run
  left at spider_opened, and finishes the archive at spider_closed.

Stats: `govreports/archive/records`, `…/revisits`, `…/bytes`, `…/items`, `…/reused`,
`…/not_modified`, `…/reason/<reason>`, `…/seconds` (time spent archiving: records, item rows, their
fsyncs), `…/reports` (held at the end), `…/recovery/*`; `govreports/delivery/groups`,
`govreports/delivery/seconds` (group commits: archive, feed lines and claims together).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes
from twisted.internet import task

from govreports.archive.store import (
    Archive,
    ArchivedItem,
    ArchiveRecovery,
    combined_digest,
    default_directory,
)
from govreports.archive.warc import payload_digest
from govreports.items import ITEM_SCHEMA_VERSION, REPORT_FIELDS, ReportItem, ReportPage
from govreports.keys import id_of_key, site_id_of
from govreports.parsing import PARSER_VERSION
from govreports.prepared import content_hash, item_json, key_of
from govreports.state import RunState, existing_state

if TYPE_CHECKING:
    from govreports.state.feed import DurableJsonLinesItemExporter

logger = logging.getLogger(__name__)

from govreports.archive import CAPTURE

_CONDITIONAL = "govreports_archive_conditional"
ARCHIVED_KINDS = ("report", "attachment")


def _headers(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1", "replace"))
            for name, values in headers.items() for value in values]


class ArchiveCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.list_pages = crawler.settings.getbool("GOVREPORTS_ARCHIVE_LIST_PAGES")
        self.conditional = crawler.settings.getbool("GOVREPORTS_ARCHIVE_CONDITIONAL")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveCaptureMiddleware:
        if not crawler.settings.getbool("GOVREPORTS_ARCHIVE_ENABLED"):
            raise NotConfigured("GOVREPORTS_ARCHIVE_ENABLED is off")
        return cls(crawler)

    def _extension(self) -> ArchiveExtension | None:
        return self.crawler.get_extension(ArchiveExtension)

    def process_request(self, request: Request) -> None:
        if not self.conditional or request.meta.get("govreports_kind") not in ARCHIVED_KINDS:
            return
        extension = self._extension()
        if extension is None or extension.archive is None or request.meta.get("playwright"):
            return
        known = extension.archive.validators(request.url)
        if known is None:
            return
        if known["etag"] and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = str(known["etag"]).encode("latin-1", "replace")
        if known["last_modified"] and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = str(known["last_modified"]).encode("latin-1", "replace")
        request.meta[_CONDITIONAL] = str(known["record_id"])
        return

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request.meta.get("govreports_kind")
        if kind not in ARCHIVED_KINDS and not (self.list_pages and kind in ("list", "column", "discovery")):
            return response
        if response.status == 304 and request.meta.get(_CONDITIONAL):
            answered = self._from_archive(request, response)
            if answered is not None:
                return answered
        previous = request.meta.get(CAPTURE)
        rendered = "playwright" in (response.flags or [])
        capture = {
            "url": response.url, "status": response.status, "reason": "", "protocol": response.protocol or "HTTP/1.1",
            "headers": _headers(response.headers), "body": response.body, "ip": str(response.ip_address or "") or None,
            "request": {"method": request.method, "url": request.url, "headers": _headers(request.headers)},
            "rendered": rendered,
            "original": previous if rendered and previous is not None and not previous.get("rendered") else None,
        }
        request.meta[CAPTURE] = capture
        if kind not in ARCHIVED_KINDS and response.status == 200:
            extension = self._extension()
            if extension is not None:
                extension.archive_exchange(capture)  # a list page: archived now, committed with the next group
        return response

    def _from_archive(self, request: Request, response: Response) -> Response | None:
        extension = self._extension()
        if extension is None or extension.archive is None:
            return None
        record_id = str(request.meta[_CONDITIONAL])
        body = extension.archive.payload(record_id)
        if body is None:
            return None
        headers = [(k, v) for k, v in extension.archive.http_headers(record_id)
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        from scrapy.http import Headers

        scrapy_headers = Headers()
        for name, value in headers:
            scrapy_headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=scrapy_headers, url=request.url, body=body)
        self.stats.inc_value("govreports/archive/not_modified")
        request.meta[CAPTURE] = {"url": request.url, "body": body, "archived_record": record_id,
                                 "headers": headers, "status": 200}
        return cls(url=request.url, status=200, headers=scrapy_headers, body=body, request=request,
                   flags=[*(response.flags or []), "archived"])


class DeliveryGroup:
    """Group commit in the archive's order: 1. archive (WARC fsync + item rows, pending), 2. feed
    lines (written, fsynced), 3. claims committed, 4. rows archived (in the next group's archive
    transaction, or at the end: a kill before that leaves them pending, and recovery archives them
    because their claims committed). Flushed every `GOVREPORTS_DELIVERY_GROUP_ITEMS` items or
    `GOVREPORTS_DELIVERY_GROUP_MS` ms, and at the end."""

    def __init__(self, archive: Archive | None, run_state: RunState | None, *, max_items: int, max_ms: int,
                 stats: Any) -> None:
        self.archive = archive
        self.run_state = run_state
        self.max_items = max(1, max_items)
        self.max_seconds = max(0, max_ms) / 1000
        self.stats = stats
        self.waiting: list[ArchivedItem] = []
        self.rowed: dict[str, tuple[str, int]] = {}  # report id -> (key, revision) committed in step 1
        self.to_mark: list[tuple[str, int]] = []  # delivered rows, flipped to archived with the next group
        self.exporters: list[DurableJsonLinesItemExporter] = []
        self.oldest: float | None = None
        self.seconds = 0.0  # the whole group commit (archive, feed lines, claims)
        self.archive_seconds = 0.0  # the archive's share: WARC fsync, item rows

    def add(self, archived: ArchivedItem) -> None:
        self.waiting.append(archived)
        self._started()

    def register(self, exporter: DurableJsonLinesItemExporter) -> None:
        if exporter not in self.exporters:
            self.exporters.append(exporter)

    def unregister(self, exporter: DurableJsonLinesItemExporter) -> None:
        if exporter in self.exporters:
            self.exporters.remove(exporter)

    def _started(self) -> None:
        if self.oldest is None:
            self.oldest = time.monotonic()

    def line_waiting(self) -> None:
        self._started()
        if self.due():
            self.flush()

    def due(self) -> bool:
        waiting = max([len(self.waiting), *(len(e.buffer) for e in self.exporters)])
        if not waiting:
            return False
        return waiting >= self.max_items or (self.oldest is not None and
                                             time.monotonic() - self.oldest >= self.max_seconds)

    def flush_if_due(self) -> None:
        if self.due():
            self.flush()

    def flush(self) -> None:
        began = time.perf_counter()
        items, self.waiting = self.waiting, []
        if self.archive is not None:
            marked, self.to_mark = self.to_mark, []
            try:
                self.archive.commit(items, archived=marked)  # 1. WARC fsynced, item rows pending
            except BaseException:
                # nothing of this group reaches a feed before the archive has it: lines stay
                # buffered, the items wait for the next flush (or, if the crawl dies, are emitted again)
                self.waiting = items + self.waiting
                self.to_mark = marked + self.to_mark
                raise
        self.archive_seconds += time.perf_counter() - began
        for archived in items:
            self.rowed[archived.id] = (archived.key, archived.revision)
        delivered: list[str] = []
        for exporter in list(self.exporters):  # 2. feed lines written and fsynced
            delivered.extend(exporter.write_buffered())
        delivered = list(dict.fromkeys(delivered))
        if self.run_state is not None and delivered:  # 3. claims committed
            self.run_state.delivered_ids(delivered)
        if self.archive is not None:  # 4. rows archived: in the next group's transaction, or at finish
            self.to_mark.extend(self.rowed.pop(report_id) for report_id in delivered if report_id in self.rowed)
        self.oldest = None
        spent = time.perf_counter() - began
        self.seconds += spent
        self.stats.inc_value("govreports/delivery/groups")
        if self.archive is not None:
            self.stats.set_value("govreports/archive/records", self.archive.records_written)
            self.stats.set_value("govreports/archive/revisits", self.archive.revisits_written)
            self.stats.set_value("govreports/archive/bytes", self.archive.bytes_written)


class ArchiveExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.enabled = settings.getbool("GOVREPORTS_ARCHIVE_ENABLED")
        self.reuse = settings.getbool("GOVREPORTS_ARCHIVE_REUSE")
        self.directory = default_directory(settings)
        self.rotate_bytes = settings.getint("GOVREPORTS_ARCHIVE_ROTATE_MB") << 20
        self.max_items = settings.getint("GOVREPORTS_DELIVERY_GROUP_ITEMS")
        if settings.get("GOVREPORTS_REDIS_URL"):
            # a cluster worker acknowledges a leased request once the engine is done with it
            # (govreports.cluster.scheduler): its item must be in the feed by then, so each item is
            # its own group there (a killed worker's buffered lines would be acknowledged and lost)
            self.max_items = 1
        self.max_ms = settings.getint("GOVREPORTS_DELIVERY_GROUP_MS")
        self.archive: Archive | None = None
        self.group: DeliveryGroup | None = None
        self.recovery = ArchiveRecovery()
        self.pages: dict[str, dict[str, Any]] = {}  # first source record id -> how the page was fetched
        self.seconds = 0.0
        self._timer: task.LoopingCall | None = None
        self.finished = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveExtension:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    # --- life cycle --------------------------------------------------------------------------
    def start(self) -> DeliveryGroup:
        """Open the archive (recovering a killed run's leftovers) and the delivery group; idempotent."""
        if self.group is not None:
            return self.group
        run_state = existing_state(self.crawler)
        if self.enabled:
            run_id = run_state.run_id if run_state is not None else None
            self.archive = Archive(self.directory, run_id=run_id or f"archive-{time.time_ns()}",
                                   rotate_bytes=self.rotate_bytes)
            store = run_state.store if run_state is not None else None

            def delivered(key: str, revision: int, content_hash: str) -> bool:
                if store is None:
                    return True
                seen = store.lookup(key)
                return seen is not None and (seen.revision > revision or (
                    seen.revision == revision and seen.content_hash == content_hash))

            self.recovery = self.archive.recover(delivered)
            for name, value in self.recovery.as_stats().items():
                if value:
                    self.stats.set_value(f"govreports/archive/recovery/{name}", value)
        self.group = DeliveryGroup(self.archive, run_state, max_items=self.max_items, max_ms=self.max_ms,
                                   stats=self.stats)
        return self.group

    def spider_opened(self) -> None:
        self.start()
        self._timer = task.LoopingCall(self._tick)
        self._timer.start(max(0.05, self.max_ms / 1000), now=False)

    def _tick(self) -> None:
        if self.group is None:
            return
        try:
            self.group.flush_if_due()
        except Exception:  # keep the timer alive: the next item or the end of the crawl flushes again
            logger.exception("archive: a timed group commit failed")
            self.stats.inc_value("govreports/delivery/failed_flushes")

    def spider_closed(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.finish()

    def finish(self) -> None:
        if self.finished or self.group is None:
            return
        self.finished = True
        self.group.flush()
        if self.archive is not None:
            self.archive.finish()
            self.stats.set_value("govreports/archive/reports", self.archive.count_reports())
        self.stats.set_value("govreports/archive/seconds", round(self.seconds + self.group.archive_seconds, 3))
        self.stats.set_value("govreports/delivery/seconds", round(self.group.seconds, 3))

    def engine_stopped(self) -> None:
        if self.archive is not None:
            self.archive.close()

    # --- archiving -----------------------------------------------------------------------------
    def archive_exchange(self, capture: dict[str, Any]) -> dict[str, Any]:
        began = time.perf_counter()
        self.start()
        assert self.archive is not None
        try:
            return self.archive.write_exchange(capture)
        finally:
            self.seconds += time.perf_counter() - began

    def archive_page(self, page: ReportPage, digest: str) -> None:
        """Write the page's and its attachments' records; `page.sources` names them."""
        if self.archive is None:
            return
        began = time.perf_counter()
        capture = page.capture or _plain_capture(page.url, page.body, page.headers)
        sources = [{**self.archive.write_exchange(capture), "role": "page"}]
        attachments = []
        for attachment in page.attachments:
            attachment_capture = attachment.pop("capture", None) or _plain_capture(
                attachment["url"], attachment.get("body") or b"", {})
            source = {**self.archive.write_exchange(attachment_capture), "role": "attachment"}
            sources.append(source)
            attachments.append({"url": attachment["url"], "name": attachment.get("name"),
                                "media_type": attachment.get("media_type"), "record_id": source["record_id"]})
        page.capture = None
        page.sources = sources
        self.pages[str(sources[0]["record_id"])] = {
            "url": page.url, "site": page.site, "media_type": page.media_type,
            "declared_encoding": page.declared_encoding, "hints": page.hints, "rendered": page.rendered,
            "fetched_at": page.fetched_at, "attachments": attachments, "sources": sources, "source_digest": digest,
        }
        self.seconds += time.perf_counter() - began

    def page_of(self, item: Any) -> dict[str, Any] | None:
        sources = (ItemAdapter(item).get("provenance") or {}).get("sources") or []
        return self.pages.get(str(sources[0])) if sources else None

    def queue(self, item: ReportItem) -> None:
        """An item the dedup pipeline lets through: into the next delivery group."""
        group = self.start()
        if self.archive is None:
            return
        began = time.perf_counter()
        page = self.pages.pop(str((item.provenance.get("sources") or [""])[0]), None) or {"url": item.url, "sources": []}
        key = key_of(item)
        latest = self.archive.latest_revision(key)
        digest = page.get("source_digest")
        run_state = existing_state(self.crawler)
        claimed_hash = run_state.claimed_hashes.pop(item.id, None) if run_state is not None else None
        if latest is None:
            reason = "first_seen"
        elif digest and latest.source_digest == digest:
            reason = "parser_changed"
        else:
            reason = "source_changed"
        group.add(ArchivedItem(
            key=key, id=item.id or id_of_key(key), revision=item.revision, url=item.url, site_id=site_id_of(item),
            content_hash=claimed_hash or content_hash(item), item_json=item_json(item), page=page, source_digest=digest,
            parser_version=str(item.provenance.get("parser_version") or PARSER_VERSION),
            schema_version=int(item.provenance.get("schema_version") or ITEM_SCHEMA_VERSION), reason=reason,
        ))
        self.stats.inc_value("govreports/archive/items")
        self.stats.inc_value(f"govreports/archive/reason/{reason}")
        self.seconds += time.perf_counter() - began

    def unchanged(self, item: Any, key: str) -> None:
        """Dedup found the content delivered already (unchanged, or a second posting of `key`):
        these bytes lead to it, so next time they are not parsed again."""
        page = self.page_of(item)
        if self.archive is not None and page is not None and page.get("source_digest"):
            self.archive.note_same_sources(str(page["source_digest"]), PARSER_VERSION, key)
        if page is not None:
            self.pages.pop(str(page["sources"][0]["record_id"]), None)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if not isinstance(item, ReportPage) or not item.sources:
            return
        page = self.pages.pop(str(item.sources[0].get("record_id")), None)
        if self.archive is not None and page is not None and "not an annual report" in str(exception):
            self.archive.note_verdict(str(page["source_digest"]), PARSER_VERSION, "not_report")


def _plain_capture(url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """A page that came without a capture (a spider or test that builds ReportPages itself)."""
    return {"url": url, "status": 200, "headers": list(headers.items()), "body": body,
            "request": {"method": "GET", "url": url, "headers": []}}


def item_from_json(data: dict[str, Any]) -> ReportItem:
    return ReportItem(**{name: data[name] for name in REPORT_FIELDS if name in data})


class ArchivePipeline:
    """Priority 50: archive the page's bytes; pass an archived item on when the bytes are known."""

    def __init__(self, crawler: Crawler, extension: ArchiveExtension) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.extension = extension

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        extension = crawler.get_extension(ArchiveExtension)
        if extension is None or not extension.enabled:
            raise NotConfigured("the archive is off (GOVREPORTS_ARCHIVE_ENABLED or no ArchiveExtension)")
        return cls(crawler, extension)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportPage):
            return item
        self.extension.start()
        archive = self.extension.archive
        if archive is None:
            return item
        digest = source_digest(item)
        known = archive.reusable(digest, PARSER_VERSION) if self.extension.reuse else None
        if known is None:
            self.extension.archive_page(item, digest)
            return item
        verdict, stored = known
        item.capture = None
        for attachment in item.attachments:
            attachment.pop("capture", None)
        if stored is None:
            self.stats.inc_value("govreports/archive/known_not_report")
            raise DropItem(f"{verdict} (known from the archive, same bytes, same parser): {item.url}",
                           log_level="INFO")
        # the bytes are archived already: no record written, the stored item goes on unparsed
        report = item_from_json(stored.item or {})
        self.extension.pages[str((report.provenance.get("sources") or [""])[0])] = stored.page
        self.stats.inc_value("govreports/archive/reused")
        return report


def source_digest(page: ReportPage) -> str:
    """The digest of the bytes a report is built from (decoded bodies: page first, then attachments)."""
    return combined_digest([payload_digest(page.body),
                            *(payload_digest(a.get("body") or b"") for a in page.attachments)])


class ArchiveItemPipeline:
    """Priority 400 (after dedup): every item let through goes to the archive's next group."""

    def __init__(self, extension: ArchiveExtension) -> None:
        self.extension = extension

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveItemPipeline:
        extension = crawler.get_extension(ArchiveExtension)
        if extension is None or not extension.enabled:
            raise NotConfigured("the archive is off")
        return cls(extension)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ReportItem):
            self.extension.queue(item)
        return item
