"""Hanweb 大汉 JCMS jpage lists: first group embedded as XML, further groups by POST dataproxy.jsp.

Column page (docs/research/portal-patterns.md §4.2.2)::

    <script type="text/xml"><datastore>
      <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=123
          &unitid=456&webname=…&permissiontype=0"></a>]]></nextgroup>
      <recordset><record><![CDATA[<li><a href="/art/2024/1/15/art_123_456.html">…</a>
          <span>2024-01-15</span></li>]]></record>…</recordset></datastore></script>
    <script>var param_456 = {col:1, appid:1, webid:1, path:'/', columnid:123, sourceContentType:1,
          unitid:'456', webname:'…', permissiontype:0};
      $('#456').jpage({dataStore: …, perPage:15, groupSize:3, totalRecord:143, …});</script>

Further groups: POST `dataproxy.jsp?startrecord=46&endrecord=90&perpage=15` with the param fields
as form data; the answer is `<datastore><totalrecord>143</totalrecord><recordset>…`. Some sites
repeat one boundary record per group (deduplicated by the walk) or answer an empty body for deep
pages (recorded as `empty_group`).

Encrypted `nextgroup` (issue 17): some sites print `columnid`/`unitid` only as opaque tokens in the
nextgroup link (`columnid=Vk1n+Qz/8w==`) and leave them out of `param_NNN`. The tokens are posted
back exactly as printed: the query is split by hand, because `parse_qsl` would turn their `+` into
a space (the server then answers an empty group).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlencode, urljoin, urlsplit

from govreports.listing.adapters.base import ListingStep, PageRequest, js_object_fields, to_int
from govreports.listing.entries import ListEntry, extract_entries

DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
_DATASTORE = re.compile(r"<datastore>.*?(?:</datastore>|$)", re.DOTALL | re.IGNORECASE)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.DOTALL | re.IGNORECASE)
_TOTAL = re.compile(r"(?:totalRecord\s*[:=]\s*['\"]?|<totalrecord>\s*)(\d+)", re.IGNORECASE)
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)
_PARAM = re.compile(r"var\s+param_\w*\s*=\s*(\{.*?\})", re.DOTALL)


def parse_records(xml: str, base_url: str) -> list[ListEntry]:
    """One entry per `<record>` (its first link), in order; records without a link are skipped."""
    entries: list[ListEntry] = []
    for fragment in _RECORD.findall(xml):
        links = extract_entries(fragment, base_url)
        if links:
            entries.append(links[0])
    return entries


def declared_total(text: str) -> int | None:
    match = _TOTAL.search(text)
    return int(match.group(1)) if match else None


def raw_query_fields(query: str) -> list[tuple[str, str]]:
    """Query fields with values as printed: `%XX` decoded, but `+` kept (tokens are base64)."""
    fields: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        fields.append((unquote(key), unquote(value)))
    return fields


def proxy_request_fields(html: str, url: str) -> tuple[str, dict[str, str]]:
    """The dataproxy URL and its form fields, from `param_NNN` or else the nextgroup link."""
    proxy = urljoin(url, DEFAULT_PROXY)
    fields: dict[str, str] = {}
    nextgroup = _NEXTGROUP.search(html)
    if nextgroup:
        href = re.search(r"""href\s*=\s*['"]([^'"]+)['"]""", nextgroup.group(1))
        if href:
            target = urlsplit(urljoin(url, href.group(1).replace("&amp;", "&")))
            proxy = urljoin(url, target.path)
            fields = {key: value for key, value in raw_query_fields(target.query)
                      if key not in ("page", "startrecord", "endrecord", "perpage")}
    param = _PARAM.search(html)
    if param:
        fields.update(js_object_fields(param.group(1)))
    return proxy, fields


def group_request(proxy: str, fields: dict[str, str], start: int, size: int, per_page: int,
                  page_no: int, state: dict[str, object]) -> PageRequest:
    query = urlencode({"startrecord": start, "endrecord": start + size - 1, "perpage": per_page})
    return PageRequest(url=f"{proxy}?{query}", page_no=page_no, method="POST",
                       formdata=tuple(sorted(fields.items())), state=state)


class HanwebJpageAdapter:
    name = "hanweb_jpage"

    def detect(self, html: str, url: str) -> bool:
        return bool(_DATASTORE.search(html)) or "dataproxy.jsp" in html or ".jpage(" in html

    def first_page(self, html: str, url: str) -> ListingStep:
        store = _DATASTORE.search(html)
        xml = store.group(0) if store else ""
        records = parse_records(xml, url)
        total = declared_total(html)
        per_page_match = _PER_PAGE.search(html)
        per_page = int(per_page_match.group(1)) if per_page_match else 15
        group_size = len(_RECORD.findall(xml)) or per_page * 3
        proxy, fields = proxy_request_fields(html, url)
        links = tuple(entry for entry in extract_entries(html, url)
                      if entry.url not in {record.url for record in records})
        state: dict[str, object] = {"proxy": proxy, "fields": fields, "group": group_size,
                                    "per_page": per_page, "total": total, "next_start": group_size + 1}
        following = None
        if (group_size < total) if total is not None else len(records) >= group_size > 0:
            following = group_request(proxy, fields, group_size + 1, group_size, per_page, 1, state)
        return ListingStep(entries=tuple(records), links=links, next_request=following, declared_total=total)

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        state = dict(request.state)
        records = parse_records(body, request.url)
        total = declared_total(body) or to_int(state.get("total"))
        group = int(state["group"])  # type: ignore[call-overload]
        start = int(state["next_start"]) + group  # type: ignore[call-overload]
        if not records:
            return ListingStep(entries=(), declared_total=total, stop="empty_group")
        state["next_start"] = start
        following = None
        if (start <= total) if total is not None else len(records) >= group:
            following = group_request(str(state["proxy"]), dict(state["fields"]),  # type: ignore[call-overload]
                                      start, group, int(state["per_page"]),  # type: ignore[call-overload]
                                      request.page_no + 1, state)
        return ListingStep(entries=tuple(records), next_request=following, declared_total=total)
