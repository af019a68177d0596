"""Scrapy responses → what the spider hands to the pipelines: a report's `ReportPage` and its
attachments' records, with the bytes, their media type (magic bytes first, then the declared type
and the URL), the declared encoding and the archive's capture of the exchange.

Conversion, not navigation: kept out of the spider, which only decides what to fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response, TextResponse

from govreports.archive import CAPTURE as ARCHIVE_CAPTURE
from govreports.items import ReportPage
from govreports.parsing.decode import declared_encoding
from govreports.parsing.sniff import sniff_media_type
from govreports.render import is_rendered


def report_page(response: Response, site: dict[str, Any], hints: Mapping[str, Any]) -> ReportPage:
    """The report page as downloaded (its attachments are added as they arrive)."""
    headers = {key.decode("latin-1"): b", ".join(values).decode("latin-1", "replace")
               for key, values in response.headers.items()}
    return ReportPage(
        url=response.url, body=response.body, site=site, media_type=media_type(response),
        headers=headers, hints=dict(hints), attachments=[], rendered=is_rendered(response),
        declared_encoding=declared_encoding(content_type(response),
                                            response.body if isinstance(response, TextResponse) else None),
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        capture=response.meta.get(ARCHIVE_CAPTURE),
    )


def attachment_record(response: Response, url: str, name: str) -> dict[str, Any]:
    """One fetched attachment of a report page (`ReportPage.attachments`)."""
    return {"url": url, "name": name, "media_type": media_type(response), "body": response.body,
            "capture": response.meta.get(ARCHIVE_CAPTURE)}


def media_type(response: Response) -> str:
    return sniff_media_type(response.body, content_type(response) or None, response.url)


def content_type(response: Response) -> str:
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1")
