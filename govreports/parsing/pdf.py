"""PDF attachments → `Document`: body lines in reading order plus the tables as clean grids.

Real report PDFs (Word or WPS exports) draw their statistics tables with ruling lines, so
pdfplumber finds the cells; what it returns still needs work before a label matcher can use it:

* merged cells come back as `None` — expanded here so a merged cell repeats its text, as an
  HTML rowspan/colspan does;
* cell text is laid out the way it was printed: "商业企\\n业", "三、\\n本\\n年\\n度…", "结 果\\n维持"
  — re-joined;
* the tables of one report run across pages (Table 2 is cut inside （四）无法提供, even inside
  the label: "（四）无" / "法提供") — the piece at the top of page n+1 is joined to the one at the
  bottom of page n;
* some exports frame whole pages of prose as one-column "tables" — those stay text;
* page markers ("- 4 -", "第 4 页 共 6 页") and running headers/footers are dropped.

Where no ruling lines exist the table is not found as a grid, but its rows survive as text lines
("行政许可 447228") for the text-table recogniser. Bad input never raises: a scanned PDF, a
corrupt or truncated file gives a `Document` whose warnings say what happened.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
import time
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govreports.parsing.limits import (
    PDF_MAX_COUNTED_PAGES,
    PDF_MAX_INFLATED_BYTES,
    PDF_MAX_PAGES,
    PDF_MAX_SECONDS,
    HardTimeLimit,
    hard_time_limit,
)
from govreports.parsing.models import Block, Document, Grid, Paragraph
from govreports.parsing.text import collapse_whitespace

if TYPE_CHECKING:  # pdfplumber is imported when a PDF is read, not with this module
    from pdfplumber.page import Page as PlumberPage
    from pdfplumber.pdf import PDF
    from pdfplumber.table import Table

DEFAULT_MAX_PAGES = PDF_MAX_PAGES
DEFAULT_MAX_SECONDS = PDF_MAX_SECONDS
DEFAULT_MAX_INFLATED_BYTES = PDF_MAX_INFLATED_BYTES
HARD_LIMIT_GRACE_SECONDS = 5.0

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
# whitespace that PDF layout put between characters: dropped unless both neighbours are ASCII
_LAYOUT_SPACE = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_PAGE_MARKERS = (
    re.compile(r"^[-—–－~―]+\s*\d{1,4}\s*[-—–－~―]+$"),  # - 4 -
    re.compile(r"^第\s*\d{1,4}\s*页\s*[/，,、]?\s*(共\s*\d{1,4}\s*页)?$"),  # 第 4 页 共 6 页
    re.compile(r"^(共\s*\d{1,4}\s*页\s*[/，,、]?\s*)?第\s*\d{1,4}\s*页$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),  # 4/6
    re.compile(r"^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE),
)
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_NUMERIC_CELL = re.compile(r"^[+\-−－增减]?\s*\d[\d,，.]*\s*(%|万元|亿元|元|件|个|项)?$")
_ENUMERATION_START = re.compile(r"^(1|１|一)[.、．]|^[（(]一[)）]")
_SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
# lines that open a paragraph of their own: 一、 （一） (一) 1. 2、
_PARAGRAPH_START = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.、．](?!\d))")
_SENTENCE_END = ("。", "，", "；", "：", ",", ";", ":")


@dataclass(slots=True)
class _Line:
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float = 0.0


@dataclass(slots=True)
class _PageGrid:
    top: float
    bottom: float
    rows: list[list[str]]
    cell_ids: list[list[int]]
    source: str = "pdf"  # "ocr" for a grid read from a page image


@dataclass(slots=True)
class _Page:
    number: int
    lines: list[_Line] = field(default_factory=list)
    grids: list[_PageGrid] = field(default_factory=list)
    chars: int = 0


def pdf_to_document(
    data: bytes,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES,
    ocr_pages: Mapping[int, LayoutPage] | None = None,
) -> Document:
    """Paragraphs and Grids of a PDF in reading order; warnings instead of exceptions.

    Hostile files are refused before pdfminer sees them (reference loops, FlateDecode bombs) or
    cut while it reads them: only the first `max_pages` pages are enumerated, pages stop after
    `max_seconds`, and a hard limit (that plus a grace, main thread only) interrupts a
    pdfminer call that never returns. `ocr_pages` (page number → a page read by OCR, see
    `layout_page`) stand in for scanned pages; OCR time was spent before, in its own pool.
    """
    warnings: list[str] = []
    if not data:
        return Document(blocks=(), warnings=("pdf unreadable: empty file",))
    if b"%PDF-" not in data[:1024]:
        warnings.append("pdf header missing: not a PDF file (trying anyway)")
    refusal = _hostile_structure(data, max_inflated_bytes)
    if refusal:
        return Document(blocks=(), warnings=(*warnings, f"pdf refused: {refusal}"))
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - pdfplumber is a declared dependency
        return Document(blocks=(), warnings=("pdf parsing unavailable: pdfplumber not installed",))

    pages: list[_Page] = []
    page_count = ""
    started = time.monotonic()
    hard_seconds = max(max_seconds, 0.0) + HARD_LIMIT_GRACE_SECONDS
    try:
        with hard_time_limit(hard_seconds):
            # not `with pdfplumber.open(...)`: PDF.close() rebuilds the list of every page
            pdf = pdfplumber.open(io.BytesIO(data))
            plumber_pages, page_count = _first_pages(pdf, max_pages)
            if len(plumber_pages) < _page_total(page_count):
                warnings.append(f"pdf truncated: only the first {max_pages} of {page_count} pages read")
            for index, page in enumerate(plumber_pages):
                if time.monotonic() - started > max_seconds:
                    warnings.append(
                        f"pdf truncated: time limit {max_seconds:.0f}s reached after {index} of {page_count} pages"
                    )
                    break
                try:
                    if ocr_pages and index + 1 in ocr_pages:  # a scanned page, read by OCR
                        pages.append(ocr_pages[index + 1])
                        continue
                    pages.append(_read_page(page, index + 1))
                except Exception as error:
                    warnings.append(f"pdf page {index + 1} unreadable: {type(error).__name__}: {error}")
                finally:
                    page.close()
    except HardTimeLimit:
        warnings.append(
            f"pdf truncated: hard time limit {hard_seconds:.0f}s reached after {len(pages)} pages "
            "(a loop in the file?); the rest was not read"
        )
        if not pages:
            return Document(blocks=(), meta={"pages": page_count or "?"}, warnings=tuple(warnings))
    except RecursionError:
        warnings.append("pdf unreadable (damaged file): objects nested or referenced too deeply")
        if not pages:
            return Document(blocks=(), meta={"pages": page_count or "?"}, warnings=tuple(warnings))
    except Exception as error:
        message = str(error).strip() or "no detail"
        kind = "truncated file" if "EOF" in message.upper() else "damaged file"
        warnings.append(f"pdf unreadable ({kind}): {type(error).__name__}: {message[:200]}")
        if not pages:
            return Document(blocks=(), meta={"pages": page_count or "0"}, warnings=tuple(warnings))

    meta = {"pages": page_count}
    if page_count == "0":
        warnings.append("pdf unreadable: no pages found (an empty or looping page tree)")
        return Document(blocks=(), meta=meta, warnings=tuple(warnings))
    if pages and sum(page.chars for page in pages) == 0:
        warnings.append(f"scanned: no text layer ({len(pages)} pages)")
        return Document(blocks=(), meta=meta, warnings=tuple(warnings))
    blank = [page.number for page in pages if page.chars == 0]
    if blank:
        warnings.append(f"pdf pages without a text layer (scanned images?): {', '.join(map(str, blank))}")

    _drop_page_furniture(pages)
    blocks = _assemble(pages)
    return Document(blocks=tuple(blocks), meta=meta, warnings=tuple(warnings))


# --- pages read by OCR (issue 16: govreports/parsing/ocr builds them) ---------------------------

LayoutPage = _Page


def layout_page(
    number: int,
    lines: Sequence[tuple[float, float, float, float, str, float]],
    grids: Sequence[tuple[float, float, list[list[str]], list[list[int]]]],
    *,
    source: str = "ocr",
    characters: int = 0,
) -> LayoutPage:
    """A page from OCR geometry (points): lines (top, bottom, x0, x1, text, size) and grids
    (top, bottom, rows, cell ids), assembled with the text-layer pages by the same rules."""
    page = _Page(number=number, chars=characters)
    page.lines = [_Line(top, bottom, x0, x1, text, size) for top, bottom, x0, x1, text, size in lines if text]
    for top, bottom, rows, ids in grids:
        start, end = _table_body(rows)
        if end - start >= 2:
            page.grids.append(_PageGrid(top, bottom, rows[start:end], ids[start:end], source=source))
        else:  # prose framed as a table: its text stays text
            page.lines.extend(_Line(top, bottom, 0.0, 0.0, row[0], 0.0) for row in rows[start:end] if row and row[0])
    return page


def layout_document(pages: Sequence[LayoutPage], warnings: Sequence[str] = ()) -> Document:
    """A Document from pages that have no PDF behind them (image files, a page's images)."""
    page_list = list(pages)
    _drop_page_furniture(page_list)
    return Document(blocks=tuple(_assemble(page_list)), meta={"pages": str(len(page_list))},
                    warnings=tuple(warnings))


# --- hostile structure --------------------------------------------------------------------------

# an object whose whole body is a reference to another ("4 0 obj 4 0 R endobj"): pdfminer follows
# such chains with `while isinstance(x, PDFObjRef)`, so a loop of them never returns
_BARE_REFERENCE = re.compile(rb"(?<![\d.])(\d{1,10})\s+(\d{1,5})\s+obj\s*(\d{1,10})\s+(\d{1,5})\s+R\s*endobj")
_STREAM_START = re.compile(rb"stream\r?\n")
_INFLATE_CHUNK = 1 << 16


def _hostile_structure(data: bytes, max_inflated_bytes: int) -> str | None:
    """Why `data` must not reach pdfminer (a reference loop, a FlateDecode bomb), or None."""
    loop = _reference_loop(data)
    if loop:
        return "objects refer to each other in a loop (" + " → ".join(map(str, loop)) + "); not read"
    inflated = _inflated_size(data, max_inflated_bytes)
    if inflated > max_inflated_bytes:
        return (
            f"compressed streams inflate to more than {max_inflated_bytes} bytes "
            f"(from a {len(data)}-byte file; a decompression bomb?); not read"
        )
    return None


def _reference_loop(data: bytes) -> list[int] | None:
    """The object numbers of a chain of bare references that comes back to itself."""
    target: dict[int, int] = {}
    for match in _BARE_REFERENCE.finditer(data):
        target[int(match.group(1))] = int(match.group(3))
    for start, current in target.items():
        chain = [start]
        seen = {start}
        while current in target:
            if current in seen:
                return [*chain[chain.index(current):], current]
            seen.add(current)
            chain.append(current)
            current = target[current]
    return None


def _inflated_size(data: bytes, limit: int) -> int:
    """Bytes the file's zlib streams (images aside) inflate to, counted without keeping them.

    pdfminer inflates each content, font and object stream whole into memory; a few kilobytes
    of zeros can inflate to gigabytes. Counting stops as soon as `limit` is passed.
    """
    total = 0
    for match in _STREAM_START.finditer(data):
        header = data[max(0, match.start() - 4096) : match.start()]
        if b"/Image" in header[header.rfind(b" obj") + 1 :]:
            continue  # image data: pdfminer does not inflate it to read text
        inflater = zlib.decompressobj()
        position = match.end()
        while position < len(data):
            chunk = data[position : position + _INFLATE_CHUNK]
            position += len(chunk)
            try:
                out = inflater.decompress(chunk, _INFLATE_CHUNK)
                total += len(out)
                # (after the end of the stream the rest stays in unconsumed_tail: stop at eof)
                while inflater.unconsumed_tail and not inflater.eof and total <= limit:
                    out = inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK)
                    total += len(out)
            except zlib.error:
                break  # not zlib data (an image, a raw stream) or corrupt: pdfminer will say
            if inflater.eof or total > limit:
                break
        if total > limit:
            return total
    return total


