"""The report identity (docs/architecture.md): one key function shared by DedupPipeline and `scrapy extract`.

Key, in order of preference: (site id, 索引号); else (site id, report year, agency or publisher,
normalised title); a report with neither title nor index number is keyed by its canonical URL.
The site id is the registry id, or the URL's host for an ad-hoc page. `ReportItem.id` is the sha1
of the key's canonical JSON spelling, so it is stable across runs and between crawl and extract.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter

from govreports.parsing.text import normalize_label
from govreports.urls import canonical_url

# punctuation, brackets and spaces that differ between two postings of one title: 《》“”（）【】…
_TITLE_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def site_id_of(item: Any) -> str:
    """The registry id of the item's site; for an ad-hoc page without one, the URL's host."""
    adapter = ItemAdapter(item)
    site = adapter.get("site") or {}
    site_id = site.get("id") or site.get("adcode")
    if site_id:
        return str(site_id)
    return urlsplit(canonical_url(str(adapter.get("url") or ""))).hostname or ""


def normalized_index_no(index_no: str | None) -> str:
    return re.sub(r"\s+", "", normalize_label(index_no or "")).upper()


def normalized_title(title: str | None) -> str:
    """Title folded for identity: simplified, no whitespace, no punctuation."""
    return _TITLE_NOISE.sub("", normalize_label(title or ""))


def report_key(item: Any) -> tuple[Any, ...]:
    """The report's identity as a tuple (see module docstring)."""
    adapter = ItemAdapter(item)
    site_id = site_id_of(item)
    index_no = normalized_index_no(adapter.get("index_no"))
    if index_no:
        return (site_id, "index_no", index_no)
    title = normalized_title(adapter.get("title"))
    if not title:  # nothing to recognise it by but where it lives
        return (site_id, "url", canonical_url(str(adapter.get("url") or "")))
    organ = normalize_label(str(adapter.get("agency") or adapter.get("publisher") or ""))
    return (site_id, "report", adapter.get("report_year"), organ, title)


def key_string(item: Any) -> str:
    """The key as canonical JSON: what the state store keys reports by."""
    return json.dumps(list(report_key(item)), ensure_ascii=False, separators=(",", ":"))


def id_of_key(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def report_id(item: Any) -> str:
    return id_of_key(key_string(item))


def assign_report_id(item: Any) -> None:
    ItemAdapter(item)["id"] = report_id(item)
