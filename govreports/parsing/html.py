"""A report detail page (HTML text) → `Document`: the report body in reading order plus meta.

What the page says about itself comes from, in this order of trust: the mandated meta tags
(ArticleTitle, PubDate, ContentSource, SiteName, SiteIDCode, ColumnName; unfilled template
placeholders ignored), fields set in scripts (`var title='…'`), the 信息公开 label block (a 2- or
4-column table, a gov.cn "标　　题：" list, "来源:… 发布日期:…" lines) and `<h1>`/`<title>`.

The body is the CMS content container when the page has a known one (#UCAP-CONTENT, #zoom,
.TRS_Editor …), else the element a text-density score picks. Inside it, chrome elements (share,
print, breadcrumbs, pagers, QR codes) and chrome lines (hit counters, 上一篇/下一篇, footers) are
dropped. Each block-level element or `<br>` line becomes a `Paragraph`; each data `<table>`
becomes a `Grid` (TABLES' `html_table_to_grid`); layout tables that merely wrap the article are
walked through, and a label table inside the body feeds the meta instead.

Markup is parsed with libxml2's XML_PARSE_HUGE (depth limit 2048, not 256) and walked without
recursion. A page nested deeper still (thousands of unclosed Word <font> tags) is parsed again
without its inline formatting tags, with a warning; whatever is lost anyway is said to be lost.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Iterator
from itertools import repeat

from lxml import etree

from govreports.parsing.grid import html_table_to_grid
from govreports.parsing.metadata import (
    META_NAMES,
    is_chrome_line,
    is_placeholder,
    leads_with_label,
    read_label_lines,
)
from govreports.parsing.models import Block, Document, Paragraph
from govreports.parsing.text import collapse_whitespace, normalize_label
from govreports.parsing.tree import drop_tree, element_text, elements, strings

# known content containers, most specific first (docs/research/portal-patterns.md §4.3): (attribute, values);
# an id must equal one of the values, a class must hold one of them as a word
CONTENT_CONTAINERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("id", frozenset({"UCAP-CONTENT"})),
    ("id", frozenset({"zoom", "Zoom", "ZOOM"})),
    ("id", frozenset({"zoomcon"})),
    ("class", frozenset({"TRS_Editor"})),
    ("class", frozenset({"TRS_UEDITOR"})),
    ("class", frozenset({"trs_editor_view"})),
    ("class", frozenset({"Custom_UnionStyle"})),
    ("id", frozenset({"ivs_content"})),
    ("id", frozenset({"webeditorview"})),
    ("class", frozenset({"webeditorview"})),
    ("class", frozenset({"article-content"})),
    ("class", frozenset({"article-content-body"})),
    ("class", frozenset({"wzzw-article"})),
    ("class", frozenset({"show-content"})),
    ("class", frozenset({"xxgk_content"})),
    ("class", frozenset({"zw-content"})),
    ("class", frozenset({"detail-content"})),
)
MIN_CONTAINER_CHARS = 40


def _containers_by(attribute: str) -> dict[str, tuple[int, ...]]:
    """attribute value → the indexes in CONTENT_CONTAINERS it matches."""
    index: dict[str, tuple[int, ...]] = {}
    for position, (kind, names) in enumerate(CONTENT_CONTAINERS):
        if kind == attribute:
            for name in names:
                index[name] = (*index.get(name, ()), position)
    return index


_CONTAINERS_BY_ID = _containers_by("id")
_CONTAINERS_BY_CLASS = _containers_by("class")
_CLASS_WORDS = frozenset(_CONTAINERS_BY_CLASS)
_CLASS_WORD_LIST = tuple(sorted(_CLASS_WORDS))
# every id and class attribute of the document, gathered in C (each value knows its element);
# the same nodes as "//@id", whose descendant-or-self::node() step also visits every text node
_ALL_IDS = etree.XPath("/descendant::*/@id")
_ALL_CLASSES = etree.XPath("/descendant::*/@class")

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
              "input", "select", "option", "button", "textarea", "map", "audio", "video")
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "ul", "ol", "li", "dl", "dt",
     "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "address", "center", "form", "fieldset",
     "figure", "figcaption", "hr", "tr", "td", "th", "tbody", "thead", "tfoot", "caption", "table", "br", "body",
     "html"}
)
# class/id words of page chrome inside or around the article
_CHROME_WORDS = frozenset(
    {"share", "bdshare", "print", "close", "crumb", "crumbs", "breadcrumb", "breadcrumbs", "position", "location",
     "weizhi", "dqwz", "footer", "foot", "copyright", "pagebar", "pager", "prev", "next", "qrcode", "ewm", "erweima",
     "xgwz", "xglj", "related", "nav", "navbar", "menu", "toolbar", "fontsize", "zihao",
     "sidebar", "topbar", "header", "banner", "search", "login", "wza", "slb"}
)
_CHROME_PREFIXES = ("bdshare", "share", "print", "crumb", "breadcrumb", "footer", "qrcode", "copyright", "pagebar")
_CHROME_SPLIT = re.compile(r"[-_\s]+")
# `\bvar\s+(title|…)\s*=\s*(['"])(.*?)\2` case-insensitively, written to open with a character set
# ("v" folds to nothing but v/V) so that the regex engine skips ahead to the next v/V instead of
# trying every position of a long script
_JS_FIELD = re.compile(
    r"""[vV](?<!\w[vV])(?i:ar\s+(title|docTitle|articleTitle|pubDate|pubdate|publishDate|pubTime|source|docSource)"""
    r"""\s*=\s*)(['"])(.*?)\2"""
)
# commented-out script lines (`// var pubDate = '…'`, `/* var title = '…' */`): old values, never read;
# `/\*.*?\*/|(?<![:\\'"])//[^\n]*` with the shared "/" taken first, for the same skipping ahead
JS_COMMENT = re.compile(r"""/(?:\*.*?\*/|(?<![:\\'"]/)/[^\n]*)""", re.DOTALL)
_JS_KEYS = {"title": "js.title", "doctitle": "js.title", "articletitle": "js.title", "pubdate": "js.pubDate",
            "publishdate": "js.pubDate", "pubtime": "js.pubDate", "source": "js.source", "docsource": "js.source"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_BREAK_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")
_WHITESPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# libxml2's depth limit under XML_PARSE_HUGE; deeper markup ends the parse
MAX_NESTING = 2048
# inline formatting tags that Word-exported pages leave unclosed (removed only when too deep)
_INLINE_TAGS = re.compile(
    r"</?(?:font|span|b|i|u|s|em|strong|small|big|strike|sub|sup|ins|del|o:p|st1:[\w-]+)\b[^<>]*>", re.IGNORECASE
)
_MARKUP_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_MARKUP_TAG = re.compile(r"<[^<>]*>")
# the tree may hold less text than the markup by this much before a warning says content was lost
LOST_TEXT_RATIO = 0.5
LOST_TEXT_MIN_CHARS = 200
_LABEL_TABLE_WORDS = ("索引号", "主题分类", "发布机构", "发文机关", "发文日期", "成文日期", "发布日期", "文号", "发文字号",
                      "体裁分类")


def _clean_text(raw: str, join_cjk: bool = True) -> str:
    """Source line breaks between CJK characters vanish (as browsers render them); other
    whitespace runs, nbsp and U+3000 padding become one space."""
    if join_cjk and "\n" in raw:  # the break pattern needs a line feed
        raw = _BREAK_BETWEEN_CJK.sub("", raw)
    return collapse_whitespace(raw)


def _text_of(element: etree._Element) -> str:
    return _clean_text(element_text(element))


def _tag(element: etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


_CHROME_TAGS = frozenset({"nav", "footer", "header"})


def _is_chrome_element(element: etree._Element) -> bool:
    if _tag(element) in _CHROME_TAGS:
        return True
    words = " ".join(filter(None, (element.get("class"), element.get("id")))).lower()
    if not words:
        return False
    for part in _CHROME_SPLIT.split(words):
        if part in _CHROME_WORDS or part.startswith(_CHROME_PREFIXES):
            return True
    return False


# what may be chrome below an element, in document order: elements with a class or an id (each
# attribute value knows its element) and the chrome tags
_CHROME_CANDIDATES = etree.XPath("descendant::*/@class | descendant::*/@id | "
                                 + " | ".join(f"descendant::{tag}" for tag in sorted(_CHROME_TAGS)))


def _drop_chrome(scope: etree._Element) -> None:
    """Remove chrome elements below `scope` (not `scope` itself).

    The candidates are gathered by one XPath (in C: reading two attributes of every element from
    Python cost more than the whole rest of this); an element with both a class and an id comes
    twice in a row and is looked at once.
    """
    found = _CHROME_CANDIDATES(scope)
    candidates: list[etree._Element] = []
    for node in found if isinstance(found, list) else ():
        if isinstance(node, etree._Element):
            element = node
        elif isinstance(node, str):
            element = _attribute_owner(node)
        else:
            continue
        if not candidates or element is not candidates[-1]:
            candidates.append(element)
    for element in candidates:
        if _is_chrome_element(element) and element.getparent() is not None:
            drop_tree(element)


def _parse_once(html: str | bytes) -> tuple[etree._Element | None, bool]:
    """(root, whether libxml2 stopped at its depth limit and lost the rest of the page); bytes are UTF-8."""
    # plain libxml2 elements (lxml.html's element classes cost a Python lookup per element touched);
    # XML_PARSE_HUGE: depth limit 256 → 2048
    parser = etree.HTMLParser(huge_tree=True, encoding="utf-8" if isinstance(html, bytes) else None)
    try:
        root = etree.fromstring(html, parser)
    except (etree.ParserError, ValueError):
        return None, False
    if root is None:
        return None, False
    too_deep = any("Excessive depth" in error.message for error in parser.error_log)
    return root, too_deep


def _parse(html: str, utf8: bytes | None = None) -> tuple[etree._Element | None, list[str]]:
    """The page's tree, and warnings when markup nested too deep had to be flattened or was lost.

    Word-exported pages leave <font>/<span> tags unclosed, so a table can sit hundreds of levels
    deep; libxml2 stops at MAX_NESTING and silently drops the rest of the page. Those inline tags
    carry nothing we read, so when the limit is hit they are removed and the page parsed again.
    """
    declaration = _XML_DECLARATION.match(html)
    if declaration:
        html, utf8 = html[declaration.end():], None
    if not html.strip():
        return None, []
    root, too_deep = _parse_once(html if utf8 is None else utf8)
    if not too_deep:
        return root, []
    flattened, removed = _INLINE_TAGS.subn("", html)
    root, still_too_deep = _parse_once(flattened)
    if not still_too_deep:
        return root, [(f"html: markup nested deeper than {MAX_NESTING} elements; {removed} inline formatting "
                      "tags (unclosed <font>/<span> …) removed to read the page")]
    return root, [(f"html: markup nested deeper than {MAX_NESTING} elements even without inline tags; "
                  "the page text past that depth was lost")]


def _text_chars(text: str) -> int:
    """Characters that are not _WHITESPACE: str.split() drops what isspace() (\\s, nbsp, U+3000),
    the two zero-width characters are counted out (joining in C beats a regex substitution)."""
    return len("".join(text.split())) - text.count("\u200b") - text.count("\ufeff")


def _text_lost(raw_chars: int, parsed_chars: int) -> bool:
    return raw_chars - parsed_chars > LOST_TEXT_MIN_CHARS and parsed_chars < LOST_TEXT_RATIO * raw_chars


# ASCII whitespace, deleted before the tags are cut out (it counts for nothing either way)
_ASCII_SPACE = b" \t\n\r\x0b\x0c"


def _text_chars_bound(markup: bytes) -> int:
    """At least `_text_chars(_MARKUP_TAG.sub("", markup))`, cut in C with few Python objects.

    Each "<" starts a tag when a ">" comes before the next "<", so splitting at "<" and cutting
    each piece at its first ">" removes what the pattern matches; the cost is one piece per "<".
    Runs of adjacent tags ("</span></p></td>") are merged first, leaving about one piece per text
    run: whitespace is deleted (it is not counted, and tags are decided by the brackets alone),
    then each "><" becomes two characters that are neither brackets nor whitespace. Where both
    brackets closed and opened a tag, the two tags become one, removed as before; otherwise the two
    characters are text where at least as much was before, so the count never shrinks. Bytes:
    "<" and ">" are single bytes in UTF-8, so the cuts fall between characters.
    """
    packed = markup.translate(None, _ASCII_SPACE).replace(b"><", b"\x01\x01")
    first, *rest = packed.split(b"<")
    text = first + b"".join([tail if sep else b"<" + head
                             for head, sep, tail in map(bytes.partition, rest, repeat(b">"))])
    return _text_chars(text.decode("utf-8", "surrogatepass"))


def _lost_text_warning(html: str, root: etree._Element, utf8: bytes | None = None) -> str | None:
    """A warning when the tree holds much less text than the markup (a parser gave up silently);
    `utf8`: `html` in UTF-8 when the caller has it."""
    parsed_chars = _text_chars(element_text(root))
    # an upper bound first: removing comments and decoding entities can only shorten the text
    markup = utf8 if utf8 is not None else html.encode("utf-8", "surrogatepass")
    if not _text_lost(_text_chars_bound(markup), parsed_chars):
        return None
    raw_chars = _text_chars(html_module.unescape(_MARKUP_TAG.sub("", _MARKUP_COMMENT.sub("", html))))
    if _text_lost(raw_chars, parsed_chars):
        return (f"html: the parsed page holds only {parsed_chars} of the {raw_chars} text characters in its "
                "markup (broken or too deeply nested markup); content was lost")
    return None


# ---------------------------------------------------------------- meta


def _read_head(root: etree._Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    canonical = {name.lower(): name for name in META_NAMES}
    for element in root.iter("meta"):
        name = (element.get("name") or element.get("property") or "").strip().lower()
        key = canonical.get(name)
        content = element.get("content")
        if key and key not in meta and not is_placeholder(content):
            meta[key] = _clean_text(content or "")
    for script in root.iter("script"):
        for match in _JS_FIELD.finditer(JS_COMMENT.sub("", script.text or "")):
            key = _JS_KEYS[match.group(1).lower()]
            if key not in meta and not is_placeholder(match.group(3)):
                meta[key] = _clean_text(match.group(3))
    title = root.find(".//title")
    title_text = _text_of(title) if title is not None else ""
    if title_text:
        meta["html.title"] = title_text
    for heading in root.iter("h1"):
        text = _text_of(heading)
        if text:
            meta["h1"] = text
            break
    return meta


# ---------------------------------------------------------------- container


def content_matches(root: etree._Element) -> list[list[etree._Element]]:
    """For each of CONTENT_CONTAINERS, the elements of the page it matches, in document order.

    Two XPaths gather the document's id and class attributes (in C; visiting each element from
    Python cost more than all the rest of choosing the container), and only the values are looked
    up here; each container kind is of one attribute, so each list stays in document order.
    """
    matches: list[list[etree._Element]] = [[] for _ in CONTENT_CONTAINERS]
    by_id, by_class = _CONTAINERS_BY_ID, _CONTAINERS_BY_CLASS
    for value in strings(_ALL_IDS(root)):
        if value in by_id:
            element = _attribute_owner(value)
            for index in by_id[value]:
                matches[index].append(element)
    class_words = _CLASS_WORDS
    values = strings(_ALL_CLASSES(root))
    # a class holding a container word holds it as a substring, so only the words found in all the
    # classes joined (one search each, in C) are looked for in each class, before any is split
    joined = " ".join(values)
    present = [word for word in _CLASS_WORD_LIST if word in joined]
    for value in values if present else ():
        for word in present:
            if word in value:
                break
        else:
            continue
        words = value.split()
        if class_words.isdisjoint(words):
            continue
        found = {index for word in words for index in by_class.get(word, ())}
        if found:
            element = _attribute_owner(value)
            for index in found:
                matches[index].append(element)
    return matches


def _attribute_owner(value: str) -> etree._Element:
    """The element an attribute value from an XPath belongs to (lxml's "smart string")."""
    owner: etree._Element = value.getparent()  # type: ignore[attr-defined]
    return owner


def _container_by_selector(root: etree._Element) -> etree._Element | None:
    """The longest element with text of the first container kind (CONTENT_CONTAINERS order) that has one."""
    for candidates in content_matches(root):
        if len(candidates) == 1:  # the usual page: no lengths to compare, only whether it holds text
            if _holds_text(candidates[0]):
                return candidates[0]
            continue
        found = [(len(_text_of(element)), element) for element in candidates]
        found = [(length, element) for length, element in found if length >= MIN_CONTAINER_CHARS]
        if found:
            return max(found, key=lambda pair: pair[0])[1]
    return None


def _holds_text(element: etree._Element) -> bool:
    """len(_text_of(element)) >= MIN_CONTAINER_CHARS, without cleaning a long text: cleaning only
    shortens it, and never drops what is not whitespace."""
    raw = element_text(element)
    if len(raw) < MIN_CONTAINER_CHARS:
        return False
    return _text_chars(raw) >= MIN_CONTAINER_CHARS or len(_clean_text(raw)) >= MIN_CONTAINER_CHARS


def _own_text_length(element: etree._Element) -> int:
    parts = [element.text or ""] + [child.tail or "" for child in element if _tag(child) in {"", "br"} or
                                    _tag(child) not in _BLOCK_TAGS]
    inline = "".join(parts) + "".join(
        element_text(child) for child in element if _tag(child) and _tag(child) not in _BLOCK_TAGS)
    return len(_WHITESPACE.sub("", inline))


def _link_density(element: etree._Element) -> float:
    total = len(_WHITESPACE.sub("", element_text(element))) or 1
    links = sum(len(_WHITESPACE.sub("", element_text(a))) for a in element.iter("a"))
    return links / total


def _container_by_density(root: etree._Element) -> etree._Element | None:
    """Readability-style: text blocks credit their parent fully and grandparent by half."""
    scores: dict[etree._Element, float] = {}
    for element in root.iter("p", "td", "pre", "li", "div", "span", "font", "section", "article", "dd"):
        own = _own_text_length(element)
        if own < 20:
            continue
        parent = element.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + own
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + own / 2
    if not scores:
        return None
    # link density needs the element's whole text: only the few best raw scores pay for it
    finalists = sorted(scores, key=scores.__getitem__, reverse=True)[:12]
    best = max(finalists, key=lambda element: scores[element] * (1 - _link_density(element)))
    return best if _tag(best) not in {"html"} else None


# ---------------------------------------------------------------- blocks


_LONG_ROWS = etree.XPath("descendant::tr[string-length() > 200]")


def is_layout_table(table: etree._Element) -> bool:
    """A table that wraps the article (one cell, nested tables, or one cell holding most text)."""
    if any(True for _ in table.iterdescendants("table")):
        return True
    # no nested table: every cell of every row below belongs to this table
    cells = (cell for row in table.iter("tr") for cell in row if cell.tag in ("td", "th"))
    if next(cells, None) is None or next(cells, None) is None:  # at most one cell (two looked at, not all listed)
        return True
    # whitespace only shortens a cell: none can hold most of the text when none is over 200
    # characters, and a row's text is at least as long as any of its cells'; the table's text holds
    # every row's, so one serialisation answers for the usual small table, and one XPath (libxml2's
    # string value is the text `element_text` serialises) finds the rows over 200, the only ones a
    # cell over 200 can sit in (a Word-pasted report table has hundreds of short cells)
    if len(element_text(table)) <= 200:
        return False
    texts = [element_text(cell) for row in elements(_LONG_ROWS(table)) for cell in row if cell.tag in ("td", "th")]
    if not texts or max(map(len, texts)) <= 200:
        return False
    total = len(_WHITESPACE.sub("", element_text(table)))
    longest = max(len(_WHITESPACE.sub("", text)) for text in texts)
    return longest > 200 and longest > 0.6 * total


def is_label_table(table: etree._Element) -> bool:
    """The 信息公开 metadata table (索引号, 发布机构 …) rather than report data."""
    text = normalize_label(element_text(table))
    return sum(word in text for word in _LABEL_TABLE_WORDS) >= 2 and len(text) < 600


def _table_to_grid(table: etree._Element, warnings: list[str]) -> Block | list[Paragraph]:
    try:
        return html_table_to_grid(table, warnings)
    except Exception as error:  # a broken table must not lose the report: keep it as text rows
        warnings.append(f"html: table could not be read as a grid ({type(error).__name__}: {error})")
    rows = []
    for row in table.iter("tr"):
        cells = [_text_of(cell) for cell in row if _tag(cell) in {"td", "th"}]
        if any(cells):
            rows.append(Paragraph(" | ".join(cells)))
    return rows


class _Linearizer:
    """Walks a subtree emitting Paragraph lines and Grids in reading order."""

    def __init__(self, skip: set[etree._Element] | None = None, tables_as_text: bool = False,
                 lines_after_skip: int | None = None) -> None:
        # outside the body and in label tables, inline elements are separate fields
        # ("<span>来源：办公室</span><span>时间：…</span>"), so they are kept apart by a space
        self.inline_separator = " " if tables_as_text else ""
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.skip = skip or set()
        self.tables_as_text = tables_as_text
        self.label_lines: list[str] = []
        self.warnings: list[str] = []
        self.skipped_at: int | None = None
        # stop once this many lines followed the skipped element (what comes later is not read)
        self.lines_after_skip = lines_after_skip

    def flush(self) -> None:
        if not self.buffer:  # most block boundaries come with nothing pending
            return
        raw = "".join(self.buffer)
        self.buffer.clear()
        if raw.isspace():  # indentation between tags: cleaning would leave nothing
            return
        text = _clean_text(raw, join_cjk=not self.inline_separator)
        if text:
            self.blocks.append(Paragraph(text))

    def walk(self, root: etree._Element) -> None:
        """Depth-first in reading order, without recursion (markup may nest 2048 deep): a stack of
        lxml's child iterators, which hand out elements in C about twice as fast as `etree.iterwalk`
        hands out its (event, element) pairs; a childless element opens and closes in one step. A
        subtree holding processing instructions (`<?xml:namespace …?>` in Word exports) or
        comments, whose tails are text too, is walked node by node instead."""
        if next(root.iter(etree.PI, etree.Comment, etree.Entity), None) is not None:
            self._walk_nodes(root)
            return
        buffer, separator, skip, flush, blocks = self.buffer, self.inline_separator, self.skip, self.flush, self.blocks
        tables_as_text, lines_after_skip = self.tables_as_text, self.lines_after_skip
        if not self._enter(root):  # skipped, or a data table: nothing below it is read
            return
        stack: list[tuple[etree._Element, Iterator[etree._Element], bool]] = [
            (root, iter(root), root.tag in _BLOCK_TAGS)]
        while stack:
            parent, children, parent_is_block = stack[-1]
            for element in children:  # the "start" of each child
                tag = element.tag
                if skip and element in skip:
                    flush()
                    self.skipped_at = len(blocks)
                elif tag == "table" and not tables_as_text and not is_layout_table(element):
                    self._table(element)
                else:
                    is_block = tag in _BLOCK_TAGS
                    if is_block and buffer:
                        flush()
                    text = element.text
                    if text:
                        buffer.append(text)
                    if len(element):
                        stack.append((element, iter(element), is_block))
                        break
                    if is_block:  # a childless element ends right away
                        if buffer:
                            flush()
                        if (self.skipped_at is not None and lines_after_skip is not None
                                and len(blocks) >= self.skipped_at + lines_after_skip):
                            return
                if separator:  # what follows the child inside its parent
                    buffer.append(separator)
                tail = element.tail
                if tail:
                    buffer.append(tail)
            else:  # the parent's children are done: its "end"
                stack.pop()
                if parent_is_block:
                    if buffer:
                        flush()
                    if (self.skipped_at is not None and lines_after_skip is not None
                            and len(blocks) >= self.skipped_at + lines_after_skip):
                        return
                if parent is not root:
                    if separator:
                        buffer.append(separator)
                    tail = parent.tail
                    if tail:
                        buffer.append(tail)

    def _walk_nodes(self, root: etree._Element) -> None:
        """`walk` over every node, comments and processing instructions included, with an explicit stack."""
        stack: list[tuple[bool, etree._Element]] = [(False, root)]  # (leaving, element)
        buffer = self.buffer
        while stack:
            leaving, element = stack.pop()
            if leaving:
                if element.tag in _BLOCK_TAGS:
                    self.flush()
                    if (self.skipped_at is not None and self.lines_after_skip is not None
                            and len(self.blocks) >= self.skipped_at + self.lines_after_skip):
                        return
            else:
                if self._enter(element):
                    stack.append((True, element))
                    stack.extend((False, child) for child in reversed(element))
                    continue
            if element is not root:  # what follows a child inside its parent
                if self.inline_separator:
                    buffer.append(self.inline_separator)
                tail = element.tail
                if tail:
                    buffer.append(tail)

    def _enter(self, element: etree._Element) -> bool:
        """Emit what an element opens with; True when its children are to be walked."""
        if self.skip and element in self.skip:
            self.flush()
            self.skipped_at = len(self.blocks)
            return False
        tag = element.tag
        if not isinstance(tag, str):  # comments, processing instructions
            return False
        if tag == "table" and not self.tables_as_text and not is_layout_table(element):
            self._table(element)
            return False
        if tag in _BLOCK_TAGS:
            self.flush()
        if element.text:
            self.buffer.append(element.text)
        return True

    def _table(self, table: etree._Element) -> None:
        """A data table: its Grid, or the lines of a label table."""
        self.flush()
        if is_label_table(table):
            inner = _Linearizer(tables_as_text=True)
            inner.walk(table)
            inner.flush()
            self.label_lines.extend(block.text for block in inner.blocks if isinstance(block, Paragraph))
        else:
            converted = _table_to_grid(table, self.warnings)
            if isinstance(converted, list):
                self.blocks.extend(converted)
            else:
                self.blocks.append(converted)


# label blocks sit above the article, sometimes just below it; farther down are lists of other
# documents whose "发布日期：…" lines must not be taken for this report's
LINES_AFTER_CONTAINER = 10


def _lines_outside(body: etree._Element, container: etree._Element | None) -> list[str]:
    walker = _Linearizer(skip={container} if container is not None else set(), tables_as_text=True,
                         lines_after_skip=LINES_AFTER_CONTAINER)
    walker.walk(body)
    walker.flush()
    lines = [block.text if isinstance(block, Paragraph) else "" for block in walker.blocks]
    if walker.skipped_at is None:
        return lines
    return lines[: walker.skipped_at + LINES_AFTER_CONTAINER]


def html_to_document(html: str, url: str, *, utf8: bytes | None = None) -> Document:
    """Meta and body blocks of one detail page; never raises on bad markup.

    `utf8`: the page's bytes when they are exactly `html` in UTF-8 (decode.DecodedText.utf8_exact);
    the tree is the same, and libxml2 parses bytes faster than it re-encodes a str.
    """
    root, warnings = _parse(html, utf8)
    if root is None:
        return Document(blocks=(), meta={}, warnings=("html: empty or unparseable page",))
    if not warnings:
        lost = _lost_text_warning(html, root, utf8)
        if lost:
            warnings.append(lost)
    meta = _read_head(root)
    for element in list(root.iter(*_DROP_TAGS)):
        drop_tree(element)
    for comment in list(root.iter(etree.Comment)):
        drop_tree(comment)
    body = root.find("body")
    if body is None:
        body = root

    container = _container_by_selector(body)
    if container is None:
        _drop_chrome(body)
        container = _container_by_density(body)
        if container is None:
            warnings.append("html: no content container found; using the whole page")
            container = body
        else:
            warnings.append("html: content container chosen by text density")

    # the label block, "来源/发布日期" lines and breadcrumbs live outside the container
    outside = _lines_outside(body, container) if container is not body else []
    label_meta, _ = read_label_lines(outside)

    _drop_chrome(container)
    walker = _Linearizer()
    walker.walk(container)
    walker.flush()
    warnings.extend(walker.warnings)

    inner_meta, _ = read_label_lines(walker.label_lines)
    blocks: list[Block] = []
    leading = True
    dropped = 0
    paragraphs_seen: list[str] = []
    pending_labels: list[str] = []
    for block in walker.blocks:
        if isinstance(block, Paragraph):
            if is_chrome_line(block.text):
                dropped += 1
                continue
            if leading and len(paragraphs_seen) < 8 and leads_with_label(block.text):
                pending_labels.append(block.text)
                continue
            paragraphs_seen.append(block.text)
        else:
            leading = False
        blocks.append(block)
    leading_meta, _ = read_label_lines(pending_labels)

    for source in (label_meta, inner_meta, leading_meta):
        for key, value in source.items():
            meta.setdefault(key, value)
    if dropped:
        meta["chrome_lines_dropped"] = str(dropped)
    if not blocks:
        warnings.append("html: no body text found")
    return Document(blocks=tuple(blocks), meta=meta, warnings=tuple(warnings))


def iter_paragraph_texts(document: Document) -> Iterator[str]:
    """The paragraph lines of a document (tables left out)."""
    return (block.text for block in document.blocks if isinstance(block, Paragraph))