def _first_pages(pdf: PDF, max_pages: int) -> tuple[list[PlumberPage], str]:
    """The first `max_pages` pdfplumber pages and the page count as a text.

    pdfplumber's `pdf.pages` builds every page of the file up front (minutes and gigabytes for a
    file declaring hundreds of thousands of pages), so pages are enumerated lazily here and the
    count beyond the limit is only counted up to PDF_MAX_COUNTED_PAGES.
    """
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    generator = PDFPage.create_pages(pdf.doc)
    pages: list[PlumberPage] = []
    doctop = 0.0
    for number, pdf_page in enumerate(itertools.islice(generator, max_pages), start=1):
        page = Page(pdf, pdf_page, page_number=number, initial_doctop=doctop)
        pages.append(page)
        doctop += page.height
    count = len(pages)
    if count < max_pages:
        return pages, str(count)
    more = sum(1 for _ in itertools.islice(generator, PDF_MAX_COUNTED_PAGES - count + 1))
    if count + more > PDF_MAX_COUNTED_PAGES:
        return pages, f"more than {PDF_MAX_COUNTED_PAGES}"
    return pages, str(count + more)


def _page_total(page_count: str) -> int:
    return int(page_count) if page_count.isdigit() else PDF_MAX_COUNTED_PAGES + 1


