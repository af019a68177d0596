"""The two things that travel through the crawl.

`ReportPage` is what a spider yields: raw bytes plus where they came from. `ParsePipeline` turns it
into a `ReportItem`, the published record (DESIGN.md §3). Both are dataclasses handled through
itemadapter; the exporters write `ReportItem` fields in declaration order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(kw_only=True, slots=True)
class ReportPage:
    """A candidate report as downloaded: the spider's whole contribution."""

    url: str
    body: bytes
    site: dict[str, Any] = field(default_factory=dict)
    media_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)
    declared_encoding: str | None = None
    # hints from the list page the link was found on: {"link_text", "list_date", "column_url"}
    hints: dict[str, Any] = field(default_factory=dict)
    # attachments of the page already fetched by the spider: [{url, name, media_type, body}]
    attachments: list[dict[str, Any]] = field(default_factory=list)
    rendered: bool = False
    fetched_at: str | None = None
    # what the OCR pool read from the scanned bodies: {sha256 of the body | "page-images": OcrResult}
    ocr: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True, slots=True)
class ReportItem:
    """One report, exactly the keys of DESIGN.md §3."""

    id: str = ""
    url: str = ""
    site: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    agency: str | None = None
    report_year: int | None = None
    publish_date: str | None = None
    index_no: str | None = None
    publisher: str | None = None
    doc_no: str | None = None
    topic: str | None = None
    format: str = "unknown"
    script: str = "hans"
    text: str = ""
    sections: list[dict[str, str]] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    revision: int = 1


REPORT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ReportItem))
SITE_KEYS: tuple[str, ...] = ("id", "name", "adcode", "province", "level")
