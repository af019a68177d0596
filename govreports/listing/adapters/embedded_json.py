"""Columns that list their documents only as data in an inline script, paged by declared counts.

The shape of a real provincial platform (issue 17)::

    <ul id="list"></ul>
    <script>var listData = {articleList: [{title: "…", pubDate: "2024-01-15 10:30:00",
      urls: "{\\"pc\\":\\"/xxgk/…/content_1747204718113529856.html\\"}"}, …], pageCount: 3};</script>

no `<a>` in the markup; page n is `index_n.html` beside the column page (`index.html`), as on TRS.
Detection is generic (listing/json_records.py: any variable, any key names, any nesting); the
adapter claims a page only when its scripts list documents that its anchors do not. State wrapped
in a function (Nuxt's `window.__NUXT__=(function(a,b){…}(…))`) is not data: chompjs finds no
list in it and `challenge.script_builds_list` sends such a page to the browser.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from govreports.listing.adapters.base import ListingStep, PageRequest, html_step
from govreports.listing.candidates import judge_title
from govreports.listing.entries import extract_entries
from govreports.listing.json_records import ArticleList, page_article_list

_PAGE_VARIABLE = re.compile(
    r"""\b(?:page_?count|total_?pages?|count_?page|page_?total)\b['"]?\s*[:=]\s*['"]?(\d+)""", re.IGNORECASE)
_NUMBERED = re.compile(r"^(?P<name>.+?)(?:_(?P<page>\d+))?\.(?P<ext>s?html?)$", re.IGNORECASE)


def declared_page_count(html: str, found: ArticleList) -> int | None:
    """The page count the data declares, else a `pageCount = N` variable of the page."""
    if found.declared_pages is not None:
        return found.declared_pages
    match = _PAGE_VARIABLE.search(html)
    return int(match.group(1)) if match else None


def numbered_page_url(column_url: str, page: int) -> str:
    """index.html → index_<page>.html (page 0 is the column page itself), in the column's directory."""
    path = urlsplit(column_url).path
    last = path.rsplit("/", 1)[-1]
    match = _NUMBERED.match(last)
    name, ext = (match.group("name"), match.group("ext")) if match else ("index", "html")
    filename = f"{name}.{ext}" if page == 0 else f"{name}_{page}.{ext}"
    return urljoin(column_url, filename)


def lists_only_in_data(html: str, url: str) -> ArticleList | None:
    """The page's script article list when its anchors miss most of those documents, else None.
    A list counts only when it looks like a column: dated records, or a title naming a report (a
    script menu of links is neither)."""
    found = page_article_list(html, url)
    if found is None:
        return None
    dated = sum(1 for entry in found.entries if entry.date)
    if dated * 2 < len(found.entries) and not any(judge_title(e.title, e.url).keep for e in found.entries):
        return None
    anchors = {entry.url for entry in extract_entries(html, url)}
    missing = [entry for entry in found.entries if entry.url not in anchors]
    return found if len(missing) * 2 > len(found.entries) else None


class EmbeddedJsonAdapter:
    name = "embedded_json"

    def detect(self, html: str, url: str) -> bool:
        return lists_only_in_data(html, url) is not None

    def first_page(self, html: str, url: str) -> ListingStep:
        return self._step(html, url, 0, {"column": url})

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        return self._step(body, request.url, request.page_no, request.state)

    @staticmethod
    def _step(html: str, url: str, page_no: int, state: dict[str, object]) -> ListingStep:
        anchors = html_step(html, url)
        found = page_article_list(html, url)
        if found is None:
            return ListingStep(entries=(), links=anchors.entries + anchors.links, stop="empty_group")
        pages = declared_page_count(html, found)
        if pages is None and "pages" in state:
            pages = int(str(state["pages"]))
        following = None
        if pages is not None and page_no + 1 < pages:
            state = {**state, "pages": pages}
            following = PageRequest(url=numbered_page_url(str(state["column"]), page_no + 1), page_no=page_no + 1,
                                    state=state)
        record_urls = {entry.url for entry in found.entries}
        links = tuple(entry for entry in (*anchors.entries, *anchors.links) if entry.url not in record_urls)
        return ListingStep(entries=found.entries, links=links, next_request=following,
                           declared_pages=pages, declared_total=found.declared_total)
