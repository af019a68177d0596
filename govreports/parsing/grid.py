"""HTML ``<table>`` → `Grid`: rowspan/colspan expanded, cell text cleaned.

Merged cells repeat their text in every cell they cover, so a row can be read on its own (the
mapper in `tables.py` relies on that). Hostile spans (colspan=100000) are clamped with a warning
instead of allocating a huge matrix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import repeat

import lxml.html
from lxml import etree

from govreports.parsing.models import Grid
from govreports.parsing.text import collapse_whitespace
from govreports.parsing.tree import elements

MAX_COLUMNS = 1000
MAX_ROWS = 5000
MAX_CELLS = 500_000
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "table", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
     "section", "article", "blockquote", "pre", "dd", "dt", "hr", "caption", "thead", "tbody", "tfoot"}
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
# formatting that adds no break: a cell holding only these (below one level of blocks) is read
# without the walk
_INLINE_TAGS = frozenset(
    {"span", "font", "b", "strong", "i", "em", "u", "a", "s", "strike", "small", "big", "sub", "sup", "ins", "del",
     "label", "abbr", "code", "o:p"}
)
_DIGITS = re.compile(r"\d+")


def _span(value: str | None) -> int:
    """A rowspan/colspan attribute as published ("2", " 3 ", "２", "2;", junk) → int ≥ 0."""
    if not value:
        return 1
    if value.isascii() and value.isdigit():
        return int(value) if len(value) <= 9 else 10**9
    match = _DIGITS.search(unicodedata.normalize("NFKC", value))
    if match is None:
        return 1
    digits = match.group(0)
    return int(digits) if len(digits) <= 9 else 10**9


def cell_text(cell: etree._Element) -> str:
    """A cell's text: <br>/<p> become spaces, nbsp/U+3000 collapse, nested tables flatten.

    The common published cell (text in a <p> or <div>, inside one or two levels of <span>/<font>/<o:p>
    or around a <br>) is read here from the few nodes it has (lxml's text and tail reads are cheap, a walker's bookkeeping
    is not); anything else is walked node by node. A block's padding spaces only matter next to
    other text: with none around, the one text is cleaned as it is, with no string built.
    """
    children = len(cell)
    if not children:
        return collapse_whitespace(cell.text or "")
    if children == 1:  # "<td><p>text</p></td>" and "<td><p><span>text</span></p></td>", the commonest: no list to build
        child = cell[0]
        grandchildren = len(child)
        if grandchildren <= 1:
            tag = child.tag
            space = " " if tag in _BLOCK_TAGS else "" if tag in _INLINE_TAGS else None
            if space is not None and not grandchildren:
                before, after = cell.text, child.tail
                if before is None and after is None:  # "<td><p>text</p></td>": the padding spaces would be trimmed
                    return collapse_whitespace(child.text or "")
                return collapse_whitespace(f"{before or ''}{space}{child.text or ''}{space}{after or ''}")
            inner = child[0] if space is not None else None
            if inner is not None and not len(inner) and inner.tag in _INLINE_TAGS:
                before, lead, trail, after = cell.text, child.text, inner.tail, child.tail
                if before is None and lead is None and trail is None and after is None:
                    return collapse_whitespace(inner.text or "")  # "<td><p><span>text</span></p></td>"
                return collapse_whitespace(f"{before or ''}{space}{lead or ''}{inner.text or ''}"
                                           f"{trail or ''}{space}{after or ''}")
    parts = [cell.text or ""]
    for child in cell:
        tag = child.tag
        if tag in _INLINE_TAGS:
            space = ""
        elif tag in _BLOCK_TAGS:  # lower-case tags only: others take the walk, which folds case
            space = " "
        else:
            return _walked_cell_text(cell)
        parts += (space, child.text or "")
        for grandchild in child:
            tag = grandchild.tag
            if len(grandchild):  # deeper markup: one more level of formatting is read here, the rest walked
                if tag not in _INLINE_TAGS:
                    return _walked_cell_text(cell)
                parts.append(grandchild.text or "")  # Word's <span><o:p></o:p></span>, <span><font>…</font></span>
                for leaf in grandchild:
                    if len(leaf) or leaf.tag not in _INLINE_TAGS:
                        return _walked_cell_text(cell)
                    parts += (leaf.text or "", leaf.tail or "")
                parts.append(grandchild.tail or "")
            elif tag in _INLINE_TAGS:
                parts += (grandchild.text or "", grandchild.tail or "")
            elif tag in _BLOCK_TAGS:  # a <br>
                parts += (" ", grandchild.text or "", " ", grandchild.tail or "")
            else:  # a comment, a script …
                return _walked_cell_text(cell)
        parts += (space, child.tail or "")
    return collapse_whitespace("".join(parts))


def _walked_cell_text(cell: etree._Element) -> str:
    """`cell_text` node by node, with an explicit stack (a cell can hold markup nested deeper than
    Python recurses)."""
    parts: list[str] = [cell.text] if cell.text else []
    pending: list[etree._Element | str] = []  # what is still to emit, last first
    for child in reversed(cell):
        if child.tail:
            pending.append(child.tail)
        pending.append(child)
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        tag = item.tag
        if type(tag) is str:  # an element (comments and processing instructions have no text of ours)
            tag = tag.lower()
            if "}" in tag:
                tag = tag.rpartition("}")[2]
            if tag in _SKIPPED_TAGS:
                continue
            if tag in _BLOCK_TAGS:
                parts.append(" ")
                pending.append(" ")
            if item.text:
                parts.append(item.text)
        for child in reversed(item):
            if child.tail:
                pending.append(child.tail)
            pending.append(child)
    return collapse_whitespace("".join(parts))


def _own_rows(table: etree._Element) -> list[etree._Element]:
    """The table's own <tr>s (not those of nested tables), in document order."""
    rows: list[etree._Element] = []
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(sub for sub in child if isinstance(sub.tag, str) and sub.tag.lower() == "tr")
    return rows


