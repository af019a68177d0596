"""Recognising anti-bot challenges, so a site is recorded as blocked instead of "empty".

We never try to defeat them (docs/architecture.md). Shapes (docs/research/portal-patterns.md §4.4): 瑞数 answers 412
(sometimes 200/202) with a tiny page holding `$_ts=window['$_ts']` and a `<meta … r="m">` seed;
加速乐 answers 521 with `document.cookie='__jsluid_s=…';location.reload()`; 创宇云/other WAFs
answer 403 or 405 with a short block page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from govreports.listing.adapters.base import ListingStep
from govreports.listing.candidates import judge_title
from govreports.listing.entries import ListEntry

# matched on the lower-cased head of the body: bytes.lower() folds ASCII only, as re.IGNORECASE does on
# bytes, and a pattern without IGNORECASE lets the engine skip ahead to its literal text (every answer
# goes through here: the case-insensitive search cost ~0.2 ms a page)
_RUISHU = re.compile(rb"\$_ts\s*=\s*window\[|\$_ts\.(?:nsd|cd)\s*=")
_RUISHU_META = re.compile(rb"<meta[^>]+r=['\"]m['\"]")
_JIASULE_COOKIE = re.compile(rb"document\.cookie\s*=.{0,200}location\.reload", re.DOTALL)
_WAF_WORDS = re.compile("(访问被拦截|安全拦截|非法请求|您的访问已被|WAF|创宇|云防护|请开启JavaScript)".encode(), re.IGNORECASE)


def challenge_kind(status: int, body: bytes) -> str | None:
    """'ruishu', 'jiasule', 'waf' or 'forbidden' when the answer is a block page, else None."""
    head = body[:20000]
    lowered = head.lower() if len(body) < 50000 else b""  # a challenge stub is small: big pages skip the search
    if lowered and (_RUISHU.search(lowered) or _RUISHU_META.search(lowered)):
        return "ruishu"
    if status == 521 or (len(body) < 20000 and (b"__jsluid" in lowered or _JIASULE_COOKIE.search(lowered))):
        return "jiasule"
    if status in (403, 405, 412) and _WAF_WORDS.search(head):
        return "waf"
    if status in (403, 412):
        return "forbidden"
    return None


# an inline script that loads data or builds the page's list itself (not analytics or a menu)
_LIST_BUILDING_SCRIPT = re.compile(
    r"<script\b[^>]*>(?:(?!</script>).){0,20000}?"
    r"(?:\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|post|getJSON)\s*\(|\baxios\b|\.load\s*\("
    r"|createElement\s*\(\s*['\"](?:li|a|tr)['\"]|\binnerHTML\s*[+]?=|insertAdjacentHTML|document\.write\s*\("
    # page state a function computes (Nuxt: window.__NUXT__=(function(a,b){…}(…))): only a browser
    # reads it (the same pattern as listing/json_records.FUNCTION_STATE)
    r"|\b__[A-Z]+__\s*=\s*\(?\s*function\s*\()",
    re.IGNORECASE | re.DOTALL,
)


def script_builds_list(html: str) -> bool:
    """True when an inline script fetches data or writes list markup into the page.

    A list page with no report link escalates to the browser only on this evidence: nearly every
    government page carries scripts (menus, statistics, accessibility toolbars), so "has a script"
    alone would send every empty sub-column to Chromium.
    """
    return bool(_LIST_BUILDING_SCRIPT.search(html))


def list_needs_browser(html: str, step: ListingStep, subcolumns: Sequence[ListEntry]) -> bool:
    """A column page whose list a script builds: no report link, no next page and no sub-column
    in the HTML, and an inline script that loads data or writes list markup."""
    if step.next_request is not None or subcolumns or not script_builds_list(html):
        return False
    return not any(judge_title(entry.title, entry.url).keep for entry in (*step.entries, *step.links))