# --- one page -----------------------------------------------------------------------------------


def _read_page(page: PlumberPage, number: int) -> _Page:
    result = _Page(number=number, chars=len(page.chars))
    if not result.chars:
        return result
    grids: list[_PageGrid] = []
    for table in page.find_tables():
        grid = _grid_from_table(page, table)
        if grid is not None:
            grids.append(grid)
    result.grids = grids
    for raw in page.extract_text_lines(return_chars=True):
        middle = (raw["top"] + raw["bottom"]) / 2
        if any(grid.top <= middle <= grid.bottom for grid in grids):
            continue  # the grid carries this text
        chars = [char for char in raw["chars"] if char["text"].strip()]
        text = _line_text(chars) if chars else collapse_whitespace(raw["text"])
        if not text:
            continue
        size = statistics.median(char["size"] for char in chars) if chars else 0.0
        result.lines.append(_Line(raw["top"], raw["bottom"], raw["x0"], raw["x1"], text, size))
    return result


def _line_text(chars: Sequence[dict[str, Any]]) -> str:
    """A line's text with a space only where the gap is a real one.

    Word and WPS exports space out Latin/CJK boundaries ("2024 年") and justified lines
    ("号 ， 邮 编") by a fraction of an em; a column gap or a word space between Latin words is
    wider than that. Keeping the printed words together keeps "2024年" and the title intact.
    """
    parts: list[str] = []
    previous: dict[str, Any] | None = None
    for char in chars:
        if previous is not None:
            gap = char["x0"] - previous["x1"]
            size = max(char.get("size") or 0.0, previous.get("size") or 0.0) or 10.0
            both_latin = _is_latin(previous["text"][-1]) and _is_latin(char["text"][0])
            if gap > (0.15 if both_latin else 0.5) * size:
                parts.append(" ")
        parts.append(char["text"])
        previous = char
    return collapse_whitespace("".join(parts))


