"""Tables posted as spreadsheets (XLSX through openpyxl, legacy XLS through xlrd) → `Document`.

Some portals attach the three statistics tables as a workbook instead of writing them into the
page. Each sheet becomes its name as a Paragraph and its used range as a Grid (source "xlsx" /
"xls"); merged ranges repeat their text in every cell they cover, as an HTML rowspan/colspan does
(grid.py), so the table mapper reads a spreadsheet exactly like any other table. Whole numbers
stored as floats print without ".0" (12.0 → "12"). Blank rows and columns at the edges are dropped.

Nothing raises on bad input: a damaged workbook, an encrypted one, or a zip bomb (checked from the
zip directory before openpyxl inflates anything, govreports/parsing/limits.py) gives an empty
Document with a warning.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterable, Sequence

from govreports.parsing.limits import zip_refusal
from govreports.parsing.models import Block, Document, Grid, Paragraph
from govreports.parsing.pdf import clean_cell_text

MAX_CELLS = 200_000  # cells read per workbook; real report tables hold a few hundred


def cell_text(value: object) -> str:
    """One cell as printed: whole floats without '.0', dates as ISO, text cleaned like a PDF cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.date().isoformat() if isinstance(value, datetime.datetime) else value.isoformat()
    return clean_cell_text(str(value))


def trimmed(rows: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """Rows without the blank rows and columns around the used range (inner blanks stay)."""
    kept = [list(row) for row in rows]
    while kept and not any(kept[-1]):
        kept.pop()
    while kept and not any(kept[0]):
        kept.pop(0)
    if not kept:
        return ()
    width = max(len(row) for row in kept)
    kept = [row + [""] * (width - len(row)) for row in kept]
    used = [column for column in range(width) if any(row[column] for row in kept)]
    if not used:
        return ()
    first, last = used[0], used[-1]
    return tuple(tuple(row[first:last + 1]) for row in kept)


def _fill_merged(rows: list[list[str]], ranges: Iterable[tuple[int, int, int, int]]) -> None:
    """Repeat the top-left text of each merged range (row_lo, row_hi, col_lo, col_hi; exclusive ends)."""
    for row_lo, row_hi, col_lo, col_hi in ranges:
        if row_lo >= len(rows) or not rows[row_lo] or col_lo >= len(rows[row_lo]):
            continue
        text = rows[row_lo][col_lo]
        for row in range(row_lo, min(row_hi, len(rows))):
            for column in range(col_lo, min(col_hi, len(rows[row]))):
                rows[row][column] = text


def _sheet_blocks(name: str, rows: list[list[str]], source: str) -> list[Block]:
    grid = trimmed(rows)
    if not grid:
        return []
    return [Paragraph(name), Grid(grid, source=source)] if name.strip() else [Grid(grid, source=source)]


def xlsx_to_document(data: bytes) -> Document:
    """Every sheet of an XLSX workbook as a titled Grid."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        return Document(blocks=(), warnings=(f"xlsx unreadable: not a zip file ({type(error).__name__})",))
    with archive:
        refused = zip_refusal([(i.filename, i.file_size, i.compress_size) for i in archive.infolist()], "xlsx")
    if refused:
        return Document(blocks=(), warnings=(refused,))
    import openpyxl  # imported here: only workbooks need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for damaged workbooks
        return Document(blocks=(), warnings=(f"xlsx unreadable: {type(error).__name__}: {error}",))
    blocks: list[Block] = []
    warnings: list[str] = []
    budget = MAX_CELLS
    for sheet in book.worksheets:
        height, width = sheet.max_row or 0, sheet.max_column or 0
        if height * width > budget:
            warnings.append(f"xlsx: sheet {sheet.title} has {height}x{width} cells; only {budget} read")
            height = max(budget // max(width, 1), 0)
        budget -= height * width
        rows = [[cell_text(value) for value in row]
                for row in sheet.iter_rows(min_row=1, max_row=height, max_col=width, values_only=True)]
        _fill_merged(rows, ((r.min_row - 1, r.max_row, r.min_col - 1, r.max_col) for r in sheet.merged_cells.ranges))
        blocks.extend(_sheet_blocks(sheet.title, rows, "xlsx"))
    book.close()
    meta = {"ArticleTitle": book.properties.title} if book.properties and book.properties.title else {}
    return Document(blocks=tuple(blocks), meta=meta, warnings=tuple(warnings))


def xls_to_document(data: bytes) -> Document:
    """Every sheet of a legacy XLS (BIFF) workbook as a titled Grid."""
    import xlrd  # imported here: only legacy workbooks need it

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as error:  # noqa: BLE001 - xlrd raises XLRDError, CompDocError, struct errors …
        return Document(blocks=(), warnings=(f"xls unreadable: {type(error).__name__}: {error}",))
    blocks: list[Block] = []
    warnings: list[str] = []
    budget = MAX_CELLS
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            height, width = sheet.nrows, sheet.ncols
            if height * width > budget:
                warnings.append(f"xls: sheet {sheet.name} has {height}x{width} cells; only {budget} read")
                height = max(budget // max(width, 1), 0)
            budget -= height * width
            rows = [[_xls_cell(sheet.cell(r, c), book.datemode) for c in range(width)] for r in range(height)]
            _fill_merged(rows, sheet.merged_cells)
            blocks.extend(_sheet_blocks(sheet.name, rows, "xls"))
    finally:
        book.release_resources()
    return Document(blocks=tuple(blocks), warnings=tuple(warnings))


def _xls_cell(cell: object, datemode: int) -> str:
    import xlrd

    kind = getattr(cell, "ctype", xlrd.XL_CELL_EMPTY)
    value = getattr(cell, "value", None)
    if kind == xlrd.XL_CELL_DATE and isinstance(value, float):
        try:
            return str(xlrd.xldate.xldate_as_datetime(value, datemode).date().isoformat())
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell_text(value)
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return cell_text(value)
