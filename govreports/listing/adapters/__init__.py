"""CMS adapters, registered explicitly in the order they are tried (most specific first).

`detect_adapter(html, url)` picks the first adapter whose markers the column page carries;
`plain` (下一页 links) always matches last. A site may force one with `adapter = "…"` in sites.toml.
"""

from __future__ import annotations

from govreports.listing.adapters.base import Adapter, ListingStep, PageRequest
from govreports.listing.adapters.embedded_json import EmbeddedJsonAdapter
from govreports.listing.adapters.gkmlpt import GkmlptAdapter
from govreports.listing.adapters.hanweb_jpage import HanwebJpageAdapter
from govreports.listing.adapters.jpaas import JpaasAdapter
from govreports.listing.adapters.plain import PlainAdapter
from govreports.listing.adapters.search_api import (CodeIdListAdapter, FjdzappSearchAdapter, JsonFeedAdapter,
                                                    SiteSearchAdapter)
from govreports.listing.adapters.trs import TrsAdapter

ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter
    for adapter in (GkmlptAdapter(), JpaasAdapter(), HanwebJpageAdapter(), FjdzappSearchAdapter(), CodeIdListAdapter(),
                    TrsAdapter(), EmbeddedJsonAdapter(), SiteSearchAdapter(), JsonFeedAdapter(), PlainAdapter())
}


def detect_adapter(html: str, url: str, forced: str | None = None) -> Adapter:
    """The adapter for this column page: `forced` when it names one, else the first that detects."""
    if forced and forced in ADAPTERS:
        return ADAPTERS[forced]
    for adapter in ADAPTERS.values():
        if adapter.detect(html, url):
            return adapter
    return ADAPTERS["plain"]


__all__ = ["ADAPTERS", "Adapter", "ListingStep", "PageRequest", "detect_adapter"]
