"""Soft 404s: a portal answering 200 with an error page instead of the page asked for.

Chinese government CMSs often answer a removed article or column with HTTP 200 and a page saying
页面不存在 / 您访问的页面不存在 / 该信息已删除 / 404 (docs/research/portal-patterns.md). Taken at face value that
page would become an empty "report" or an empty column; the spider records it as a failure
instead. To keep real pages safe (a report table may well contain the number 404, a report may
say 该信息已删除), the error wording must be in the page title or a heading, or stand as a short
message of its own on a short page not titled as a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from govreports.urls import is_site_root

# the official-sounding ways a CMS says "not here" (simplified and traditional)
_ERROR_WORDS = re.compile(
    r"(页面不存在|頁面不存在|页面未找到|找不到(?:该|您要访问的|您访问的)?页面|您(?:所)?访问的页面(?:不存在|已删除|找不到)"
    r"|该(?:信息|文章|页面|内容|栏目)已(?:被)?(?:删除|撤销|下线|过期)|信息已(?:被)?删除|文章不存在|栏目不存在"
    r"|内容不存在|页面已(?:失效|过期|删除)|資訊已刪除|404\s*(?:Not\s*Found|错误|頁面|页面|error)|Page\s+Not\s+Found"
    r"|^\s*404\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HEADINGS = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]>", re.IGNORECASE | re.DOTALL)
_INVISIBLE = re.compile(r"<(script|style|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# visible text of a typical error page (with the portal's header and footer) stays below this;
# a real annual report is far longer
SHORT_PAGE_CHARS = 1500
# …and says it in a sentence of its own ("对不起，您访问的页面不存在！")
_MESSAGE_CHARS = 40
_REPORT_TITLE = re.compile(r"报告|年报|報告")


def _visible(html: str) -> str:
    return _SPACE.sub(" ", _TAGS.sub(" ", _INVISIBLE.sub(" ", html))).strip()


def soft_404_reason(html: str) -> str | None:
    """Why this 200 page is an error page ("title says '页面不存在'"), or None for a real page."""
    title_match = _TITLE.search(html)
    title = _visible(title_match.group(1)) if title_match else ""
    found = _ERROR_WORDS.search(title)
    if found:
        return f"error page: title says {found.group(0).strip()!r}"
    for heading in _HEADINGS.findall(html)[:5]:
        found = _ERROR_WORDS.search(_visible(heading))
        if found:
            return f"error page: heading says {found.group(0).strip()!r}"
    if _REPORT_TITLE.search(title):
        return None  # a page titled as a report that quotes the words is a report
    body = _INVISIBLE.sub(" ", html)
    text = _visible(body)
    if len(text) > SHORT_PAGE_CHARS:
        return None
    for block in _TAGS.split(body):
        if not block or block.isspace():
            continue  # most blocks are the layout's whitespace between two tags
        block = _SPACE.sub(" ", block).strip()
        if len(block) <= _MESSAGE_CHARS:
            found = _ERROR_WORDS.search(block)
            if found:
                return f"error page: short page ({len(text)} characters) says {block!r}"
    return None


def is_home(url: str, home_url: str) -> bool:
    """Is `url` the site's home page (its root, or its registered home path), www. or not?"""
    parts, home = urlsplit(url), urlsplit(home_url)
    same_host = (parts.hostname or "").removeprefix("www.") == (home.hostname or "").removeprefix("www.")
    return same_host and (is_site_root(url) or parts.path == home.path) and not parts.query


def not_the_page(url: str, redirects: Sequence[str], home_url: str, html: str | None,
                 what: str) -> tuple[str, str] | None:
    """Why a 200 answer at `url` (reached through `redirects`) is not the `what` asked for:
    ("redirected_home", why) or ("soft_404", why); None for a real page."""
    if redirects and is_home(url, home_url) and not is_home(redirects[0], home_url):
        return "redirected_home", f"{what} redirected to the home page {url}"
    why = soft_404_reason(html) if html else None
    return None if why is None else ("soft_404", f"{what} answered 200 with an {why}")
