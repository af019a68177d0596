"""Links on list pages: what a column lists, with the date printed beside each link.

Pure (parsel/lxml only). A list entry is an `<a>` (or an element whose `onclick` carries the URL,
as on Tianjin's `isDownLoad(this,'…t20260911_7372816.html')`) plus the date found in the same
`<li>`/`<tr>`/`<dd>` row. Titles come from the `title` attribute when the text is truncated
("…" or shorter), since CMS list templates clip long titles.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector

from govreports.parsing.text import collapse_whitespace, parse_date
from govreports.parsing.tree import elements, html_root, strings

_QUOTED_URL = re.compile(r"""['"]((?:https?://|/|\./|\.\./)[^'"\s]+|[^'"\s/]+\.(?:s?html?|jsp|aspx?|php|pdf|docx?|wps))['"]""")
_IGNORED_SCHEMES = ("javascript:", "mailto:", "tel:", "file:", "ftp:", "data:", "about:")
_ROW_TAGS = ("li", "tr", "dd", "dt", "p", "td")
_CELL_TAGS = ("dd", "dt", "td")  # rows that may be one cell of a title/date pair
# a label broken by <br> or layout whitespace between Chinese characters (`政府信息<br> 公开年报`)
_CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef"
_LABEL_BREAK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One link of a list page: absolute URL, the best title, and the list date if printed."""

    url: str
    title: str
    date: str | None = None  # ISO YYYY-MM-DD

    def hints(self, column_url: str) -> dict[str, str | None]:
        """The hints a ReportPage carries from its list page."""
        return {"link_text": self.title, "list_date": self.date, "column_url": column_url}


def absolute_url(raw: str, base_url: str) -> str | None:
    """`raw` resolved against `base_url`, fragment dropped; None for non-http links."""
    raw = raw.strip().replace("\\", "/")
    if not raw or raw.lower().startswith(_IGNORED_SCHEMES):
        return None
    if raw.startswith("#") and not (raw[1:].isdigit() and "gkmlpt" in base_url):
        return None  # an in-page anchor (gkmlpt's "#<category>" links excepted)
    try:
        url = urljoin(base_url, raw)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # gkmlpt addresses its categories by fragment (/gkmlpt/index#2671): the one fragment kept
    fragment = parts.fragment if "gkmlpt" in parts.path and parts.fragment.isdigit() else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, fragment))


def url_in_handler(handler: str) -> str | None:
    """The URL a JS handler opens: `isDownLoad(this,'/a/t2024_1.html')`, `window.open("x.pdf")`."""
    match = _QUOTED_URL.search(handler)
    return match.group(1) if match else None


def best_title(text: str, title_attribute: str) -> str:
    """Prefer the title attribute when the visible text is clipped or missing; a label split by
    `<br>` or whitespace between Chinese characters is one label again."""
    text = _LABEL_BREAK.sub("", collapse_whitespace(text))
    title_attribute = _LABEL_BREAK.sub("", collapse_whitespace(title_attribute))
    if not text:
        return title_attribute
    if title_attribute and (len(title_attribute) > len(text.rstrip(".…")) or text.endswith(("…", "..."))):
        return title_attribute
    return text


# what parsel reads as a JSON document or as XML rather than HTML (a superset: parsel decides those)
_NOT_HTML = re.compile(r"[\s\ufeff]*(?:<\?xml\s|[{\[])")


def page_selector(html: str) -> Selector:
    """`Selector(text=html)`, on the page's one shared tree (parsing/tree.html_root): the crawl
    process reads a list page with several functions and parses it once."""
    if _NOT_HTML.match(html):
        return Selector(text=html)
    return Selector(root=html_root(html), type="html")


def page_root(html: str) -> etree._Element:
    """The root of `page_selector(html)`, to walk with lxml's own XPath (parsel wraps every node it
    returns); ValueError for a JSON document, as parsel's `xpath` raises on one."""
    selector = page_selector(html)
    if selector.type not in ("html", "xml"):
        raise ValueError(f"Cannot use xpath on a Selector of type {selector.type!r}")
    root: etree._Element = selector.root
    return root


_LINKS = etree.XPath("//a | //*[@onclick][not(self::a)]")
_TEXT = etree.XPath(".//text()")
_NEXT_TEXT = etree.XPath("following-sibling::*[1]//text() | following-sibling::text()[1]")
_BASE = etree.XPath("//base/@href")


