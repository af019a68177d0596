"""Article lists inside JSON and JavaScript data, found by their shape, not by vendor key names.

Provincial platforms and site-search APIs list a column's documents as data, not links:
`var listData = {articleList: [{title: '…', pubDate: '2024-01-15 10:30:00',
urls: "{\\"pc\\":\\"/…/content_1747…html\\"}"}], pageCount: 3}` in an inline script, or a JSON
answer of a search endpoint. This module reads such data generically:

- JavaScript object literals (unquoted keys, single quotes, trailing commas) are parsed by
  chompjs, which finds every object literal in a script; JSON by the standard library. Numbers
  stay Python ints, so 19-digit ids are exact.
- An article list is any list of objects where each object yields a *title* (a string with
  Chinese text that is not a URL or a date), a *URL* (a string shaped like a link, possibly inside
  a nested object or a JSON string inside the JSON, such as `urls: "{\\"pc\\": \\"…\\"}"`) and,
  when present, a *date* (any date string, with or without a time, or an epoch timestamp).
- Declared counts (`pageCount`, `totalPage`, `total`, `recordCount` …) are read from the object
  holding the list, by key shape.
Pure: no Scrapy import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import chompjs

from govreports.listing.entries import ListEntry, absolute_url, looks_like_document, page_selector
from govreports.parsing.text import parse_date

JsonValue = object  # what json/chompjs give: dict, list, str, int, float, bool, None

_CHINA = timezone(timedelta(hours=8))
_CJK = re.compile(r"[\u4e00-\u9fff]")
_URL_SHAPE = re.compile(
    r"^(?:https?://[^\s\"'<>]+|/[^\s\"'<>]*|\.{1,2}/[^\s\"'<>]+|[\w\-./]+\.(?:s?html?|jsp|aspx?|php|pdf|docx?|wps|ofd))$",
    re.IGNORECASE,
)
_URL_KEY = re.compile(r"(url|href|link|path|pc)$", re.IGNORECASE)
_MOBILE_KEY = re.compile(r"^(wap|mobile|m|h5|app|wx|weixin)", re.IGNORECASE)
_TITLE_KEY = re.compile(r"(title|name|subject|bt)", re.IGNORECASE)
_DATE_KEY = re.compile(r"(date|time|day|pub|created?|publish)", re.IGNORECASE)
_PAGES_KEY = re.compile(r"^(page_?count|total_?pages?|count_?page|page_?total|pages|page_?num_?total|totalpagenum)$",
                        re.IGNORECASE)
_TOTAL_KEY = re.compile(r"^(total|total_?count|total_?records?|record_?count|records_?total|record_?sum|totalrecord"
                        r"|total_?num|total_?size|total_?elements)$", re.IGNORECASE)
_EPOCH_MS = (946_684_800_000, 4_102_444_800_000)  # 2000-01-01 .. 2100-01-01 in milliseconds
_EPOCH_S = (946_684_800, 4_102_444_800)
_MAX_DEPTH = 12


@dataclass(frozen=True, slots=True)
class ArticleList:
    """One list of articles found in data, with the counts its container declares."""

    entries: tuple[ListEntry, ...]
    declared_pages: int | None = None
    declared_total: int | None = None


def inline_scripts(html: str) -> list[str]:
    """Text of the page's inline scripts (not `src=` scripts, not Hanweb's `text/xml` data)."""
    if not html.strip():
        return []
    selector = page_selector(html)
    return [text for text in selector.xpath(
        "//script[not(@src)][not(contains(translate(@type,'XML','xml'),'xml'))]/text()").getall() if text.strip()]


def script_objects(script: str) -> Iterator[JsonValue]:
    """Every object/array literal in one script, parsed by chompjs (bad literals skipped)."""
    try:
        yield from chompjs.parse_js_objects(script)
    except (ValueError, TypeError, RecursionError):
        return


def parse_json(body: str) -> JsonValue | None:
    """A JSON (or JSONP `callback({...})`) body; None when it is neither."""
    text = body.strip().lstrip("\ufeff")
    parsed: JsonValue
    try:
        parsed = json.loads(text)
        return parsed
    except ValueError:
        pass
    match = re.match(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", text, re.DOTALL)
    if match:
        try:
            parsed = json.loads(match.group(1))
            return parsed
        except ValueError:
            return None
    return None


def _embedded(value: str) -> JsonValue | None:
    """A JSON object/array written as a string inside the data (`urls: "{\\"pc\\": …}"`)."""
    text = value.strip()
    if len(text) < 2 or text[0] not in "{[" or text[-1] not in "}]":
        return None
    try:
        parsed: JsonValue = json.loads(text)
        return parsed
    except ValueError:
        return None


def _is_url(value: str) -> bool:
    text = value.strip()
    return bool(text) and len(text) < 2000 and bool(_URL_SHAPE.match(text)) and not _CJK.search(text)


def _epoch_date(value: float) -> str | None:
    if _EPOCH_MS[0] <= value <= _EPOCH_MS[1]:
        value = value / 1000
    elif not _EPOCH_S[0] <= value <= _EPOCH_S[1]:
        return None
    return datetime.fromtimestamp(value, tz=_CHINA).date().isoformat()


def _leaves(item: JsonValue, key: str = "", depth: int = 0) -> Iterator[tuple[str, JsonValue]]:
    """(key, scalar) pairs of one record, descending into nested objects and JSON strings."""
    if depth > 3:
        return
    if isinstance(item, dict):
        for child_key, child in item.items():
            yield from _leaves(child, str(child_key), depth + 1)
    elif isinstance(item, list):
        for child in item[:20]:
            if not isinstance(child, (dict, list)):
                continue  # a list of scalars (tags, ids) is not part of the record's identity
            yield from _leaves(child, key, depth + 1)
    elif isinstance(item, str):
        inner = _embedded(item)
        if inner is not None:
            yield from _leaves(inner, key, depth + 1)
        else:
            yield key, item
    else:
        yield key, item


def record_entry(item: JsonValue, base_url: str) -> ListEntry | None:
    """The list entry one record describes: its best URL, title and date; None when it has no
    title or no URL."""
    if not isinstance(item, dict):
        return None
    urls: list[tuple[int, int, str]] = []
    titles: list[tuple[int, int, str]] = []
    dates: list[tuple[int, int, str]] = []
    for order, (key, value) in enumerate(_leaves(item)):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, (int, float)):
            day = _epoch_date(value)
            if day and _DATE_KEY.search(key):
                dates.append((2, -order, day))
            continue
        if not isinstance(value, str):
            continue
        text = value.strip()
        if _is_url(text):
            score = (3 if looks_like_document(text) else 0) + (2 if _URL_KEY.search(key) else 0) \
                - (2 if _MOBILE_KEY.match(key) else 0) - (1 if text.lower().endswith((".jpg", ".png", ".gif")) else 0)
            urls.append((score, -order, text))
            continue
        day = parse_date(text) if len(text) <= 40 else None
        if day and len(_CJK.findall(text)) <= 3:
            dates.append((2 if _DATE_KEY.search(key) else 1, -order, day))
            continue
        if _CJK.search(text) and "<" not in text[:50]:
            # a title is named so, or else the longest short line; a summary (sentences, long) loses
            score = (100 if _TITLE_KEY.search(key) else 0) + min(len(text), 99) \
                - (60 if "。" in text or len(text) > 120 else 0)
            titles.append((score, -order, re.sub(r"\s+", " ", text)))
    if not urls or not titles:
        return None
    url = absolute_url(max(urls)[2], base_url)
    if url is None:
        return None
    return ListEntry(url=url, title=max(titles)[2], date=max(dates)[2] if dates else None)


def _declared(container: dict[object, JsonValue]) -> tuple[int | None, int | None]:
    """(pages, total) a list's container object declares."""
    pages = total = None
    for key, value in container.items():
        number = int(value) if isinstance(value, str) and value.strip().isdigit() else value
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            continue
        if pages is None and _PAGES_KEY.match(str(key)):
            pages = number
        elif total is None and _TOTAL_KEY.match(str(key)):
            total = number
    return pages, total


