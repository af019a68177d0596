"""Plain lists paged by a 下一页 ("next page") link: the fallback for every other CMS.

The next link is an `href`, or only an `onclick="queryArticleByCondition(this,'/…-2.shtml')"`
with `title="下一页"` (Liaoning, which also declares `totalpage="7"`), or hidden in a base64 pager
`<div id="pages">PGEgaHJlZj0…</div>` decoded by `window.atob` (Yunnan).
"""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from govreports.listing.adapters.base import ListingStep, PageRequest, html_step
from govreports.listing.entries import absolute_url, page_root, url_in_handler
from govreports.parsing.text import normalize_label
from govreports.parsing.tree import elements, strings

_NEXT_WORDS = frozenset({"下一页", "下页", "后一页", "下一頁", ">", "›", "»", ">>", "next", "nextpage"})
_TOTAL_PAGES = re.compile(r"""\btotal_?pages?\s*[=:]\s*['"]?(\d+)""", re.IGNORECASE)
_ANCHORS = etree.XPath("//a | //*[@onclick]")
_TEXT = etree.XPath(".//text()")
_BASE64_PAGER = re.compile(r"""<div[^>]+id\s*=\s*['"]pages['"][^>]*>\s*([A-Za-z0-9+/=\s]{16,})\s*</div>""")


def _decoded_pagers(html: str) -> list[str]:
    """HTML of base64-encoded pagers (Yunnan's `<div id="pages">` + window.atob)."""
    decoded: list[str] = []
    for match in _BASE64_PAGER.finditer(html):
        try:
            decoded.append(base64.b64decode("".join(match.group(1).split()), validate=True).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
    return decoded


def next_page_url(html: str, url: str) -> str | None:
    """The URL of the 下一页 link, from href or onclick; None on the last page."""
    for source in (html, *_decoded_pagers(html)):
        # lxml's own XPath on the page's shared tree: parsel would wrap every link and text node
        for anchor in elements(_ANCHORS(page_root(source))):
            text = normalize_label(" ".join(strings(_TEXT(anchor)))).lower()
            title = normalize_label(anchor.get("title", "")).lower()
            classes = anchor.get("class", "").lower()
            if not (text in _NEXT_WORDS or title in _NEXT_WORDS or re.search(r"\bnext\b", classes)):
                continue
            href = (anchor.get("href") or "").strip()
            raw = href if href and not href.lower().startswith("javascript") and href != "#" else ""
            raw = raw or url_in_handler(anchor.get("onclick", "")) or url_in_handler(href) or ""
            target = absolute_url(raw, url) if raw else None
            if target and target.split("#")[0] != url.split("#")[0]:
                return target
    return None


def declared_pages(html: str) -> int | None:
    match = _TOTAL_PAGES.search(html)
    return int(match.group(1)) if match else None


class PlainAdapter:
    name = "plain"

    def detect(self, html: str, url: str) -> bool:
        return True  # the fallback: a list without a next link is a one-page list

    def first_page(self, html: str, url: str) -> ListingStep:
        return self._step(html, url, 0)

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        return self._step(body, request.url, request.page_no)

    @staticmethod
    def _step(html: str, url: str, page_no: int) -> ListingStep:
        target = next_page_url(html, url)
        following = PageRequest(url=target, page_no=page_no + 1) if target else None
        step = html_step(html, url, next_request=following, declared_pages=declared_pages(html))
        if following is not None:
            step = ListingStep(entries=step.entries,
                               links=tuple(e for e in step.links if e.url != target),
                               next_request=following, declared_pages=step.declared_pages)
        return step
