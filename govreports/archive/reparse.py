"""Re-deriving archived reports from their archived bytes with the current parser (`scrapy reparse`).

Offline: every latest revision's page and attachments are read back from the WARC files (a revisit
resolved to the record holding the bytes), rebuilt into the `ReportPage` the crawl had (URL, site,
media type, declared encoding, list-page hints, all kept in the revision's row) and parsed by the
same `checked_item_from_page` as a crawl's parse workers. An item whose content differs becomes a new revision
with reason `parser_changed` (in the archive, and committed in the state store so the next crawl
does not deliver it again as a change); an unchanged one is noted as what these bytes give with this
parser, so the next crawl reuses it unparsed. A report whose bytes are gone is listed, never
skipped silently.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from govreports.archive.store import Archive, ArchivedItem, StoredRevision
from govreports.build import checked_item_from_page
from govreports.items import ITEM_SCHEMA_VERSION, ReportItem, ReportPage
from govreports.parsing import PARSER_VERSION
from govreports.parsing.ocr.run import OcrPool
from govreports.prepared import content_hash, item_json
from govreports.state.base import Claim, RunInfo, StateStore, utc_now

# fields that change with every parse or are bookkeeping, not content
_NOT_COMPARED = ("source", "provenance", "revision")


@dataclass(slots=True)
class ReparseSummary:
    reports: int = 0
    rederived: int = 0
    changed: int = 0
    fields_changed: Counter[str] = field(default_factory=Counter)
    missing: list[tuple[str, str, str]] = field(default_factory=list)  # (id, url, why)
    failed: list[tuple[str, str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [(f"{self.reports} archived report(s): {self.rederived} re-derived from their archived bytes with "
                  f"parser {PARSER_VERSION}, {self.changed} changed (new revisions, reason parser_changed)")]
        if self.fields_changed:
            lines.append("fields changed: " + ", ".join(f"{name} ({count})" for name, count in
                                                        self.fields_changed.most_common()))
        for report_id, url, why in self.missing:
            lines.append(f"bytes gone: {report_id} {url}: {why}")
        for report_id, url, why in self.failed:
            lines.append(f"failed: {report_id} {url}: {why}")
        return lines


def rebuild_page(archive: Archive, stored: StoredRevision) -> tuple[ReportPage | None, str]:
    """The ReportPage the crawl parsed, from the archive; (None, why) when bytes are gone."""
    page = stored.page
    sources = page.get("sources") or []
    if not sources:
        return None, "no archived source recorded (delivered before the archive existed?)"
    body = archive.payload(str(sources[0]["record_id"]))
    if body is None:
        return None, f"record {sources[0]['record_id']} not readable"
    attachments = []
    for attachment in page.get("attachments") or []:
        data = archive.payload(str(attachment["record_id"]))
        if data is None:
            return None, f"attachment record {attachment['record_id']} ({attachment['url']}) not readable"
        attachments.append({"url": attachment["url"], "name": attachment.get("name"),
                            "media_type": attachment.get("media_type"), "body": data})
    return ReportPage(
        url=str(page.get("url") or stored.url), body=body, site=dict(page.get("site") or {}),
        media_type=str(page.get("media_type") or "text/html"), declared_encoding=page.get("declared_encoding"),
        hints=dict(page.get("hints") or {}), attachments=attachments, rendered=bool(page.get("rendered")),
        fetched_at=page.get("fetched_at"), sources=list(sources),
    ), ""


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [name for name in new if name not in _NOT_COMPARED and old.get(name) != new.get(name)]


def reparse(archive: Archive, *, store: StateStore | None = None, sites: set[str] | None = None,
            output: IO[str] | None = None, ocr: OcrPool | None = None, soffice: str | None = None,
            ) -> ReparseSummary:
    """Re-derive every archived report (`ocr`: scanned pages are read as a crawl reads them; its
    cache, keyed by image hash and engine version, means no image is recognised twice)."""
    summary = ReparseSummary()
    run_id = f"reparse-{utc_now()}"
    if store is not None:
        import os
        import socket

        store.begin_run(RunInfo(run_id=run_id, pid=os.getpid(), host=socket.gethostname(), started_at=utc_now()))
    for stored in list(archive.latest(sites=sites)):
        summary.reports += 1
        page, why = rebuild_page(archive, stored)
        if page is None:
            summary.missing.append((stored.id, stored.url, why))
            continue
        try:
            if ocr is not None:
                page.ocr = ocr.read_now_report(page.body, page.attachments)
            item: ReportItem = checked_item_from_page(page, soffice=soffice)
        except Exception as error:  # one odd report must not stop the others
            summary.failed.append((stored.id, stored.url, f"{type(error).__name__}: {error}"))
            continue
        summary.rederived += 1
        item.id = stored.id
        item.revision = stored.revision
        digest = content_hash(item)
        if digest == stored.content_hash:
            if stored.source_digest:
                archive.note_same_sources(stored.source_digest, PARSER_VERSION, stored.key)
            continue
        new = json.loads(item_json(item))
        summary.fields_changed.update(changed_fields(stored.item or {}, new))
        summary.changed += 1
        item.revision = stored.revision + 1
        archive.add_revision(ArchivedItem(
            key=stored.key, id=stored.id, revision=item.revision, url=stored.url, site_id=stored.site_id,
            content_hash=digest, item_json=item_json(item), page=stored.page, source_digest=stored.source_digest,
            parser_version=PARSER_VERSION, schema_version=ITEM_SCHEMA_VERSION, reason="parser_changed",
        ))
        if store is not None:
            seen = store.lookup(stored.key)
            if seen is None or seen.revision < item.revision:
                store.claim(Claim(key=stored.key, id=stored.id, content_hash=digest, revision=item.revision,
                                  url=stored.url, site_id=stored.site_id, run_id=run_id))
                store.commit(stored.id, run_id)
        if output is not None:
            output.write(item_json(item) + "\n")
    if store is not None:
        store.end_run(run_id, "finished")
    return summary


def export(archive: Archive, output: Path, *, sites: set[str] | None = None, since: str | None = None) -> int:
    """The latest revision of every archived report (withdrawn ones left out) as JSON Lines,
    written atomically; returns how many."""
    import os

    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    count = 0
    with temporary.open("w", encoding="utf-8") as out:
        for stored in archive.latest(sites=sites, since=since):
            if stored.item is None:
                continue
            out.write(json.dumps(stored.item, ensure_ascii=False) + "\n")
            count += 1
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, output)
    return count
