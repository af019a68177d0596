"""The report identity (docs/architecture.md): one key function shared by DedupPipeline and `scrapy extract`.

Key, in order of preference: (site id, 索引号); else (site id, report year, agency or publisher,
normalised title); a report with neither title nor index number is keyed by its canonical URL.
The site id is the registry id, or the URL's host for an ad-hoc page. A report of another,
higher-level government reposted in a county's column (临沂市人民政府's report on 平邑县's site)
is keyed by that government instead of the site (`agency:临沂市人民政府`); the government's own copy
keeps its site key, and `government_key` gives it the same agency key so DedupPipeline sees both
copies as one report when both sites are crawled. `ReportItem.id` is the sha1
of the key's canonical JSON spelling, so it is stable across runs and between crawl and extract.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urlsplit

from govreports.items import ReportItem, field_of
from govreports.parsing.text import normalize_label
from govreports.urls import canonical_url

# punctuation, brackets and spaces that differ between two postings of one title: 《》“”（）【】…
_TITLE_NOISE = re.compile(r"[\W_]+", re.UNICODE)

Keyed = ReportItem | dict[str, Any]
"""A report as built by the pipeline, or as read back from a feed line."""
Key = tuple[str | int | None, ...]


def site_id_of(item: Keyed) -> str:
    """The registry id of the item's site; for an ad-hoc page without one, the URL's host."""
    site = field_of(item, "site") or {}
    site_id = site.get("id") or site.get("adcode")
    if site_id:
        return str(site_id)
    return urlsplit(canonical_url(str(field_of(item, "url") or ""))).hostname or ""


def normalized_index_no(index_no: str | None) -> str:
    return re.sub(r"\s+", "", normalize_label(index_no or "")).upper()


def normalized_title(title: str | None) -> str:
    """Title folded for identity: simplified, no whitespace, no punctuation."""
    return _TITLE_NOISE.sub("", normalize_label(title or ""))


# a government named at the start of an agency: 临沂市人民政府, 山东省人民政府办公厅, 国务院办公厅
_GOVERNMENT = re.compile(r"^(国务院|中华人民共和国|.{2,10}?(?:省|自治区|特别行政区|市|自治州|州|盟|地区))")
_PLACE_SUFFIX = re.compile(r"(省|自治区|特别行政区|市|自治州|州|盟|地区|自治县|自治旗|县|区|旗)$")


def foreign_agency(agency: str, site_name: str) -> str | None:
    """The agency when it is a government other than the site's own (it names a place at its start
    and the site's place appears nowhere in it), else None: departments and the site's own
    government stay keyed by the site."""
    agency = normalize_label(agency)
    place = _PLACE_SUFFIX.sub("", normalize_label(site_name))
    if not agency or len(place) < 2 or place in agency:
        return None
    return agency if _GOVERNMENT.match(agency) else None


def report_key(item: Keyed, *, owner: str | None = None) -> Key:
    """The report's identity as a tuple (see module docstring); `owner` replaces the site id."""
    site_id = owner or site_id_of(item)
    site_name = str((field_of(item, "site") or {}).get("name") or "")
    foreign = foreign_agency(str(field_of(item, "agency") or ""), site_name)
    if foreign is not None and owner is None:
        site_id = f"agency:{foreign}"
    index_no = normalized_index_no(field_of(item, "index_no"))
    if index_no:
        return (site_id, "index_no", index_no)
    title = normalized_title(field_of(item, "title"))
    if not title:  # nothing to recognise it by but where it lives
        return (site_id, "url", canonical_url(str(field_of(item, "url") or "")))
    organ = normalize_label(str(field_of(item, "agency") or field_of(item, "publisher") or ""))
    return (site_id, "report", field_of(item, "report_year"), organ, title)


def key_string(item: Keyed) -> str:
    """The key as canonical JSON: what the state store keys reports by."""
    return json.dumps(list(report_key(item)), ensure_ascii=False, separators=(",", ":"))


_GOVERNMENT_AGENCY = re.compile(r"^(国务院(办公厅)?|.{2,20}?(省|自治区|市|自治州|州|盟|地区|县|自治县|区|旗|自治旗)人民政府"
                                r"(办公室|办公厅)?)$")


def government_key(item: Any) -> str | None:
    """For a government's own report (agency `临沂市人民政府`, `国务院办公厅`), the key it has when
    reposted on another site (owner `agency:<agency>`); None for departments and the rest."""
    agency = normalize_label(str(field_of(item, "agency") or ""))
    if not _GOVERNMENT_AGENCY.match(agency):
        return None
    return json.dumps(list(report_key(item, owner=f"agency:{agency}")), ensure_ascii=False, separators=(",", ":"))


def id_of_key(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def report_id(item: Keyed) -> str:
    return id_of_key(key_string(item))


def assign_report_id(item: Keyed) -> None:
    if isinstance(item, ReportItem):
        item.id = report_id(item)
    else:
        item["id"] = report_id(item)
