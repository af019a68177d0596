"""Reports published as attachments: finding the files on a page, and folding them into one report.

Many 年报 pages are little more than a link to a PDF, DOC or WPS file; others carry the text and
attach the same report again. `find_attachment_links` finds the files a page links to, in every
shape the CMS families publish them (plain hrefs, Hanweb `downfile.jsp?filename=<hex>.pdf` where
the extension is only in the query, links hidden in `onclick`/`window.open`, pdf.js viewers).
`merge_page_and_attachments` applies the rule that one report makes one item, whether it is
published on the page, as an attachment, or both.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import lxml.html
from cssselect import HTMLTranslator
from lxml import etree

from govreports.parsing.html import content_matches
from govreports.parsing.text import collapse_whitespace
from govreports.parsing.tree import element_text, elements

if TYPE_CHECKING:
    from govreports.parsing.report import ParsedReport

ATTACHMENT_SUFFIXES: tuple[str, ...] = (
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".rtf", ".ofd", ".zip",
)
_IGNORED_SCHEMES = ("javascript:", "mailto:", "file:", "ftp:", "data:", "tel:", "about:")
# a quoted string inside onclick / window.open / javascript: hrefs that looks like a file URL
_QUOTED = re.compile(r"""(['"])((?:(?!\1).){1,1000}?)\1""")
# query parameters that carry the real file (Hanweb downfile.jsp, pdf.js viewer.html?file=...)
_FILE_PARAMS = ("file", "filename", "fileurl", "filepath", "url", "path", "src")
# TRS attachment ids: P0 + date + digits (P020240325612345678901.pdf)
_TRS_FILE = re.compile(r"/P0\d{8,}\d*\.[A-Za-z]{2,4}$")


@dataclass(frozen=True, slots=True)
class AttachmentLink:
    """A file a report page links to: absolute URL and the name the page gives it."""

    url: str
    name: str

    @property
    def suffix(self) -> str:
        """The file type as the URL says it ('.pdf', '.doc', ...), '' when the URL does not say."""
        return attachment_suffix(self.url) or ""


def attachment_suffix(url: str) -> str | None:
    """The attachment extension of `url` — from its path, else from a file-carrying query value."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    suffix = _suffix_of(parts.path)
    if suffix:
        return suffix
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _FILE_PARAMS or value.lower().endswith(ATTACHMENT_SUFFIXES):
            suffix = _suffix_of(urlsplit(value).path if "/" in value else value)
            if suffix:
                return suffix
    return None


def _suffix_of(path: str) -> str | None:
    lowered = path.lower().rstrip("/")
    for suffix in ATTACHMENT_SUFFIXES:
        if lowered.endswith(suffix):
            return suffix
    return None


def content_roots(root: etree._Element, custom_css: str | None = None) -> list[etree._Element]:
    """A report page's content containers (the site's own CSS selector, else the parser's
    containers, else <article>), or the whole page: where its attachment links are looked for."""
    if custom_css:
        found = elements(root.xpath(HTMLTranslator().css_to_xpath(custom_css)))
        if found:
            return found
    for candidates in content_matches(root):
        if candidates:
            return list(candidates)
    return list(root.iter("article")) or [root]


def find_attachment_links(source: str | Sequence[etree._Element], base_url: str) -> list[AttachmentLink]:
    """Every attachment file the HTML links to, absolute and deduplicated, in document order.

    `source` is the page's HTML, or elements of a page already parsed (the report's content
    containers: the crawler has the tree, parsing it again would double its cost); the whole page
    works too (navigation rarely links PDFs). Names come from the link text, else its title, else
    the file name.
    """
    if isinstance(source, str):
        if not source.strip():
            return []
        try:
            roots: Sequence[etree._Element] = [lxml.html.fromstring(source)]
        except (etree.ParserError, ValueError):
            return []
    else:
        roots = source
    if not roots:
        return []
    base = _document_base(roots[0].getroottree().getroot(), base_url)
    found: dict[str, AttachmentLink] = {}
    for root in roots:
        for raw_url, element in _candidate_urls(root):
            # joining with the base changes neither the file name nor the query: most links stop here
            if attachment_suffix(raw_url.strip().replace("\\", "/")) is None:
                continue
            url = _absolute(raw_url, base)
            if url is None or attachment_suffix(url) is None:
                continue
            url = _unwrap_viewer(url)
            name = _element_name(element) or _file_name(url)
            existing = found.get(url)
            if existing is None:
                found[url] = AttachmentLink(url=url, name=name)
            elif not existing.name or existing.name == _file_name(url):
                found[url] = AttachmentLink(url=url, name=name or existing.name)
    return list(found.values())


def _document_base(root: etree._Element, base_url: str) -> str:
    """Honour a `<base href>` in the page, as browsers do."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return urljoin(base_url, href)
    return base_url


