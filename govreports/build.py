"""Assemble the published `ReportItem` from a downloaded `ReportPage`.

One place, used by `ParsePipeline` during a crawl and by `scrapy extract` for local files, so a
crawled report and an extracted one are built the same way. Pure apart from the parsing calls:
no Scrapy import.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, fields, is_dataclass
from datetime import datetime, timezone
from typing import Any

from govreports.checks import run_checks
from govreports.items import REPORT_FIELDS, Provenance, ReportItem, ReportPage, Site, new_provenance
from govreports.parsing.attachments import merge_page_and_attachments
from govreports.parsing.report import ParsedReport, parse_report

# the record's fields the parser fills, in record order (whatever both classes name alike)
_PARSED_FIELDS: tuple[str, ...] = tuple(
    name for name in REPORT_FIELDS if name in {f.name for f in fields(ParsedReport)}
)


def _plain(value: Any) -> Any:
    """Dataclasses and tuples from the parsers become JSON-ready dicts and lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def site_record(site: dict[str, Any] | None) -> Site:
    """The item's `site` object: exactly the registry keys, nulls when unknown."""
    site = site or {}
    return Site(id=site.get("id"), name=site.get("name"), adcode=site.get("adcode"),
                province=site.get("province"), level=site.get("level"))


def item_from_page(page: ReportPage, *, soffice: str | None = None) -> ReportItem:
    """Parse the page and its attachments into one item (checks not yet run).

    `soffice` is the GOVREPORTS_SOFFICE setting (the LibreOffice binary for DOC/WPS; None: on PATH).
    """
    parsed = parse_report(
        page.body,
        url=page.url,
        media_type=page.media_type,
        declared_encoding=page.declared_encoding,
        hints=page.hints,
        soffice=soffice,
    )
    attachment_reports: list[tuple[dict[str, Any], ParsedReport]] = []
    for attachment in page.attachments:
        body = attachment.get("body") or b""
        attachment_reports.append(
            (attachment, parse_report(body, url=attachment["url"], media_type=attachment.get("media_type"),
                                      soffice=soffice))
        )
    merged = merge_page_and_attachments(parsed, attachment_reports) if attachment_reports else None
    chosen: ParsedReport = merged.report if merged is not None else parsed
    attachments = merged.attachments if merged is not None else []

    item = ReportItem(url=page.url, site=site_record(page.site))
    for name in _PARSED_FIELDS:
        setattr(item, name, _plain(getattr(chosen, name)))
    item.attachments = _plain(attachments)
    item.source = {
        "media_type": parsed.media_type,
        "encoding": parsed.encoding,
        "sha256": hashlib.sha256(page.body).hexdigest(),
        "fetched_at": page.fetched_at or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "rendered": page.rendered,
        "ocr": None,
    }
    item.provenance = provenance(page.sources)
    return item


def provenance(sources: list[dict[str, Any]]) -> Provenance:
    """The item's `provenance`: this parser, built from these archived records (WARC-Record-IDs)."""
    made = new_provenance()
    made["sources"] = [str(source["record_id"]) for source in sources if source.get("record_id")]
    return made


def apply_checks(item: ReportItem) -> None:
    """Fill `checks` from the format's own arithmetic identities."""
    item.checks = run_checks(item.tables, item.figures, item.format)


def checked_item_from_page(page: ReportPage, *, soffice: str | None = None) -> ReportItem:
    """`item_from_page` with its checks run: what a parse worker hands back, so that the crawl
    process (one core for navigation and I/O) does not run the checks itself."""
    item = item_from_page(page, soffice=soffice)
    apply_checks(item)
    return item