def _is_latin(character: str) -> bool:
    return character.isascii() and (character.isalnum() or character in "@.-_/%")


def _grid_from_table(page: PlumberPage, table: Table) -> _PageGrid | None:
    """A rectangular grid from a pdfplumber table, merged cells repeated; None when it is prose."""
    raw_rows = table.extract()
    rows_geometry = table.rows
    if not raw_rows or not rows_geometry:
        return None
    column_count = max(len(row) for row in raw_rows)
    if column_count < 2:
        return None  # a framed block of prose, not a table

    text_of: dict[tuple[float, ...], str] = {}
    for geometry, raw_row in zip(rows_geometry, raw_rows):
        for cell, text in zip(geometry.cells, raw_row):
            if cell is not None:
                text_of[tuple(cell)] = clean_cell_text(text or "")
    cells = list(text_of)
    cell_index = {cell: index for index, cell in enumerate(cells)}

    x_edges = [column.bbox[0] for column in table.columns] + [table.bbox[2]]
    y_edges = [row.bbox[1] for row in rows_geometry] + [table.bbox[3]]
    if len(x_edges) - 1 != column_count:
        x_edges = _even_edges(table.bbox[0], table.bbox[2], column_count)

    rows: list[list[str]] = []
    ids: list[list[int]] = []
    row_bounds: list[tuple[float, float]] = []
    uncovered = -1
    for r in range(len(raw_rows)):
        top, bottom = y_edges[r], max(y_edges[r + 1], y_edges[r])
        texts: list[str] = []
        row_ids: list[int] = []
        for c in range(column_count):
            left, right = x_edges[c], x_edges[c + 1]
            cx, cy = (left + right) / 2, (top + bottom) / 2
            covering = _covering_cell(cells, cx, cy)
            if covering is not None:
                texts.append(text_of[covering])
                row_ids.append(cell_index[covering])
            else:
                texts.append(_text_in_box(page, (left, top, right, bottom)))
                row_ids.append(uncovered)
                uncovered -= 1
        if any(texts):
            rows.append(texts)
            ids.append(row_ids)
            row_bounds.append((top, bottom))
    if not rows:
        return None

    start, end = _table_body(rows)
    if end - start < 2:
        return None
    return _PageGrid(
        top=row_bounds[start][0],
        bottom=row_bounds[end - 1][1],
        rows=rows[start:end],
        cell_ids=ids[start:end],
    )