# the only attributes that can carry a file URL
_URL_ATTRIBUTES = frozenset({"href", "onclick", "data-url", "data-href", "data-src", "src", "data"})


def _candidate_urls(root: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """(raw url, the element carrying it) pairs from hrefs, onclick handlers and embedded viewers.

    The carriers are found by reading each element's attribute names (the root itself included):
    3-4× cheaper than an XPath testing the seven attributes on every element.
    """
    for element in root.iter(etree.Element):
        if _URL_ATTRIBUTES.isdisjoint(element.keys()):
            continue
        tag = element.tag.lower()
        href = (element.get("href") or "").strip() if tag in ("a", "area") else ""
        if href:
            if href.lower().startswith("javascript:"):
                yield from ((url, element) for url in _quoted_urls(href))
            else:
                yield href, element
        for attribute in ("onclick", "data-url", "data-href", "data-src"):
            value = element.get(attribute)
            if value:
                yield from ((url, element) for url in _quoted_urls(value) if attribute == "onclick")
                if attribute != "onclick":
                    yield value.strip(), element
        if tag in ("iframe", "embed"):
            src = (element.get("src") or "").strip()
            if src:
                yield src, element
        elif tag == "object":
            data = (element.get("data") or "").strip()
            if data:
                yield data, element


def _element_name(element: etree._Element) -> str:
    """What the page calls the file: a link's text (or title, or image alt), another element's title."""
    if element.tag.lower() == "a":
        return _link_name(element)
    return collapse_whitespace(element.get("title") or "")


def _link_name(anchor: etree._Element) -> str:
    text = collapse_whitespace(element_text(anchor) or "")
    if not text:
        text = collapse_whitespace(anchor.get("title") or "")
    if not text:
        for image in anchor.iter("img"):
            text = collapse_whitespace(image.get("alt") or image.get("title") or "")
            if text:
                break
    return text


def _quoted_urls(script: str) -> Iterator[str]:
    """Quoted strings in a handler that could be a file URL (window.open('...'), download('...'))."""
    for match in _QUOTED.finditer(script):
        value = match.group(2).strip()
        if value and attachment_suffix(value if "/" in value or "." in value else "") is not None:
            yield value


def _absolute(raw: str, base: str) -> str | None:
    raw = raw.strip().replace("\\", "/")
    if not raw or raw.startswith("#"):
        return None
    if raw.lower().startswith(_IGNORED_SCHEMES):
        return None
    try:
        url = urljoin(base, raw)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _unwrap_viewer(url: str) -> str:
    """A pdf.js-style viewer (`viewer.html?file=/x.pdf`) stands for the file it shows."""
    parts = urlsplit(url)
    if _suffix_of(parts.path):
        return url
    if parts.path.lower().endswith("downfile.jsp"):
        return url  # Hanweb: the JSP itself serves (or redirects to) the file
    for key, value in parse_qsl(parts.query):
        if key.lower() in ("file", "fileurl", "url", "src") and _suffix_of(urlsplit(value).path):
            absolute = _absolute(value, url)
            if absolute:
                return absolute
    return url


def _file_name(url: str) -> str:
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() in _FILE_PARAMS and _suffix_of(value):
            return value.rsplit("/", 1)[-1]
    return parts.path.rsplit("/", 1)[-1]


def is_trs_attachment(url: str) -> bool:
    """TRS WCM names uploaded files P0<date><digits>.<ext>; such a link is always a file."""
    return bool(_TRS_FILE.search(urlsplit(url).path))


# --- one report from a page and its attachments ----------------------------------------------

# a page whose own text is shorter than this (and has no table) only points at its attachment
STUB_PAGE_MAX_CHARS = 300
# fields the detail page knows better than an attached file (its 信息公开 label table, meta tags)
_PAGE_METADATA_FIELDS = ("agency", "publish_date", "index_no", "publisher", "doc_no", "topic")


@dataclass(frozen=True, slots=True)
class MergedReport:
    """The one report a page and its attachments make, and the attachments as the item lists them."""

    report: ParsedReport
    attachments: list[dict[str, Any]]
    source: str  # "page", or the URL of the attachment whose data were used


def count_table_values(tables: Mapping[str, Any]) -> int:
    """How many numbers the mapped tables hold: the measure of which source is richer."""
    count = 0
    stack: list[Any] = [tables]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            count += 1
    return count


def _richness(report: ParsedReport) -> tuple[int, int, int, int]:
    tables = getattr(report, "tables", None) or {}
    figures = getattr(report, "figures", None) or {}
    return (
        count_table_values(tables),
        len(tables),
        len(figures),
        len(getattr(report, "text", "") or ""),
    )


def is_stub_page(page: ParsedReport, links: Sequence[AttachmentLink | Mapping[str, Any]] = ()) -> bool:
    """True when the page holds little more than the link to its attachment."""
    if getattr(page, "tables", None):
        return False
    text = getattr(page, "text", "") or ""
    for link in links:
        name = link.name if isinstance(link, AttachmentLink) else str(link.get("name") or "")
        if name:
            text = text.replace(name, "")
    return len(re.sub(r"\s+", "", text)) < STUB_PAGE_MAX_CHARS


def _is_report_content(report: ParsedReport, page: ParsedReport) -> bool:
    """An attachment that is the report (tables, prose figures, or the same year with body text)."""
    if getattr(report, "tables", None) or getattr(report, "figures", None):
        return True
    year = getattr(report, "report_year", None)
    text = getattr(report, "text", "") or ""
    return bool(year) and year == getattr(page, "report_year", None) and len(text) >= STUB_PAGE_MAX_CHARS


def attachment_record(link: AttachmentLink | Mapping[str, Any], report: ParsedReport | None) -> dict[str, Any]:
    """`{url, name, media_type, sha256, parsed}` as the item's `attachments` lists it."""
    if isinstance(link, AttachmentLink):
        url, name, media_type, body, digest = link.url, link.name, None, None, None
    else:
        url = str(link.get("url") or "")
        name = str(link.get("name") or "")
        media_type = link.get("media_type")
        body = link.get("body")
        digest = link.get("sha256")
    if digest is None and isinstance(body, (bytes, bytearray)):
        digest = hashlib.sha256(body).hexdigest()
    if report is not None and getattr(report, "media_type", None):
        media_type = report.media_type
    parsed = report is not None and bool(
        getattr(report, "text", "") or getattr(report, "tables", None)
    )
    return {"url": url, "name": name, "media_type": media_type, "sha256": digest, "parsed": parsed}


def merge_page_and_attachments(
    page: ParsedReport, attachments: Sequence[tuple[AttachmentLink | Mapping[str, Any], ParsedReport | None]]
) -> MergedReport:
    """One report from a detail page and its parsed attachments: one report, one item.

    * The page only links to the file: the file's data (text, sections, tables, figures, format)
      are the report; the page keeps its URL and what it knows best (its metadata, its title).
    * The page has the text AND attaches the same report: the richer source wins — more table
      values, then more tables, figures, text — the page on a tie; the other is named in warnings.
    * Attachments that are not the report (a form, an unrelated sheet) are only listed.
    """
    records = [attachment_record(link, report) for link, report in attachments]
    links = [link for link, _ in attachments]
    candidates = [
        (index, report)
        for index, (_, report) in enumerate(attachments)
        if report is not None and _is_report_content(report, page)
    ]
    stub = is_stub_page(page, links)
    warnings = list(getattr(page, "warnings", []) or [])

    if not candidates:
        if stub and attachments:
            reasons = sorted(
                {warning for _, report in attachments if report is not None for warning in report.warnings}
            )
            names = ", ".join(record["name"] or record["url"] for record in records)
            detail = f" ({'; '.join(reasons)})" if reasons else ""
            warnings.append(f"attachment: the report is only in {names}, which yielded no report data{detail}")
            return MergedReport(dataclasses.replace(page, warnings=warnings), records, "page")
        return MergedReport(page, records, "page")

    best_index, best = max(candidates, key=lambda candidate: _richness(candidate[1]))
    best_record = records[best_index]
    label = best_record["name"] or best_record["url"]
    if not stub and _richness(page) >= _richness(best):
        warnings.append(
            f"attachment: {label} holds the same report; the page was used "
            f"({count_table_values(page.tables)} table values vs {count_table_values(best.tables)})"
        )
        return MergedReport(dataclasses.replace(page, warnings=warnings), records, "page")

    if stub:
        warnings.append(f"attachment: report body taken from {label} (the page only links to it)")
    else:
        warnings.append(
            f"attachment: report body taken from {label}, richer than the page "
            f"({count_table_values(best.tables)} table values vs {count_table_values(page.tables)})"
        )
    warnings.extend(f"{label}: {warning}" for warning in best.warnings)
    changes: dict[str, Any] = {"warnings": warnings}
    if getattr(page, "title", ""):
        changes["title"] = page.title
    for name in _PAGE_METADATA_FIELDS:
        value = getattr(page, name, None)
        if value:
            changes[name] = value
    if getattr(best, "report_year", None) is None and getattr(page, "report_year", None) is not None:
        changes["report_year"] = page.report_year
    if getattr(best, "format", "unknown") == "unknown" and getattr(page, "format", "unknown") != "unknown":
        changes["format"] = page.format
    for name in ("site_meta", "meta"):
        if hasattr(best, name) and getattr(page, name, None):
            changes[name] = {**getattr(best, name), **getattr(page, name)}
    return MergedReport(dataclasses.replace(best, **changes), records, best_record["url"])
