"""Assemble the published `ReportItem` from a downloaded `ReportPage`.

One place, used by `ParsePipeline` during a crawl and by `scrapy extract` for local files, so a
crawled report and an extracted one are built the same way. Pure apart from the parsing calls:
no Scrapy import.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from typing import Any

from govreports.checks import run_checks
from govreports.items import REPORT_FIELDS, Provenance, ReportItem, ReportPage, Site, new_provenance
from govreports.parsing.attachments import merge_page_and_attachments
from govreports.parsing.ocr.images import sniff_image
from govreports.parsing.ocr.models import PAGE_IMAGES
from govreports.parsing.report import ParsedReport, parse_report
from govreports.prepared import HASH_FIELDS, prepare

# the record's fields the parser fills, in record order (whatever both classes name alike)
_PARSED_FIELDS: tuple[str, ...] = tuple(
    name for name in REPORT_FIELDS if name in {f.name for f in fields(ParsedReport)}
)


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """Dataclasses and tuples from the parsers become JSON-ready dicts and lists.

    Scalars first (most of a report's values are table cells), and dataclasses read field by field
    rather than through `dataclasses.asdict`, which deep-copies everything before it is walked again."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def site_record(site: dict[str, Any] | None) -> Site:
    """The item's `site` object: exactly the registry keys, nulls when unknown."""
    site = site or {}
    return Site(id=site.get("id"), name=site.get("name"), adcode=site.get("adcode"),
                province=site.get("province"), level=site.get("level"))


def _ocr_of(page: ReportPage, body: bytes) -> Any:
    """The OCR result the OCR stage left for this body, if any."""
    return page.ocr.get(hashlib.sha256(body).hexdigest()) if page.ocr and body else None


def item_from_page(page: ReportPage, *, soffice: str | None = None) -> ReportItem:
    """Parse the page and its attachments into one item (checks not yet run).

    `soffice` is the GOVREPORTS_SOFFICE setting (the LibreOffice binary for DOC/WPS; None: on PATH).
    Image attachments (the report printed one image per page, or a scanned attachment) are one
    document, read in the order the page shows them, when the OCR stage read them.
    """
    parsed = parse_report(
        page.body,
        url=page.url,
        media_type=page.media_type,
        declared_encoding=page.declared_encoding,
        hints=page.hints,
        soffice=soffice,
        ocr=_ocr_of(page, page.body),
    )
    attachment_reports: list[tuple[dict[str, Any], ParsedReport | None]] = []
    page_images = page.ocr.get(PAGE_IMAGES) if page.ocr else None
    images_read = False
    for attachment in page.attachments:
        body = attachment.get("body") or b""
        if page_images is not None and sniff_image(body[:16]) is not None:
            report = None
            if not images_read:  # the first image stands for the whole sequence
                images_read = True
                report = parse_report(b"", url=attachment["url"], media_type="image/*", ocr=page_images)
            attachment_reports.append((attachment, report))
            continue
        attachment_reports.append(
            (attachment, parse_report(body, url=attachment["url"], media_type=attachment.get("media_type"),
                                      soffice=soffice, ocr=_ocr_of(page, body)))
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
        "fetched_at": page.fetched_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "rendered": page.rendered,
        "ocr": None,
    }
    ocr = getattr(chosen, "ocr", None)
    if ocr:
        item.source["ocr"] = _plain(ocr)
    item.provenance = provenance(page.sources)
    return item


def provenance(sources: list[dict[str, Any]]) -> Provenance:
    """The item's `provenance`: this parser, built from these archived records (WARC-Record-IDs)."""
    made = new_provenance()
    made["sources"] = [str(source["record_id"]) for source in sources if source.get("record_id")]
    return made


def apply_checks(item: ReportItem) -> None:
    """Fill `checks` from the format's own arithmetic identities.

    A check failing on tables read by OCR is more likely a misread digit than a wrong report: the
    warning names the least confident cells among the numbers the check adds up.
    """
    item.checks = run_checks(item.tables, item.figures, item.format)
    ocr = item.source.get("ocr") if isinstance(item.source, dict) else None
    if ocr and ocr.get("tables") and ocr.get("cells"):
        for check in item.checks:
            if check.get("ok") is False and not str(check.get("rule", "")).startswith("figures."):
                numbers = set(re.findall(r"\d+(?:\.\d+)?", str(check.get("message", ""))))
                suspects = least_certain(ocr["cells"], numbers)
                if suspects:
                    item.warnings.append(f"check {check['rule']} failed on an OCR table; least certain cells: "
                                         + "; ".join(suspects))


def least_certain(cells: Sequence[Sequence[Any]], numbers: set[str], limit: int = 3) -> list[str]:
    """Of the OCR cells [confidence, text, where], the least confident whose text a check names."""
    chosen = sorted((cell for cell in cells if str(cell[1]) in numbers), key=lambda cell: float(cell[0]))
    return [f"{cell[2]} read {cell[1]!r} ({float(cell[0]):.2f})" for cell in chosen[:limit]]


def checked_item_from_page(page: ReportPage, *, soffice: str | None = None) -> ReportItem:
    """`item_from_page` with its checks run: what a parse worker hands back, so that the crawl
    process (one core for navigation and I/O) does not run the checks itself."""
    item = item_from_page(page, soffice=soffice)
    apply_checks(item)
    return item


def prepared_item_from_page(page: ReportPage, *, soffice: str | None = None,
                            hash_fields: tuple[str, ...] = HASH_FIELDS) -> ReportItem:
    """`checked_item_from_page` with its id, key, content hashes and JSON computed (`prepared.py`):
    what a parse worker hands back, so the crawl process only splices in the revision and writes."""
    item = checked_item_from_page(page, soffice=soffice)
    prepare(item, hash_fields)
    return item
