"""`DurableJsonLinesItemExporter`: a JSON Lines feed whose every line is on disk before it counts.

Configured in `FEED_EXPORTERS` for `jsonlines`, `jsonl` and `jl`, so `-O out.jsonl` and
`FEEDS = {"output/%(time)s.jsonl": …}` both use it. Per item: one complete line written in one
call, flushed, `fsync`ed, then the item's claim is committed in the state store (steps 2-3 of the
protocol in `govreports.state`). A feed that cannot be fsynced (stdout, a pipe) is flushed and still
commits; a feed without a local path (post-processing such as gzip) never commits, so its reports
stay unseen and are emitted again: duplicates are preferred to losses. Stats:
`govreports/feed/fsynced`, `govreports/feed/not_durable`.
"""

from __future__ import annotations

import logging
import os
from typing import IO, Any

from scrapy.crawler import Crawler
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.python import to_bytes

from govreports.state import RunState, existing_state

logger = logging.getLogger(__name__)


class DurableJsonLinesItemExporter(JsonLinesItemExporter):
    def __init__(self, file: IO[bytes], *, run_state: RunState | None = None, crawler: Crawler | None = None,
                 **kwargs: Any) -> None:
        super().__init__(file, **kwargs)  # type: ignore[arg-type]  # Scrapy annotates BytesIO; it only writes
        self.run_state = run_state
        self.stats = crawler.stats if crawler is not None else None
        name = getattr(file, "name", None)
        self.path: str | None = name if isinstance(name, str) and not name.startswith("<") else None
        try:
            file.fileno()
            self.has_fd = True
        except (AttributeError, OSError, ValueError):
            self.has_fd = False
        # a post-processing wrapper (gzip…) exposes no local file whose lines recovery could read
        self.durable = self.has_fd and hasattr(file, "flush")

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: IO[bytes], *args: Any, **kwargs: Any) -> DurableJsonLinesItemExporter:
        # the dedup pipeline (built before the first item reaches a feed) owns the run state
        return cls(file, *args, run_state=existing_state(crawler), crawler=crawler, **kwargs)

    def start_exporting(self) -> None:
        super().start_exporting()
        if self.run_state is None:
            return
        if self.durable and self.path:
            self.run_state.feed_opened(self.path)
        elif not self.durable:
            logger.warning("feed %r cannot be fsynced: its reports will not be marked seen", self.path or self.file)

    def export_item(self, item: Any) -> None:
        itemdict = dict(self.get_serialized_fields(item))
        line = to_bytes(self.encoder.encode(itemdict) + "\n", self.encoding)
        self.file.write(line)
        if not self.durable:
            self._inc("not_durable")
            return
        self.file.flush()
        try:
            os.fsync(self.file.fileno())
            self._inc("fsynced")
        except OSError:  # a pipe or a terminal: flushed is as far as it goes
            pass
        if self.run_state is not None:
            self.run_state.delivered(item)

    def _inc(self, name: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"govreports/feed/{name}")
