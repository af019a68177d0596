"""TRS WCM static lists: `index.html`, `index_1.html`, … announced by `createPageHTML(...)`.

Shapes (docs/research/portal-patterns.md §4.2.1)::

    <script>createPageHTML(3, 0, "index", "html");</script>
    var countPage = 12//共多少页 … createPageHTML(countPage, currentPage, "index", "shtml");
    createPageHTML('page_div', 5, 0, 'index', 'htm', 68);   // 6-argument variant, last = records

Page 0 is `index.<ext>`, page n is `index_n.<ext>`, all in the column's directory.

Only live code counts: a pager inside an HTML comment (`<!-- <div class="page"><script>var
countPage = 67 …</script></div> -->`, a template left switched off) and commented-out script lines
(`//createPageHTML(9, 0, "index", "html");` above the real `var countPage = 17`) are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from govreports.listing.adapters.base import ListingStep, PageRequest, html_step
from govreports.listing.entries import page_selector
from govreports.parsing.html import JS_COMMENT

_ARG = r"""\s*(?:'([^']*)'|"([^"]*)"|([\w$.]+))\s*"""
_CALL = re.compile(r"createPageHTML\s*\(" + ",".join([_ARG] * 4) + r"(?:," + _ARG + r")?(?:," + _ARG + r")?\)")
_VAR = re.compile(r"""\bvar\s+([\w$]+)\s*=\s*['"]?(\d+)['"]?""")


@dataclass(frozen=True, slots=True)
class TrsPager:
    """What a createPageHTML call says: page count, current page, file name and extension."""

    pages: int
    current: int = 0
    name: str = "index"
    ext: str = "html"
    records: int | None = None


def _arguments(match: re.Match[str]) -> list[str]:
    groups = match.groups()
    values: list[str] = []
    for index in range(0, len(groups), 3):
        triple = groups[index:index + 3]
        if any(part is not None for part in triple):
            values.append(next(part for part in triple if part is not None))
    return values


def live_script_code(html: str) -> str:
    """The code of the page's scripts, without scripts inside HTML comments and without JS comments
    (text without any `<script>` is taken as script code itself)."""
    if "countPage" not in html and "createPageHTML" not in html:
        return ""
    if "<script" not in html.lower():
        return JS_COMMENT.sub("", html)  # a script's text on its own
    scripts = page_selector(html).xpath("//script/text()").getall()
    return "\n".join(JS_COMMENT.sub("", script) for script in scripts)


def parse_create_page_html(html: str) -> TrsPager | None:
    """The page's createPageHTML call (or bare `var countPage`), variables resolved."""
    html = live_script_code(html)
    variables = {name: int(value) for name, value in _VAR.findall(html)}
    match = _CALL.search(html)
    if not match:
        if "countPage" not in variables:
            return None
        return TrsPager(pages=variables["countPage"], current=variables.get("currentPage", 0))
    arguments = _arguments(match)

    def number(text: str) -> int | None:
        return int(text) if text.isdigit() else variables.get(text)

    if len(arguments) >= 5 and number(arguments[0]) is None and number(arguments[1]) is not None:
        arguments = arguments[1:]  # 6-argument variant: divName first
    pages, current = number(arguments[0]), number(arguments[1])
    if pages is None:
        return None
    records = number(arguments[4]) if len(arguments) >= 5 else None
    return TrsPager(pages=pages, current=current or 0, name=arguments[2] or "index",
                    ext=arguments[3].lstrip(".") or "html", records=records)


def page_url(column_url: str, name: str, ext: str, page: int) -> str:
    """index.html for page 0, index_<n>.<ext> after it, in the column's directory."""
    filename = f"{name}.{ext}" if page == 0 else f"{name}_{page}.{ext}"
    return urljoin(column_url, filename)


class TrsAdapter:
    name = "trs"

    def detect(self, html: str, url: str) -> bool:
        return parse_create_page_html(html) is not None

    def first_page(self, html: str, url: str) -> ListingStep:
        pager = parse_create_page_html(html)
        if pager is None:
            return html_step(html, url)
        state = {"name": pager.name, "ext": pager.ext, "pages": pager.pages, "column": url}
        return html_step(html, url, next_request=self._after(pager.current, pager.pages, state),
                         declared_pages=pager.pages, declared_total=pager.records)

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        pager = parse_create_page_html(body)
        pages = pager.pages if pager else int(request.state["pages"])
        return html_step(body, request.url, next_request=self._after(request.page_no, pages, request.state),
                         declared_pages=pages, declared_total=pager.records if pager else None)

    @staticmethod
    def _after(current: int, pages: int, state: dict[str, object]) -> PageRequest | None:
        if current + 1 >= pages:
            return None
        return PageRequest(url=page_url(str(state["column"]), str(state["name"]), str(state["ext"]), current + 1),
                           page_no=current + 1, state=state)
