"""Columns filled by a site-search or list API rather than by their own markup (issue 17, shape 2).

Four families, each detected from markers on the column page; the answers are read by the
generic record reader (listing/json_records.py) when JSON, as an HTML list otherwise:

- `fjdzapp`: Fujian's provincial platform. The column's script posts to `/fjdzapp/search` with a
  channel id and the column as a class filter (`{channelid: '229105', classsql: 'chnlid=4910',
  sortfield: '-docreltime', page: 1, prepage: 15}`); the page also says `recordCount: '37'`.
  The answer is `{"docs": [{"doctitle", "chnldocurl"|"docpuburl", "docreltime"}], "pagecount": 3}`.
- `site_search`: Kaipu / Hanweb / Jiangxi site-search lists: the column embeds (iframe, script or
  link) a search URL carrying `siteCode`/`searchWord`/`channelId` and `pageNum`; each answer is an
  HTML result list (or JSON), paged by raising `pageNum` until a page adds nothing or the declared
  page count (`共N页`, `totalPage`) is reached.
- `code_id_list`: chinatax-style channels: `var channelId = "<hex>"` and a POST of
  `codeId/channelId/page/size` to `/getFileListByCodeId`, answered by
  `{"code": 200, "results": {"data": {"total": 37, "results": [{"title", "url", "writtendate"}]}}}`.
- `json_feed`: gov.cn (UCAP) column feeds: the column's script loads a static `*.json` file (no
  query string) holding `[{"URL": "…", "TITLE": "…", "DOCRELPUBTIME": "…"}]`; one request, no paging.

`site_search` and `json_feed` claim a page only when its own markup lists no dated record: a page
that lists its documents itself and merely links a search page or loads a settings file is not an
API-filled column.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from govreports.listing.adapters.base import ListingStep, PageRequest, html_step, to_int
from govreports.listing.entries import ListEntry, extract_entries, page_selector
from govreports.listing.json_records import (
    best_article_list,
    inline_scripts,
    parse_json,
    script_objects,
)


def _links(html: str, url: str) -> tuple[ListEntry, ...]:
    return tuple(extract_entries(html, url))


def data_step(body: str, request: PageRequest, *, page_size: int | None = None) -> tuple[ListingStep, int | None]:
    """A step for one API answer (JSON, JSONP or HTML); also the page count it implies."""
    data = parse_json(body)
    if data is None:
        step = html_step(body, request.url)
        pages = declared_result_pages(body)
        return ListingStep(entries=step.entries, links=step.links, declared_pages=pages), pages
    found = best_article_list(data, request.url)
    if found is None:
        return ListingStep(entries=()), None
    pages = found.declared_pages
    if pages is None and found.declared_total is not None and page_size:
        pages = math.ceil(found.declared_total / page_size)
    return ListingStep(entries=found.entries, declared_pages=pages, declared_total=found.declared_total), pages


_RESULT_PAGES = re.compile(r"(?:共\s*(\d+)\s*页|\btotal_?page(?:s|num)?\b['\"]?\s*[:=]\s*['\"]?(\d+))", re.IGNORECASE)


def declared_result_pages(html: str) -> int | None:
    match = _RESULT_PAGES.search(html)
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def _paged(step: ListingStep, request: PageRequest, pages: int | None, following: PageRequest | None) -> ListingStep:
    """The step with its next request, or a stop when the page added nothing."""
    if not step.entries:
        return ListingStep(entries=(), links=step.links, declared_total=step.declared_total, stop="empty_group")
    if pages is not None and request.page_no >= pages:
        following = None
    return ListingStep(entries=step.entries, links=step.links, next_request=following,
                       declared_total=step.declared_total, declared_pages=pages)


# --- Fujian /fjdzapp/search ---------------------------------------------------------------------
_FJDZ = "/fjdzapp/search"
_RECORD_COUNT = re.compile(r"""\brecordCount\s*[:=]\s*['"]?(\d+)""")


# Fujian's TRS column template (22mb_info_public) loads `list2.trsapi`, which posts to /fjdzapp/search;
# the page names neither the endpoint nor a literal channel: `listArgs: {channelid: SiteInfo.searchId,
# classsql: "" || "chnlid=1813", …}` with `searchId: 200210` in the page's SiteInfo and `prepage: 10`
# in its pagebar. The first pages are printed statically; the rest come only from the API.
_TRSAPI = "list2.trsapi"
_LIST_ARGS = re.compile(r"\blistArgs\s*:\s*\{([^{}]*)\}")
_LIST_ARG = re.compile(r"""(\w+)\s*:\s*((?:'[^']*'|"[^"]*"|[^,\n'"])+)""")
_QUOTED = re.compile(r"""['"]([^'"]*)['"]""")
_SITE_VALUE = re.compile(r"""\bSiteInfo\.(\w+)""")
_PREPAGE = re.compile(r"""\bprepage\s*:\s*['"]?(\d+)""")


def _trsapi_query(html: str) -> dict[str, str] | None:
    """The /fjdzapp/search fields of a `list2.trsapi` column: `listArgs` with its SiteInfo values
    resolved and its `"" || "x"` defaults taken; None when the channel cannot be resolved."""
    args = _LIST_ARGS.search(html)
    if args is None:
        return None
    fields: dict[str, str] = {}
    for key, expression in _LIST_ARG.findall(args.group(1)):
        quoted = _QUOTED.findall(expression)
        site_value = _SITE_VALUE.search(expression)
        if quoted and any(quoted):
            fields[key] = [value for value in quoted if value][-1]
        elif site_value:
            value = re.search(rf"""\b{site_value.group(1)}\s*:\s*['"]?(\w+)""", html)
            if value:
                fields[key] = value.group(1)
        elif expression.strip().isdigit():
            fields[key] = expression.strip()
    if not fields.get("channelid", "").isdigit():
        return None
    prepage = _PREPAGE.search(html)
    if prepage:
        fields.setdefault("prepage", prepage.group(1))
    return fields


def fjdzapp_query(html: str) -> dict[str, str] | None:
    """The form fields of the column's /fjdzapp/search call (the object literal with `channelid`)."""
    if _TRSAPI in html and _FJDZ not in html:
        return _trsapi_query(html)
    if _FJDZ not in html:
        return None
    for script in inline_scripts(html):
        if "channelid" not in script.lower():
            continue
        for data in script_objects(script):
            fields = _scalar_fields(data, "channelid")
            if fields is not None:
                return fields
    return None


def _scalar_fields(data: object, required: str) -> dict[str, str] | None:
    if isinstance(data, dict):
        if any(str(key).lower() == required for key in data):
            return {str(key): str(value) for key, value in data.items()
                    if isinstance(value, (str, int, float)) and not isinstance(value, bool)}
        for value in data.values():
            found = _scalar_fields(value, required)
            if found is not None:
                return found
    return None


class FjdzappSearchAdapter:
    name = "fjdzapp"

    def detect(self, html: str, url: str) -> bool:
        return fjdzapp_query(html) is not None

    def first_page(self, html: str, url: str) -> ListingStep:
        fields = fjdzapp_query(html) or {}
        page_key = next((key for key in fields if key.lower() in ("page", "pageno", "pagenum")), "page")
        size = to_int(next((value for key, value in fields.items() if key.lower() in ("prepage", "pagesize", "size")),
                           None))
        record_count = _RECORD_COUNT.search(html)
        total = int(record_count.group(1)) if record_count else None
        state: dict[str, object] = {"api": urljoin(url, _FJDZ), "fields": fields, "page_key": page_key, "size": size}
        # records the page prints itself (list2.trsapi's static first pages) count, with their dates
        # (they are the API's first page, so the API is asked from the page after them: asking for
        # page 1 again would end the walk as a repeated page)
        static = html_step(html, url)
        if lists_dated_records(static):
            first = 1 + math.ceil(len(static.entries) / size) if size else 2
            return ListingStep(entries=static.entries, links=static.links, declared_total=total,
                               next_request=self.request(state, first))
        return ListingStep(entries=(), links=static.entries + static.links, declared_total=total,
                           next_request=self.request(state, 1))

    @staticmethod
    def request(state: dict[str, object], page: int) -> PageRequest:
        given = state["fields"]
        fields = {str(name): str(value) for name, value in given.items()} if isinstance(given, dict) else {}
        fields[str(state["page_key"])] = str(page)
        return PageRequest(url=str(state["api"]), page_no=page, method="POST",
                           formdata=tuple(sorted(fields.items())), state=state)

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        step, pages = data_step(body, request, page_size=to_int(request.state.get("size")))
        return _paged(step, request, pages, self.request(request.state, request.page_no + 1))


# --- Kaipu / Hanweb / Jiangxi site search with pageNum --------------------------------------------
_SEARCH_URL = re.compile(r"""(?:src|href|url)?\s*[=:(]?\s*['"]([^'"\s]*[?&](?:siteCode|searchWord|channelId|columnId)=[^'"\s]*)['"]""",
                         re.IGNORECASE)
_PAGE_PARAM = re.compile(r"^(pageNum|pageNo|page|p|pageIndex|currentPage)$", re.IGNORECASE)


def site_search_url(html: str, url: str) -> str | None:
    """The search URL a column embeds (iframe src, link or script string) that carries a page number."""
    selector = page_selector(html or "<html></html>")
    # an embedded result list (iframe, data-url, script), not a search link in the page header
    candidates = selector.xpath("//iframe/@src | //*[@data-url]/@data-url").getall()
    candidates += [match.group(1) for script in inline_scripts(html) for match in _SEARCH_URL.finditer(script)]
    for raw in candidates:
        target = urljoin(url, raw.strip().replace("&amp;", "&"))
        query = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
        if not any(_PAGE_PARAM.match(key) for key in query):
            continue
        if any(key.lower() in ("sitecode", "searchword", "channelid", "columnid") for key in query) \
                and ("search" in urlsplit(target).path.lower() or "sitecode" in {k.lower() for k in query}):
            return target
    return None


def with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(key, str(page) if _PAGE_PARAM.match(key) else value)
             for key, value in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _start_page(url: str) -> int:
    for key, value in parse_qsl(urlsplit(url).query):
        if _PAGE_PARAM.match(key) and value.isdigit():
            return int(value)
    return 1


def lists_dated_records(step: ListingStep) -> bool:
    """True when a page's records are dated rows of its own list (not bare document-shaped links)."""
    return bool(step.entries) and all(entry.date for entry in step.entries)


def lists_nothing(html: str, url: str) -> bool:
    """True when the page's own markup lists no dated record: a column an API must fill."""
    return not any(entry.date for entry in extract_entries(html, url))


class SiteSearchAdapter:
    name = "site_search"

    def detect(self, html: str, url: str) -> bool:
        return site_search_url(html, url) is not None and lists_nothing(html, url)

    def first_page(self, html: str, url: str) -> ListingStep:
        search = site_search_url(html, url)
        if search is None:
            return html_step(html, url)
        page = _start_page(search)
        links = tuple(entry for entry in extract_entries(html, url) if entry.url.split("#")[0] != search)
        return ListingStep(entries=(), links=links,
                           next_request=PageRequest(url=with_page(search, page), page_no=page,
                                                    state={"search": search, "first": page}))

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        step, pages = data_step(body, request)
        first = to_int(request.state.get("first")) or 1
        if pages is not None:
            pages = pages + first - 1  # page numbers start at `first`
        following = PageRequest(url=with_page(str(request.state["search"]), request.page_no + 1),
                                page_no=request.page_no + 1, state=request.state)
        return _paged(step, request, pages, following)


# --- chinatax-style getFileListByCodeId ----------------------------------------------------------
_CODE_LIST = "getFileListByCodeId"
_JS_VARIABLE = r"""\b{name}\s*[:=]\s*['"]([^'"]*)['"]"""


class CodeIdListAdapter:
    name = "code_id_list"
    page_size = 20

    def detect(self, html: str, url: str) -> bool:
        return _CODE_LIST in html and re.search(_JS_VARIABLE.format(name="channelId"), html) is not None

    def first_page(self, html: str, url: str) -> ListingStep:
        channel = re.search(_JS_VARIABLE.format(name="channelId"), html)
        code = re.search(_JS_VARIABLE.format(name="codeId"), html)
        path = re.search(r"""['"]([^'"]*/getFileListByCodeId)['"]""", html)
        state = {"api": urljoin(url, path.group(1) if path else "/" + _CODE_LIST),
                 "channelId": channel.group(1) if channel else "", "codeId": code.group(1) if code else ""}
        return ListingStep(entries=(), links=_links(html, url), next_request=self.request(state, 1))

    def request(self, state: dict[str, object], page: int) -> PageRequest:
        fields = (("channelId", str(state["channelId"])), ("codeId", str(state["codeId"])),
                  ("page", str(page)), ("size", str(self.page_size)))
        return PageRequest(url=str(state["api"]), page_no=page, method="POST", formdata=fields, state=state)

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        step, pages = data_step(body, request, page_size=self.page_size)
        return _paged(step, request, pages, self.request(request.state, request.page_no + 1))


# --- gov.cn JSON column feed ---------------------------------------------------------------------
_FEED = re.compile(r"""['"]([^'"\s?#]+\.json)['"]""")


def json_feed_url(html: str, url: str) -> str | None:
    """The static `*.json` file the column's script loads (no query string: an API with
    parameters is not a feed)."""
    for script in inline_scripts(html):
        match = _FEED.search(script)
        if match:
            return urljoin(url, str(match.group(1)))
    return None


class JsonFeedAdapter:
    name = "json_feed"

    def detect(self, html: str, url: str) -> bool:
        # a page that lists its records itself only loads some other JSON (settings, translations)
        return json_feed_url(html, url) is not None and lists_nothing(html, url)

    def first_page(self, html: str, url: str) -> ListingStep:
        feed = json_feed_url(html, url)
        step = html_step(html, url)
        if feed is None:
            return step
        return ListingStep(entries=step.entries, links=step.links,
                           next_request=PageRequest(url=feed, page_no=1, state={"feed": feed}))

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        step, _pages = data_step(body, request)
        if not step.entries:
            return ListingStep(entries=(), stop="empty_group")
        return ListingStep(entries=step.entries, declared_total=step.declared_total)
