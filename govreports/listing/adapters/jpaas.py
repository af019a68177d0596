"""Hanweb jpaas `unitbuild` lists (Zhejiang and others): the list comes from a JSON API.

Column page (docs/research/portal-patterns.md §4.2.3)::

    <script src="/module/jpaas/AuthorizedRead/unitbuild.js"
            url="/api-gateway/jpaas-publish-server/front/page/build/unit"
            queryData="{'pageId':1229114055,'webId':3057,'tagId':'信息列表','tplSetId':'…'}"></script>

GET `<url>?pageId=…&webId=…&tagId=…&paramJson={"pageNo":N,"pageSize":15}` answers
`{"success":true,"data":{"html":"<ul><li class=\\"clearfix\\"><a href=…>…</a><span>2024-01-15</span></li>…
<div class=\\"pagination\\" rows=\\"15\\" count=\\"137\\">"}}`.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import urlencode, urljoin

from govreports.listing.adapters.base import ListingStep, PageRequest, html_step, js_object_fields, to_int
from govreports.listing.entries import extract_entries, page_selector

PAGE_SIZE = 15
_COUNT = re.compile(r"""\bcount\s*=\s*['"]?(\d+)""")
_ROWS = re.compile(r"""\brows\s*=\s*['"]?(\d+)""")


def unitbuild_endpoint(html: str, url: str) -> tuple[str, dict[str, str]] | None:
    """The API URL and query fields from the unitbuild.js script tag, or None."""
    selector = page_selector(html)
    for script in selector.xpath("//script[contains(@src, 'unitbuild')]"):
        api = script.attrib.get("url") or script.attrib.get("data-url")
        if not api:
            continue
        query = script.attrib.get("querydata") or script.attrib.get("queryData") or ""
        return urljoin(url, api), js_object_fields(query)
    return None


def unit_request(api: str, fields: dict[str, str], page_no: int, page_size: int,
                 state: dict[str, object]) -> PageRequest:
    params = dict(fields)
    params["paramJson"] = json.dumps({"pageNo": page_no, "pageSize": page_size}, separators=(",", ":"))
    return PageRequest(url=f"{api}?{urlencode(params)}", page_no=page_no, state=state)


class JpaasAdapter:
    name = "jpaas"

    def detect(self, html: str, url: str) -> bool:
        return "unitbuild" in html and unitbuild_endpoint(html, url) is not None

    def first_page(self, html: str, url: str) -> ListingStep:
        endpoint = unitbuild_endpoint(html, url)
        links = tuple(extract_entries(html, url))
        if endpoint is None:
            return ListingStep(entries=(), links=links, stop="no_api")
        api, fields = endpoint
        state: dict[str, object] = {"api": api, "fields": fields, "page_size": PAGE_SIZE}
        # the column page's own list is rendered by the API call; page 1 comes from the API too
        return ListingStep(entries=(), links=links,
                           next_request=unit_request(api, fields, 1, PAGE_SIZE, state))

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        try:
            data = json.loads(body)
        except ValueError:
            return ListingStep(entries=(), stop="bad_json")
        fragment = ""
        if isinstance(data, dict):
            inner = data.get("data")
            fragment = inner.get("html", "") if isinstance(inner, dict) else (inner if isinstance(inner, str) else "")
        if not isinstance(fragment, str) or not fragment.strip():
            return ListingStep(entries=(), stop="empty_group")
        step = html_step(fragment, request.url)
        count_match, rows_match = _COUNT.search(fragment), _ROWS.search(fragment)
        total = int(count_match.group(1)) if count_match else None
        page_size = int(rows_match.group(1)) if rows_match else to_int(request.state.get("page_size")) or PAGE_SIZE
        pages = math.ceil(total / page_size) if total is not None else None
        following = None
        if (request.page_no < pages) if pages is not None else bool(step.entries):
            following = unit_request(str(request.state["api"]), dict(request.state["fields"]),
                                     request.page_no + 1, page_size, request.state)
        return ListingStep(entries=step.entries, links=step.links, next_request=following,
                           declared_total=total, declared_pages=pages,
                           stop=None if step.entries else "empty_group")
