"""Guangdong gkmlpt (政府信息公开目录平台): a category page whose list comes from a JSON API.

Column page `/gkmlpt/index#<catid>` with `window._CONFIG = {SID: '755…', …}`; list API
`/gkmlpt/api/all/<catid>?page=N&sid=<SID>` answering
`{"classify": {"post_count": 145}, "articles": [{"id": 963149, "title": "…",
"url": "…/gkmlpt/content/1/2/post_963149.html", "date": 1705276800, …}], "total": 145}`.
The category id lives in the URL fragment (never sent to the server), so the spider passes the
column URL as linked.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode, urljoin, urlsplit

from govreports.listing.adapters.base import ListingStep, PageRequest, to_int
from govreports.listing.entries import ListEntry, absolute_url, extract_entries
from govreports.parsing.text import parse_date
from govreports.parsing.text import normalize_label

_CHINA = timezone(timedelta(hours=8))
_CONFIG = re.compile(r"_CONFIG\s*=\s*(\{.*?\})\s*;?\s*(?:</script>|\n)", re.DOTALL)
_SID = re.compile(r"""\bSID\s*[:=]\s*['"]?([\w-]+)""", re.IGNORECASE)
_CATID = re.compile(r"""\b(?:CATID|catId|cat_id)\s*[:=]\s*['"]?(\d+)""")


def config_sid(html: str) -> str | None:
    match = _SID.search(html)
    return match.group(1) if match else None


def category_id(html: str, url: str) -> str | None:
    """The category: URL fragment, else a CATID in the page, else the 年报 entry of the category tree."""
    fragment = urlsplit(url).fragment
    if fragment.isdigit():
        return fragment
    match = _CATID.search(html)
    if match:
        return match.group(1)
    for entry_html in re.finditer(r"""<a[^>]+href\s*=\s*['"][^'"]*#(\d+)['"][^>]*>(.*?)</a>""", html, re.DOTALL):
        label = normalize_label(re.sub(r"<[^>]+>", "", entry_html.group(2)))
        if "年报" in label or "年度报告" in label:
            return entry_html.group(1)
    return None


def _article_date(article: dict[str, object]) -> str | None:
    for key in ("date", "created_at", "publish_time", "display_publish_time"):
        value = article.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 10**8:
            seconds = value / 1000 if value > 10**11 else value
            return datetime.fromtimestamp(seconds, tz=_CHINA).date().isoformat()
        if isinstance(value, str):
            parsed = parse_date(value)
            if parsed:
                return parsed
    return None


def api_request(base_url: str, catid: str, sid: str | None, page: int, state: dict[str, object]) -> PageRequest:
    query = {"page": page} | ({"sid": sid} if sid else {})
    return PageRequest(url=urljoin(base_url, f"/gkmlpt/api/all/{catid}?{urlencode(query)}"),
                       page_no=page, state=state)


class GkmlptAdapter:
    name = "gkmlpt"

    def detect(self, html: str, url: str) -> bool:
        return "/gkmlpt/" in urlsplit(url).path + "/" and ("_CONFIG" in html or "gkmlpt" in html) or (
            "_CONFIG" in html and bool(_SID.search(html)) and "gkmlpt" in html)

    def first_page(self, html: str, url: str) -> ListingStep:
        links = tuple(extract_entries(html, url))
        catid = category_id(html, url)
        if catid is None:
            return ListingStep(entries=(), links=links, stop="no_category")
        state: dict[str, object] = {"catid": catid, "sid": config_sid(html), "base": url}
        return ListingStep(entries=(), links=links,
                           next_request=api_request(url, catid, config_sid(html), 1, state))

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        try:
            data = json.loads(body)
        except ValueError:
            return ListingStep(entries=(), stop="bad_json")
        if not isinstance(data, dict):
            return ListingStep(entries=(), stop="bad_json")
        articles = data.get("articles") or []
        entries: list[ListEntry] = []
        for article in articles if isinstance(articles, list) else []:
            if not isinstance(article, dict):
                continue
            url = absolute_url(str(article.get("url") or ""), request.url)
            if url:
                entries.append(ListEntry(url=url, title=str(article.get("title") or ""), date=_article_date(article)))
        total = to_int(data.get("total"))
        if total is None and isinstance(data.get("classify"), dict):
            total = to_int(data["classify"].get("post_count"))
        if not entries:
            return ListingStep(entries=(), declared_total=total, stop="empty_group")
        state = dict(request.state)
        page_size = to_int(state.get("page_size")) or len(entries)
        state["page_size"] = page_size
        pages = math.ceil(total / page_size) if total is not None and page_size else None
        following = None
        if (request.page_no < pages) if pages is not None else True:
            following = api_request(str(state["base"]), str(state["catid"]), state.get("sid"),  # type: ignore[arg-type]
                                    request.page_no + 1, state)
        return ListingStep(entries=tuple(entries), next_request=following, declared_total=total,
                           declared_pages=pages)