def _lists(value: JsonValue, parent: dict[object, JsonValue] | None, depth: int = 0
           ) -> Iterator[tuple[list[JsonValue], dict[object, JsonValue] | None]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, dict):
        for child in value.values():
            yield from _lists(child, value, depth + 1)
    elif isinstance(value, list):
        if value and sum(isinstance(item, dict) for item in value) * 2 >= len(value):
            yield value, parent
        for child in value:
            yield from _lists(child, parent, depth + 1)
    elif isinstance(value, str) and depth > 0:
        inner = _embedded(value)
        if inner is not None:
            yield from _lists(inner, parent, depth + 1)


def _inherited_counts(root: JsonValue, depth: int = 0) -> tuple[int | None, int | None]:
    """Counts declared anywhere in the data (a pager object beside the list, e.g. `page: {…}`)."""
    if depth > 4 or not isinstance(root, dict):
        return None, None
    pages, total = _declared(root)
    for child in root.values():
        if pages is not None and total is not None:
            break
        child_pages, child_total = _inherited_counts(child, depth + 1)
        pages = pages if pages is not None else child_pages
        total = total if total is not None else child_total
    return pages, total


def article_lists(data: JsonValue, base_url: str) -> list[ArticleList]:
    """Every article list in `data`, longest first."""
    found: list[ArticleList] = []
    for items, parent in _lists(data, None):
        entries: dict[str, ListEntry] = {}
        for item in items:
            entry = record_entry(item, base_url)
            if entry is not None:
                entries.setdefault(entry.url, entry)
        if not entries:
            continue
        pages, total = _declared(parent) if parent is not None else (None, None)
        if pages is None or total is None:
            root_pages, root_total = _inherited_counts(data)
            pages = pages if pages is not None else root_pages
            total = total if total is not None else root_total
        found.append(ArticleList(tuple(entries.values()), pages, total))
    return sorted(found, key=lambda found_list: -len(found_list.entries))


def best_article_list(data: JsonValue, base_url: str) -> ArticleList | None:
    lists = article_lists(data, base_url)
    return lists[0] if lists else None


# page state computed by a function (Nuxt: `window.__NUXT__=(function(a,b){return {…}}(…))`): its
# literals hold parameter names, not values, so only a browser can read it
FUNCTION_STATE = re.compile(r"\b__[A-Z]+__\s*=\s*\(?\s*function\s*\(")


def page_article_list(html: str, base_url: str) -> ArticleList | None:
    """The longest article list held by the page's inline scripts (function-computed state
    skipped), or None."""
    best: ArticleList | None = None
    for script in inline_scripts(html):
        if ("{" not in script and "[" not in script) or FUNCTION_STATE.search(script):
            continue
        for data in script_objects(script):
            candidate = best_article_list(data, base_url)
            if candidate is not None and (best is None or len(candidate.entries) > len(best.entries)):
                best = candidate
    return best