def _even_edges(left: float, right: float, count: int) -> list[float]:
    step = (right - left) / count
    return [left + step * index for index in range(count)] + [right]


def _covering_cell(cells: Sequence[tuple[float, ...]], x: float, y: float) -> tuple[float, ...] | None:
    best: tuple[float, ...] | None = None
    best_area = float("inf")
    for cell in cells:
        x0, top, x1, bottom = cell
        if x0 <= x <= x1 and top <= y <= bottom:
            area = (x1 - x0) * (bottom - top)
            if area < best_area:
                best, best_area = cell, area
    return best


def _text_in_box(page: PlumberPage, box: tuple[float, float, float, float]) -> str:
    """Text of a slot pdfplumber left without a cell (its ruling line was not drawn)."""
    from pdfplumber.utils.text import extract_text

    x0, top, x1, bottom = box
    chars = [
        char
        for char in page.chars
        if x0 <= (char["x0"] + char["x1"]) / 2 < x1 and top <= (char["top"] + char["bottom"]) / 2 < bottom
    ]
    return clean_cell_text(extract_text(chars)) if chars else ""


def _table_body(rows: list[list[str]]) -> tuple[int, int]:
    """The rows that are a table: full-width prose rows framed with it at either end are text."""

    def full_width(row: list[str]) -> bool:
        return len({text for text in row if text}) == 1 and all(text == row[0] for text in row)

    def caption_like(text: str) -> bool:
        return (
            len(text) <= 20
            and not text.endswith(_SENTENCE_END)
            and not _SECTION_HEADING.match(text)
        )

    start = 0
    leading = 0
    while leading < len(rows) and full_width(rows[leading]):
        leading += 1
    for index in range(leading):
        if not caption_like(rows[index][0]):
            start = index + 1
    end = len(rows)
    trailing = len(rows)
    while trailing > start and full_width(rows[trailing - 1]):
        trailing -= 1
    for index in range(len(rows) - 1, trailing - 1, -1):
        if not caption_like(rows[index][0]):
            end = index
    if all(full_width(row) for row in rows[start:end]):
        return start, start  # nothing but full-width lines: prose in a frame
    return start, end


def clean_cell_text(text: str) -> str:
    """Cell text as written: layout line breaks and spaces between CJK characters removed.

    "商业企\\n业" → "商业企业", "三、\\n本\\n年\\n度" → "三、本年度", "结 果\\n维持" → "结果维持";
    spaces between ASCII words or numbers ("2024 12 31") stay as one space.
    """
    text = _LAYOUT_SPACE.sub("", text.replace("\r", "\n"))
    return collapse_whitespace(text)


# --- the whole document -------------------------------------------------------------------------


def is_page_marker(text: str) -> bool:
    """'- 4 -', '第 4 页 共 6 页', '4/6': the page number a layout printed, not report text."""
    stripped = text.strip()
    return any(pattern.match(stripped) for pattern in _PAGE_MARKERS)