def _as_table(table: etree._Element | str) -> etree._Element | None:
    if not isinstance(table, str):
        return table
    if not table.strip():
        return None
    try:
        root = lxml.html.fromstring(table)
    except (etree.ParserError, ValueError):
        return None
    if isinstance(root.tag, str) and root.tag.lower() == "table":
        return root
    found = elements(root.xpath(".//table"))
    return found[0] if found else None


def html_table_to_grid(table: etree._Element | str, warnings: list[str] | None = None) -> Grid:
    """Expand a ``<table>`` into a rectangular matrix of cell texts.

    `warnings`, when given, receives a message for every clamp or oddity (absurd spans, a table
    cut to the size limits). Never raises on malformed markup; an unusable input gives an empty grid.
    """
    notes = warnings if warnings is not None else []
    element = _as_table(table)
    if element is None:
        notes.append("grid: no <table> element found")
        return Grid(rows=(), source="html")
    tr_elements = _own_rows(element)
    if len(tr_elements) > MAX_ROWS:
        notes.append(f"grid: table has {len(tr_elements)} rows; only the first {MAX_ROWS} are read")
        tr_elements = tr_elements[:MAX_ROWS]
    row_count = len(tr_elements)
    cells: list[dict[int, str]] = [{} for _ in range(row_count)]
    width = 0
    clamped = False
    budget = MAX_CELLS
    for r, tr in enumerate(tr_elements):
        col = 0
        own_row = cells[r]
        for td in tr:
            tag = td.tag
            if tag != "td" and tag != "th" and (not isinstance(tag, str) or tag.lower() not in ("td", "th")):
                continue
            colspan_value, rowspan_value = td.get("colspan"), td.get("rowspan")
            if colspan_value is None and rowspan_value is None:  # the common cell: one slot, no clamping
                while col in own_row:
                    col += 1
                if col >= MAX_COLUMNS:
                    clamped = True
                    break
                own_row[col] = cell_text(td)
                budget -= 1
                col += 1
                if budget <= 0:
                    break
                continue
            colspan = max(1, _span(colspan_value))
            rowspan = _span(rowspan_value)
            if rowspan == 0:  # HTML: span to the end of the table
                rowspan = row_count - r
            rowspan = max(1, rowspan)
            if colspan > MAX_COLUMNS or rowspan > MAX_ROWS:
                clamped = True
            colspan = min(colspan, MAX_COLUMNS)
            rowspan = min(rowspan, row_count - r)
            while col in own_row:
                col += 1
            if col >= MAX_COLUMNS:
                clamped = True
                break
            colspan = min(colspan, MAX_COLUMNS - col)
            if colspan * rowspan > budget:
                clamped = True
                rowspan = max(1, min(rowspan, budget // colspan))
                colspan = min(colspan, max(1, budget))
            text = cell_text(td)
            for rr in range(r, r + rowspan):
                row = cells[rr]
                for cc in range(col, col + colspan):
                    row.setdefault(cc, text)
            budget -= colspan * rowspan
            col += colspan
            if budget <= 0:
                break
        width = max(width, col)  # a row's columns only grow: its width is where it ended
        if budget <= 0:
            notes.append(f"grid: table exceeds {MAX_CELLS} cells; cut after row {r + 1}")
            cells = cells[: r + 1]
            break
    if clamped:
        notes.append(f"grid: absurd rowspan/colspan clamped (max {MAX_ROWS} rows, {MAX_COLUMNS} columns)")
    rows = tuple([tuple(map(row.get, range(width), repeat(""))) for row in cells])
    return Grid(rows=rows, source="html")


def merged_regions(rows: int, columns: int, joins_right: Callable[[int, int], bool],
                   joins_down: Callable[[int, int], bool]) -> list[list[int]]:
    """The merged cell each slot of a ruled `rows` × `columns` lattice belongs to, for tables drawn
    as lines (OFD paths, ruling lines found in a scan): slots with no ruling line between them are one
    cell. `joins_right(r, c)` / `joins_down(r, c)`: no line between slot (r, c) and its right / lower
    neighbour. A cell is named by its first slot in reading order (row * columns + column)."""
    parent = list(range(rows * columns))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(rows):
        for c in range(columns):
            if c + 1 < columns and joins_right(r, c):
                union(r * columns + c, r * columns + c + 1)
            if r + 1 < rows and joins_down(r, c):
                union(r * columns + c, (r + 1) * columns + c)
    return [[find(r * columns + c) for c in range(columns)] for r in range(rows)]