def _row_text(anchor: etree._Element) -> str:
    """The text of the link's row: its nearest `<li>`, else `<tr>`… (`_ROW_TAGS` in that order).

    A row that is one cell of a pair (Fujian's TRS lists: `<dl><dd><a>…</a></dd><dd>2026-03-10</dd>
    </dl>`; `<dt><a>…</a></dt><dd>date</dd>`) prints its date in the next cell: a cell without a
    date reads on into the cell after it."""
    ancestors = [element for element in anchor.iterancestors() if isinstance(element.tag, str)]
    for tag in _ROW_TAGS:
        for row in ancestors:
            if row.tag == tag:
                text = " ".join(strings(_TEXT(row)))
                if tag in _CELL_TAGS and parse_date(text) is None:
                    following = row.getnext()
                    while following is not None and not isinstance(following.tag, str):
                        following = following.getnext()  # comments between the cells
                    if following is not None and following.tag in _CELL_TAGS:
                        text = f"{text} {' '.join(strings(_TEXT(following)))}"
                return text
    return " ".join(strings(_NEXT_TEXT(anchor)))


def extract_entries(html: str, base_url: str) -> list[ListEntry]:
    """Every http link of the page with its title and row date, in page order, deduplicated.

    A list page is read by discovery and then by its adapter: the last few answers are kept."""
    return list(_extract_entries(html, base_url))


@functools.lru_cache(maxsize=8)
def _extract_entries(html: str, base_url: str) -> tuple[ListEntry, ...]:
    if not html.strip():
        return ()
    # the page's shared tree (parsel's parser settings, as everywhere else); the walk is lxml's own
    # XPath on it: parsel wraps every node it returns, which cost ~4 ms per list page
    root = page_selector(html).root
    base = strings(_BASE(root))
    if base:
        base_url = urljoin(base_url, base[0].strip())
    found: dict[str, ListEntry] = {}
    for element in elements(_LINKS(root)):
        href = element.get("href") or ""
        raw = href
        if not raw.strip() or raw.strip().lower().startswith("javascript") or raw.strip() == "#":
            raw = url_in_handler(element.get("onclick") or "") or url_in_handler(href) or ""
        url = absolute_url(raw, base_url) if raw else None
        if url is None:
            continue
        title = best_title(" ".join(strings(_TEXT(element))), element.get("title") or "")
        date = parse_date(_row_text(element))
        entry = ListEntry(url=url, title=title, date=date)
        previous = found.get(url)
        if previous is None:
            found[url] = entry
        elif len(entry.title) > len(previous.title) or (entry.date and not previous.date):
            found[url] = ListEntry(url=url, title=max(entry.title, previous.title, key=len),
                                   date=previous.date or entry.date)
    return tuple(found.values())


def list_records(entries: list[ListEntry]) -> list[ListEntry]:
    """The links that are the list's records rather than navigation.

    Records print a date in their row; without dates, links shaped like documents; else all.
    """
    dated = [entry for entry in entries if entry.date]
    if dated:
        return dated
    documents = [entry for entry in entries if looks_like_document(entry.url)]
    return documents or entries


# detail pages and files, by the URL shapes of the CMS families (docs/research/portal-patterns.md §4.1)
_DOCUMENT_PATH = re.compile(
    r"(/t\d{8}_\d+(_wap)?\.s?html?$"           # TRS ./202401/t20240115_3271106.html
    r"|/art_\d+_\d+\.html$"                      # Hanweb /art/2019/3/15/art_5296_668434.html
    r"|/art/\d{4}/"                              # Hanweb art paths
    r"|/post_\d+\.html$"                         # gkmlpt
    r"|/content_\d+(\.s?html?)?$"                # gov.cn, UCAP
    r"|/c\d+_\d+\.s?html$|/c0\d_\d+\.s?html$"    # Harbin / xyq
    r"|/\d{6,8}/[^/]+\.s?html?$"                 # dated directory + page
    r"|/\d{10,}\.s?html?$"                       # snowflake ids
    r"|/[0-9a-f]{32}\.s?html?$"                  # 32-hex ids
    r"|/show/[^/]+$"
    r"|\.(pdf|docx?|wps|xlsx?|ofd|rtf|zip)$)",
    re.IGNORECASE,
)
# Liaoning 慧点: a document is a directory named by its 19-digit id (/fgw/zc/zxzc/<19 digits>/index.shtml)
_ID_DIRECTORY = re.compile(r"/\d{15,}/index\.s?html?$", re.IGNORECASE)
_FILE_QUERY = re.compile(r"(downfile\.jsp|download)", re.IGNORECASE)


def looks_like_document(url: str) -> bool:
    """True for URLs shaped like a detail page or a file rather than a column/list page."""
    parts = urlsplit(url)
    path = parts.path
    if _ID_DIRECTORY.search(path):
        return True
    if re.search(r"/(index|list|default)(_\d+)?\.s?html?$", path, re.IGNORECASE) or path.endswith("/"):
        return False
    if _FILE_QUERY.search(path) and re.search(r"\.(pdf|docx?|wps)", parts.query, re.IGNORECASE):
        return True
    return bool(_DOCUMENT_PATH.search(path))
