"""Finding a portal's 年报 column from its home page, and the sub-columns under it.

Portals hide the 政府信息公开年报 column one to three clicks deep: home → 政务公开 → 政府信息公开 →
信息公开目录 → 政府信息公开年报. The spider does a small breadth-first walk over such hub pages
(depth ≤ 3, a budget of hub pages per site) and asks this module, per page:

- `column_links`: links that name the annual-report column by text (政府信息公开年报, 信息公开年报,
  政务公开年报, 年度报告 …) or by URL slug (`zfxxgknb`, `xxgknb`, `gknb`, `ndbg`, `qzfxxgknb`,
  `bmxxgknb` …), best first;
- `hub_links`: links to disclosure hubs worth opening (政务公开, 政府信息公开, 信息公开目录 …);
- `js_redirect_target`: the target of a stub page that only redirects (`location.href="/col/col91477/
  index.html"`, `window.location.replace(…)`, `<meta http-equiv="refresh" content="0;url=…">`);
- `subcolumn_links`: on a column page, the per-year (`2023n/`, `gknb2023/`, 2023年) and per-unit
  (区政府 / 部门 / 乡镇街道, `a.xxgk_more`) sub-columns to walk as well;
- `looks_like_column`: whether a page given with `-a url=` is itself a 年报 column;
- `platform_links`: the portal's 政务公开/信息公开 entry when it leads off the portal's domains (a
  county platform hosted by its city, province or a vendor), with the path prefix that is this
  county's part of that platform; a link to a platform's root is not taken (it would open every
  county hosted there).
Hosts are compared by the public suffix list (govreports/scope.py), never by string tails alone.
Pure: no Scrapy import.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from govreports.listing.candidates import judge_title
from govreports.listing.entries import ListEntry, absolute_url, extract_entries, looks_like_document, page_selector
from govreports.parsing.text import normalize_label
from govreports.scope import ip_literal, is_public_suffix, site_domain

MAX_DEPTH = 3
MAX_HUB_PAGES = 30

# Chinese wording of the column and of the hubs, compared on normalize_label() copies
_COLUMN_TEXT = re.compile(
    r"(政府信息公开(工作)?年(度)?报(告)?|信息公开(工作)?年(度)?报(告)?|政务公开(工作)?年(度)?报(告)?"
    r"|公开年报|年度报告|年报专栏|^年报$)"
)
_COLUMN_EXCLUDED = re.compile(r"(网站.{0,6}报表|网站工作|汇总|决算|预算|统计|企业年报|年报公示|财务)")
_COLUMN_SLUG = re.compile(
    r"^(?:[a-z]*?(?:gk)?(?:nb|ndbg)(?:new|_?\d{4}n?)?|[a-z]*gknb[a-z0-9]*|[a-z]*ndbg[a-z0-9]*)(?:_\d+)?$"
)
_HUB_TEXT = re.compile(
    r"^(政务公开|政府信息公开|信息公开|政府公开|公开目录|信息公开目录|政府信息公开目录|法定主动公开内容"
    r"|政府信息公开专栏|政务公开专栏|主动公开|政府信息公开平台|基层政务公开|法定公开内容|政务信息公开)$"
)
_HUB_SLUG = re.compile(r"^(zwgk|xxgk|zfxxgk|gkml|zfxxgkml|govinfo|gk|zwxxgk|xxgkml|zfgk|zdgk|fdzdgknr|zfxxgkzl)(_\d+)?$")
_NOT_HUB = re.compile(r"(指南|申请|规定|制度|年报|报告|新闻|动态|领导|机构)")
_YEAR_LABEL = re.compile(r"^((19|20)\d{2})年?度?(年报|报告)?$")
_YEAR_SLUG = re.compile(r"^(?:[a-z]*?_?)?((?:19|20)\d{2})(?:n|nb|h|nd)?(?:_\d+)?$|^[a-z]+((?:19|20)\d{2})(?:_\d+)?$")
_UNIT_LABEL = re.compile(
    r"(区政府|县政府|市政府|旗政府|政府办|政府部门|部门|乡镇|街道|镇街|乡镇街道|区直|县直|市直|旗直|单位|"
    r"部门年报|乡镇年报|街道年报|本级|区级|县级|市级|镇级)"
)
_MORE = re.compile(r"^(更多|more|>>|更多>>|查看更多)$", re.IGNORECASE)
_REDIRECTS = (
    re.compile(r"""(?:window\.|self\.|top\.|document\.)?location(?:\.href)?\s*=\s*['"]([^'"]+)['"]"""),
    re.compile(r"""location\.(?:replace|assign)\s*\(\s*['"]([^'"]+)['"]\s*\)"""),
)
_META_REFRESH = re.compile(
    r"""<meta[^>]+http-equiv\s*=\s*['"]?refresh['"]?[^>]*content\s*=\s*['"]\s*\d*\s*;?\s*url\s*=\s*['"]?([^'">\s]+)""",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ScoredLink:
    """A link judged as a possible column or hub, with the score and the evidence."""

    url: str
    text: str
    score: int
    why: str


@functools.lru_cache(maxsize=1024)
def _host(url: str) -> str:
    """The site a URL is on (kept per URL: a page's links are each compared with the page's own)."""
    host = (urlsplit(url).hostname or "").lower()
    return host if ip_literal(host) is not None else site_domain(host)


def _under(host: str, domain: str) -> bool:
    return host.endswith("." + domain) and not is_public_suffix(domain)


def same_site(url: str, page_url: str) -> bool:
    """A link stays on the portal when its host equals the page's host (www. ignored) or one is a
    subdomain of the other — never through a public suffix (`gov.cn` joins nobody)."""
    host, page_host = _host(url), _host(page_url)
    return bool(host) and (host == page_host or _under(host, page_host) or _under(page_host, host))


def _segments(url: str) -> list[str]:
    path = urlsplit(url).path.lower()
    return [segment for segment in path.split("/") if segment and "." not in segment]


def column_score(text: str, url: str) -> tuple[int, str]:
    """How strongly a link says "the 年报 column": 0 = not at all."""
    label = normalize_label(text)
    if label and _COLUMN_EXCLUDED.search(label):
        return 0, "excluded wording"
    score, why = 0, []
    if label and _COLUMN_TEXT.search(label):
        if judge_title(label).keep and looks_like_document(url):
            return 0, "a report, not the column"
        score += 10
        why.append(f"text {label[:20]}")
        if "信息公开" in label or "政务公开" in label:
            score += 5
    slugs = [segment for segment in _segments(url) if _COLUMN_SLUG.match(segment)]
    if slugs and not looks_like_document(url):
        score += 6
        why.append(f"slug {slugs[-1]}")
    return score, ", ".join(why)


def column_links(html: str, url: str) -> list[ScoredLink]:
    """Links on this page that lead to a 年报 column, best first, same site only."""
    found: dict[str, ScoredLink] = {}
    for entry in extract_entries(html, url):
        if not same_site(entry.url, url) or entry.url == url:
            continue
        score, why = column_score(entry.title, entry.url)
        if score >= 6 and (entry.url not in found or found[entry.url].score < score):
            found[entry.url] = ScoredLink(entry.url, entry.title, score, why)
    return sorted(found.values(), key=lambda link: -link.score)


def hub_links(html: str, url: str) -> list[ScoredLink]:
    """Links to 政务公开 / 政府信息公开 / 信息公开目录 hubs worth opening, best first."""
    found: dict[str, ScoredLink] = {}
    for entry in extract_entries(html, url):
        if not same_site(entry.url, url) or entry.url == url or looks_like_document(entry.url):
            continue
        label = normalize_label(entry.title)
        score, why = 0, ""
        if label and _HUB_TEXT.match(label):
            score, why = 10, f"text {label}"
        elif label and ("公开" in label) and len(label) <= 12 and not _NOT_HUB.search(label):
            score, why = 4, f"text {label}"
        segments = _segments(entry.url)
        if segments and _HUB_SLUG.match(segments[-1]) and not _NOT_HUB.search(label):
            score += 3
            why = why or "hub slug"
        if score and (entry.url not in found or found[entry.url].score < score):
            found[entry.url] = ScoredLink(entry.url, entry.title, score, why)
    return sorted(found.values(), key=lambda link: -link.score)


@dataclass(frozen=True, slots=True)
class PlatformLink:
    """A 政务公开/信息公开 entry on another host: the URL, the host and this portal's path prefix."""

    url: str
    text: str
    host: str
    prefix: str
    refused: str | None = None  # why this entry is not taken (then nothing of it joins the scope)


def platform_links(html: str, url: str) -> list[PlatformLink]:
    """Off-domain links this page names as its 政务公开/信息公开 entry, each with the directory of
    the linked page as the part of that platform that belongs to this portal; entries at a host's
    root come back with `refused` set."""
    found: dict[str, PlatformLink] = {}
    for entry in extract_entries(html, url):
        if same_site(entry.url, url) or looks_like_document(entry.url):
            continue
        label = normalize_label(entry.title)
        if not label or not _HUB_TEXT.match(label):
            continue
        parts = urlsplit(entry.url)
        prefix = parts.path.rsplit("/", 1)[0] + "/"
        # a platform's root would open every county it hosts
        refused = "links the root of another host, not a path of this portal's own" if prefix == "/" else None
        found.setdefault(entry.url, PlatformLink(entry.url, entry.title, (parts.hostname or "").lower(), prefix, refused))
    return list(found.values())


def js_redirect_target(html: str, url: str) -> str | None:
    """Where a redirect stub sends the browser; None for a real page (one with content and links)."""
    meta = _META_REFRESH.search(html)
    if meta:
        return absolute_url(meta.group(1), url)
    selector = page_selector(html or "<html></html>")
    if len(selector.xpath("//a[@href]")) > 3:
        return None  # a page with links is no stub (its text is not read: most pages end here)
    text = "".join(selector.xpath("//body//text()[not(ancestor::script)][not(ancestor::style)]").getall()).strip()
    if len(text) > 200:
        return None
    for script in selector.xpath("//script[not(@src)]/text()").getall():
        for pattern in _REDIRECTS:
            match = pattern.search(script)
            if match:
                return absolute_url(match.group(1), url)
    return None


def subcolumn_links(html: str, url: str, column_url: str | None = None) -> list[ListEntry]:
    """Per-year and per-unit sub-columns a 年报 column links to (not its pagination, not reports)."""
    column_url = column_url or url
    base_path = urlsplit(column_url).path.rsplit("/", 1)[0] + "/"
    selector = page_selector(html)
    more = {absolute_url(href, url) for href in selector.xpath(
        "//a[contains(concat(' ', normalize-space(@class), ' '), ' xxgk_more ')]/@href").getall()}
    found: dict[str, ListEntry] = {}
    for entry in extract_entries(html, url):
        target = entry.url
        if not same_site(target, url) or target in (url, column_url) or looks_like_document(target):
            continue
        path = urlsplit(target).path
        if re.search(r"/(index|list)_\d+\.s?html?$", path, re.IGNORECASE):
            continue  # pagination of the column itself
        label = normalize_label(entry.title)
        if label and _COLUMN_EXCLUDED.search(label):
            continue
        under_column = path.startswith(base_path) and path.rstrip("/") != base_path.rstrip("/")
        segments = _segments(target)
        last_segment = segments[-1] if segments else ""
        year_slug = bool(_YEAR_SLUG.match(last_segment))
        is_year = bool(_YEAR_LABEL.match(label)) or year_slug
        is_unit = bool(label) and len(label) <= 12 and bool(_UNIT_LABEL.search(label))
        is_more = target in more or bool(_MORE.match(label))
        is_named_column = bool(label) and bool(_COLUMN_TEXT.search(label)) and not judge_title(label).keep
        if under_column and (is_year or is_unit or is_more or is_named_column) or (is_year and year_slug) or (is_more and under_column):
            found.setdefault(target, entry)
    return list(found.values())


def looks_like_column(html: str, url: str) -> bool:
    """A page that is itself a 年报 column: its ColumnName/title/h1 or URL says so, or it lists reports."""
    selector = page_selector(html)
    names = selector.xpath(
        "//meta[@name='ColumnName']/@content | //title/text() | //h1//text() | //h2//text()"
        " | //*[contains(@class,'crumb') or contains(@class,'position') or contains(@class,'location')]//text()"
    ).getall()
    if any(_COLUMN_TEXT.search(normalize_label(name)) and not _COLUMN_EXCLUDED.search(normalize_label(name))
           for name in names if name.strip()):
        return True
    if any(_COLUMN_SLUG.match(segment) for segment in _segments(url)):
        return True
    reports = [entry for entry in extract_entries(html, url) if judge_title(entry.title, entry.url).keep]
    return len(reports) >= 2