def _drop_page_furniture(pages: list[_Page]) -> None:
    """Remove page numbers and running headers/footers (the same line on most pages)."""
    for page in pages:
        page.lines.sort(key=lambda line: (round(line.top), line.x0))
        edge = {id(line) for line in page.lines[:2] + page.lines[-2:]}
        page.lines = [
            line
            for line in page.lines
            if not is_page_marker(line.text)
            and not (id(line) in edge and _BARE_NUMBER.match(line.text) and len(page.lines) > 3)
        ]
    with_text = [page for page in pages if page.lines]
    if len(with_text) < 3:
        return
    counts: Counter[str] = Counter()
    for page in with_text:
        edge_texts = {_furniture_key(line.text) for line in page.lines[:2] + page.lines[-2:]}
        counts.update(edge_texts)
    threshold = max(3, (len(with_text) + 1) // 2)
    repeated = {key for key, count in counts.items() if count >= threshold}
    if not repeated:
        return
    for page in with_text:
        edge = {id(line) for line in page.lines[:2] + page.lines[-2:]}
        page.lines = [
            line for line in page.lines if not (id(line) in edge and _furniture_key(line.text) in repeated)
        ]


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


@dataclass(slots=True)
class _Pending:
    """A block under construction: text lines still joinable, grids still extendable."""

    kind: str  # "text" | "grid"
    text: str = ""
    last_line: _Line | None = None
    rows: list[list[str]] = field(default_factory=list)
    cell_ids: list[list[int]] = field(default_factory=list)
    page: int = 0
    title: bool = False
    source: str = "pdf"


def _assemble(pages: list[_Page]) -> list[Block]:
    """Blocks in reading order; wrapped lines become paragraphs, page-split grids one grid."""
    right_margin, left_margin, line_height = _body_geometry(pages)
    body_size = _body_font_size(pages)
    out: list[_Pending] = []
    id_offset = 0
    for page in pages:
        items: list[tuple[float, int, Any]] = [(line.top, 0, line) for line in page.lines]
        items += [(grid.top, 1, grid) for grid in page.grids]
        items.sort(key=lambda item: (item[0], item[1]))
        for position, (_, kind, item) in enumerate(items):
            previous = out[-1] if out else None
            if kind == 1:
                grid: _PageGrid = item
                ids = [[cell + id_offset if cell >= 0 else cell for cell in row] for row in grid.cell_ids]
                continues = (
                    position == 0
                    and previous is not None
                    and previous.kind == "grid"
                    and previous.page == page.number - 1
                    and _continues_grid(previous.rows, grid.rows)
                )
                if continues and previous is not None:
                    _join_grid(previous, grid.rows, ids)
                else:
                    out.append(_Pending(kind="grid", rows=[list(row) for row in grid.rows], cell_ids=ids,
                                        source=grid.source))
                out[-1].page = page.number
                continue
            line: _Line = item
            is_title = (
                body_size > 0
                and line.size >= body_size * 1.15
                and all(pending.kind == "text" and pending.title for pending in out)
            )
            if is_title and previous is not None:
                previous.text = _join_text(previous.text, line.text)
                previous.last_line = line
            elif is_title:
                out.append(_Pending(kind="text", text=line.text, last_line=line, title=True))
            elif previous is not None and previous.kind == "text" and _continues_line(
                previous.last_line, line, right_margin, left_margin, line_height
            ):
                previous.text = _join_text(previous.text, line.text)
                previous.last_line = line
            else:
                out.append(_Pending(kind="text", text=line.text, last_line=line))
        id_offset += 1_000_000
    blocks: list[Block] = []
    for pending in out:
        if pending.kind == "text":
            blocks.append(Paragraph(pending.text))
        else:
            blocks.append(Grid(rows=tuple(tuple(row) for row in pending.rows), source=pending.source))
    return blocks


def _body_font_size(pages: list[_Page]) -> float:
    """The most common font size of body lines (titles are printed larger)."""
    sizes = [round(line.size, 1) for page in pages for line in page.lines if line.size and len(line.text) >= 12]
    return Counter(sizes).most_common(1)[0][0] if sizes else 0.0


def _body_geometry(pages: list[_Page]) -> tuple[float, float, float]:
    """Right margin, left margin and line height of the body text (for re-joining wrapped lines)."""
    long_lines = [line for page in pages for line in page.lines if len(line.text) >= 12]
    if not long_lines:
        return float("inf"), 0.0, 12.0
    rights = sorted(line.x1 for line in long_lines)
    right = rights[int(len(rights) * 0.9) - 1 if len(rights) >= 10 else -1]
    left = statistics.median(line.x0 for line in long_lines)
    height = statistics.median(line.bottom - line.top for line in long_lines) or 12.0
    return right, left, height


def _continues_line(
    previous: _Line | None, line: _Line, right_margin: float, left_margin: float, height: float
) -> bool:
    """A line wraps into the next when it reaches the right margin and the next is not indented."""
    if previous is None:
        return False
    if previous.x1 < right_margin - 1.5 * height:
        return False
    if line.x0 > left_margin + 0.8 * height:
        return False  # indented: a new paragraph
    if previous.size and line.size and abs(previous.size - line.size) > 0.1 * max(previous.size, line.size):
        return False  # a title or a footnote, not the same paragraph
    return not (_PARAGRAPH_START.match(line.text) or is_page_marker(line.text))


def _join_text(left: str, right: str) -> str:
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


# --- grids split across pages -------------------------------------------------------------------


def _full_width(row: Sequence[str]) -> bool:
    return bool(row) and bool(row[0]) and all(text == row[0] for text in row)


def _continues_grid(above: Sequence[Sequence[str]], below: Sequence[Sequence[str]]) -> bool:
    """Does the grid at the top of a page continue the one that ended the previous page?

    Yes when both have the same columns, when the first ends on a caption row still waiting
    for its block ("第二十条第（六）项"), or when a table built of captioned blocks goes on with
    another caption. Two different tables on consecutive pages (Table 2 of 10 columns, Table 3
    of 15) stay apart.
    """
    if not above or not below:
        return False
    if len(above[0]) == len(below[0]):
        return True
    if _full_width(above[-1]):
        return True
    return _full_width(below[0]) and any(_full_width(row) for row in above)


def _is_data_row(row: Sequence[str]) -> bool:
    return any(_NUMERIC_CELL.match(text) for text in row if text)


def _pad(rows: list[list[str]], ids: list[list[int]], width: int) -> None:
    """Widen rows to `width` by repeating the last cell (as a colspan would)."""
    for row, row_ids in zip(rows, ids):
        while len(row) < width:
            row.append(row[-1] if row else "")
            row_ids.append(row_ids[-1] if row_ids else -1)


def _join_grid(previous: _Pending, rows: Sequence[Sequence[str]], ids: Sequence[Sequence[int]]) -> None:
    """Append the piece of a table continued on the next page, repairing cells cut by the break."""
    new_rows = [list(row) for row in rows]
    new_ids = [list(row) for row in ids]
    width = max(len(previous.rows[0]), len(new_rows[0]))
    _pad(previous.rows, previous.cell_ids, width)
    _pad(new_rows, new_ids, width)

    # a header repeated at the top of the new page is not data
    while new_rows and previous.rows and new_rows[0] == previous.rows[0] and not _is_data_row(new_rows[0]):
        new_rows.pop(0)
        new_ids.pop(0)
        if len(new_rows) and len(previous.rows) > 1 and new_rows[0] == previous.rows[1]:
            continue
        break
    if not new_rows:
        return

    last, first = previous.rows[-1], new_rows[0]
    if _is_data_row(last) and _is_data_row(first):
        label_columns = next(
            (index for index, text in enumerate(first) if text and _NUMERIC_CELL.match(text)), width
        )
        for column in range(label_columns):
            above, below = last[column], first[column]
            if not above or above == below:
                continue
            run = _run_length(new_ids, column)
            if not below:
                # an empty cell continuing a merged label cut by the page break
                for row in new_rows[:run]:
                    row[column] = above
            elif not _NUMERIC_CELL.match(below) and _is_cut_label(last, first, column, label_columns):
                joined = above + below
                above_run = _run_length_from_end(previous.cell_ids, column)
                for row in previous.rows[len(previous.rows) - above_run :]:
                    row[column] = joined
                for row in new_rows[:run]:
                    row[column] = joined
    previous.rows.extend(new_rows)
    previous.cell_ids.extend(new_ids)


def _is_cut_label(last: Sequence[str], first: Sequence[str], column: int, label_columns: int) -> bool:
    """'（四）无' above and '法提供' below: a group label whose sub-rows go on across the break.

    It is a cut (not a new group) when the column to its right holds sub-labels that do not
    restart their numbering ("2.没有现成信息…" continues "1.本机关不掌握…").
    """
    right = column + 1
    if right >= label_columns:
        return False
    sub_above, sub_below = last[right], first[right]
    if not sub_above or not sub_below or sub_above == sub_below:
        return False
    return not _ENUMERATION_START.match(sub_below)


def _run_length(ids: Sequence[Sequence[int]], column: int) -> int:
    first = ids[0][column]
    count = 0
    for row in ids:
        if row[column] != first:
            break
        count += 1
    return max(count, 1)


def _run_length_from_end(ids: Sequence[Sequence[int]], column: int) -> int:
    last = ids[-1][column]
    count = 0
    for row in reversed(ids):
        if row[column] != last:
            break
        count += 1
    return max(count, 1)
