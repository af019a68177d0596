"""`DurableJsonLinesItemExporter`: a JSON Lines feed whose every line is on disk before it counts.

Configured in `FEED_EXPORTERS` for `jsonlines`, `jsonl` and `jl`, so `-O out.jsonl` and
`FEEDS = {"output/%(time)s.jsonl": …}` both use it. Lines go out in the archive's delivery order,
in groups (`govreports.archive.crawl.DeliveryGroup`, every `GOVREPORTS_DELIVERY_GROUP_ITEMS` items
or `GOVREPORTS_DELIVERY_GROUP_MS` ms): 1. the group's WARC records and item rows are committed to
the archive, 2. its lines are written, flushed and `fsync`ed, 3. its claims commit in the state
store (steps of the protocol in `govreports.state`). A line waiting in memory when the crawl is
killed was never written, and its claim is released at the next start: the report is emitted again.
Without the crawl's `ArchiveExtension` (a bare crawler) each line is written, fsynced and committed
on its own, in the same order.

A feed that cannot be fsynced (stdout, a pipe) is flushed and still commits; a feed without a local
path (post-processing such as gzip) never commits, so its reports stay unseen and are emitted
again: duplicates are preferred to losses. Stats: `govreports/feed/fsynced` (fsyncs),
`govreports/feed/lines`, `govreports/feed/not_durable`.
"""

from __future__ import annotations

import logging
import os
from typing import IO, TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.python import to_bytes

from govreports.prepared import prepared_of
from govreports.state import RunState, existing_state

if TYPE_CHECKING:
    from govreports.archive.crawl import DeliveryGroup

logger = logging.getLogger(__name__)


class DurableJsonLinesItemExporter(JsonLinesItemExporter):
    def __init__(self, file: IO[bytes], *, run_state: RunState | None = None, crawler: Crawler | None = None,
                 group: DeliveryGroup | None = None, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)  # type: ignore[arg-type]  # Scrapy annotates BytesIO; it only writes
        self.run_state = run_state
        self.group = group
        self.stats = crawler.stats if crawler is not None else None
        self.buffer: list[tuple[str, bytes]] = []  # (report id, line) waiting for the group commit
        name = getattr(file, "name", None)
        self.path: str | None = name if isinstance(name, str) and not name.startswith("<") else None
        try:
            file.fileno()
            self.has_fd = True
        except (AttributeError, OSError, ValueError):
            self.has_fd = False
        # a post-processing wrapper (gzip…) exposes no local file whose lines recovery could read
        self.durable = self.has_fd and hasattr(file, "flush")
        # every field, UTF-8, the encoder's defaults: a line is exactly the item's JSON (prepared.py)
        self.plain = (self.fields_to_export is None and (self.encoding or "").lower().replace("-", "") == "utf8"
                      and self._kwargs == {"ensure_ascii": False})

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: IO[bytes], *args: Any, **kwargs: Any) -> DurableJsonLinesItemExporter:
        from govreports.archive.crawl import ArchiveExtension

        archive = crawler.get_extension(ArchiveExtension) if getattr(crawler, "extensions", None) else None
        group = archive.start() if archive is not None else None
        return cls(file, *args, run_state=existing_state(crawler), crawler=crawler, group=group, **kwargs)

    def start_exporting(self) -> None:
        super().start_exporting()
        if self.durable and self.group is not None:
            self.group.register(self)
        if self.run_state is None:
            return
        if self.durable and self.path:
            self.run_state.feed_opened(self.path)
        elif not self.durable:
            logger.warning("feed %r cannot be fsynced: its reports will not be marked seen", self.path or self.file)

    def export_item(self, item: Any) -> None:
        prepared = prepared_of(item) if self.plain else None
        if prepared is not None:  # encoded by the parse worker: only the revision is spliced in
            line = (prepared.line(item.revision) + "\n").encode("utf-8")
        else:
            line = to_bytes(self.encoder.encode(dict(self.get_serialized_fields(item))) + "\n", self.encoding)
        if not self.durable:
            self.file.write(line)
            self._inc("not_durable")
            return
        report_id = str(ItemAdapter(item).get("id") or "")
        self.buffer.append((report_id, line))
        if self.group is not None:
            self.group.line_waiting()
            return
        for delivered in self.write_buffered():
            if self.run_state is not None:
                self.run_state.delivered_ids([delivered])

    def write_buffered(self) -> list[str]:
        """Step 2 of a group: write the waiting lines, flush and fsync; returns their report ids."""
        if not self.buffer:
            return []
        lines, self.buffer = self.buffer, []
        self.file.write(b"".join(line for _, line in lines))
        self.file.flush()
        try:
            os.fsync(self.file.fileno())
            self._inc("fsynced")
        except OSError:  # a pipe or a terminal: flushed is as far as it goes
            pass
        if self.stats is not None:
            self.stats.inc_value("govreports/feed/lines", len(lines))
        return [report_id for report_id, _ in lines if report_id]

    def finish_exporting(self) -> None:
        if self.group is not None:
            self.group.flush()
            self.group.unregister(self)
        else:
            self.write_buffered()
        super().finish_exporting()

    def _inc(self, name: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"govreports/feed/{name}")
