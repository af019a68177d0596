"""DedupPipeline (priority 300): one item per report, within a run and across runs (docs/architecture.md).

Key (`govreports.keys`, shared with `scrapy extract`): (site id, 索引号) when the report has
an index number, else (site id, report year, agency or publisher, normalised title); `item.id` =
sha1 of the key. A second posting of the same report
(district column and department column) is recognised by the key, by an identical body (title,
text, tables) within the site, or, across runs, by its URL being a known alias of a delivered report.

Content hash: sha256 over the fields that carry the report's content (`GOVREPORTS_DEDUP_HASH_FIELDS`,
default title, agency, report_year, publish_date, index_no, publisher, doc_no, topic, format,
text, sections, tables, figures, and each attachment's sha256). Not the URL, not `source`
(fetched_at, raw-body hash: page chrome changes), not checks/warnings (derived by our code).

Outcomes (stats):
- `govreports/dedup/new`: never delivered → emitted with revision 1;
- `govreports/dedup/changed`: delivered before with another hash → emitted with revision + 1;
- `govreports/dedup/unchanged`: delivered with this hash → dropped (DEBUG);
- `govreports/dedup/duplicate`: already emitted in this run, or a known second posting → dropped;
- `govreports/dedup/withdrawn`: a report taken down with `scrapy forget` → dropped.

An emitted item is only *claimed*; it becomes "seen" when the feed has it on disk (see
`govreports.state`). Items that are not `ReportItem`s pass through untouched.
Settings: `GOVREPORTS_STATE_ENABLED` (default True), `GOVREPORTS_DEDUP_HASH_FIELDS`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from govreports.items import ReportItem
from govreports.keys import site_id_of
from govreports.prepared import HASH_FIELDS, prepare, prepared_of
from govreports.state import Claim, RunState, existing_state
from govreports.urls import canonical_url

if TYPE_CHECKING:
    from govreports.archive.crawl import ArchiveExtension

logger = logging.getLogger(__name__)

class DedupPipeline:
    def __init__(self, run_state: RunState, stats: StatsCollector, *, hash_fields: tuple[str, ...] = HASH_FIELDS,
                 archive: ArchiveExtension | None = None) -> None:
        self.run_state = run_state
        self.archive = archive
        self.withdrawn = archive.archive.forgotten_ids() if archive is not None and archive.archive else set()
        self.store = run_state.store
        self.stats = stats
        self.hash_fields = hash_fields
        self.emitted_keys: dict[str, str] = {}  # key -> url emitted in this run
        self.emitted_bodies: dict[tuple[str, str], str] = {}  # (site, body hash) -> key
        self.emitted_governments: dict[str, str] = {}  # government key (keys.py) -> key emitted

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        if not crawler.settings.getbool("GOVREPORTS_STATE_ENABLED", True):
            raise NotConfigured("GOVREPORTS_STATE_ENABLED is off")
        fields = tuple(crawler.settings.getlist("GOVREPORTS_DEDUP_HASH_FIELDS") or HASH_FIELDS)
        assert crawler.stats is not None
        run_state = existing_state(crawler)
        if run_state is None:
            raise NotConfigured("no StateExtension in EXTENSIONS: nothing to deduplicate against")
        from govreports.archive.crawl import ArchiveExtension

        archive = crawler.get_extension(ArchiveExtension)
        if archive is not None:
            archive.start()
        return cls(run_state, crawler.stats, hash_fields=fields, archive=archive)

    def _count(self, outcome: str) -> None:
        self.stats.inc_value(f"govreports/dedup/{outcome}")

    def _duplicate(self, url: str, key: str, why: str) -> DropItem:
        self._count("duplicate")
        return DropItem(f"duplicate report ({why}): {url}", log_level="DEBUG")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportItem):
            return item
        adapter = ItemAdapter(item)
        url = str(adapter.get("url") or "")
        site_id = site_id_of(item)
        # the key, hashes and id the parse worker computed (govreports/prepared.py); an item from
        # elsewhere (the archive, `scrapy extract`, a test) or hashed over other fields gets them here
        prepared = prepared_of(item)
        if prepared is None or prepared.hash_fields != self.hash_fields:
            prepared = prepare(item, self.hash_fields)
        key, body, digest = prepared.key, prepared.body_hash, prepared.content_hash

        # within this run (a government's report counts once whichever site posted it: keys.py)
        government = prepared.government or key
        first = self.emitted_governments.get(government)
        if first is not None and first != key:
            # remembered, so a later run knows this URL as a second posting whichever copy comes first
            self.store.remember_urls(first, [url], site_id)
            raise self._duplicate(url, key, f"same government report as {self.emitted_keys.get(first, first)}")
        if key in self.emitted_keys:
            self._same_as(item, key)
            self.store.remember_urls(key, [url], site_id)
            raise self._duplicate(url, key, f"same key as {self.emitted_keys[key]}")
        first_key = self.emitted_bodies.get((site_id, body))
        if first_key is not None:
            self._same_as(item, first_key)
            self.store.remember_urls(first_key, [url], site_id)
            raise self._duplicate(url, key, "same body as a report already emitted")

        # across runs
        seen = self.store.lookup(key)
        if seen is None:
            alias = self._alias_of(url, key)
            if alias is not None:
                self._same_as(item, alias.key)
                raise self._duplicate(url, key, f"second posting of {alias.url}")
            revision, outcome = 1, "new"
        elif seen.content_hash == digest:
            self._same_as(item, key)
            self.store.touch(key, self.run_state.run_id)
            self.store.remember_urls(key, [url], site_id)
            self.emitted_keys[key] = url  # later copies in this run are duplicates, not "unchanged"
            self.emitted_governments.setdefault(government, key)
            self.emitted_bodies[(site_id, body)] = key
            self._count("unchanged")
            raise DropItem(f"unchanged since revision {seen.revision}: {url}", log_level="DEBUG")
        else:
            revision, outcome = seen.revision + 1, "changed"
            logger.info("report changed: %s (revision %d → %d)", url, seen.revision, revision)

        if item.id in self.withdrawn:
            self._count("withdrawn")
            raise DropItem(f"withdrawn from the archive (scrapy forget): {url}", log_level="INFO")
        item.revision = revision
        self.run_state.claim(
            Claim(key=key, id=item.id, content_hash=digest, revision=revision, url=url,
                  site_id=site_id, run_id=self.run_state.run_id)
        )
        self.emitted_keys[key] = url
        self.emitted_governments.setdefault(government, key)
        self.emitted_bodies[(site_id, body)] = key
        self._count(outcome)
        return item

    def _same_as(self, item: Any, key: str) -> None:
        """Tell the archive these bytes give report `key` (so they are not parsed again)."""
        if self.archive is not None:
            self.archive.unchanged(item, key)

    def _alias_of(self, url: str, key: str) -> Any:
        """A delivered report of another key whose known URLs include this one (a second posting)."""
        other = self.store.url_key(url)
        if other is None or other == key:
            return None
        seen = self.store.lookup(other)
        if seen is None or canonical_url(seen.url) == canonical_url(url):
            return None
        return seen
