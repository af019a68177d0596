"""`OcrResult` → the blocks the PDF path builds, with OCR's own honesty rules.

OCR pages become PDF-path pages (`govreports.parsing.pdf.LayoutPage`): the same assembly joins
wrapped lines into paragraphs, a table split across pages into one grid, and drops page numbers
and running headers; every grid built from OCR is a `Grid(source="ocr")`.

A cell with digits read below the confidence floor is left empty and named in a warning: a
wrong number in a statistics table is worse than a missing one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from govreports.parsing.ocr.models import OcrPage, OcrResult

_DIGIT = re.compile(r"\d")


def layout_pages(result: OcrResult) -> tuple[dict[int, Any], list[str]]:
    """{page number: LayoutPage} for the PDF assembly, and the warnings of low-confidence cells."""
    from govreports.parsing.pdf import layout_page

    warnings: list[str] = list(result.warnings)
    min_confidence = result.min_confidence
    pages: dict[int, Any] = {}
    # a box's height is a poor font size (the detector's boxes are tight or loose by glyph and
    # contrast); the pitch of the characters is a good one: CJK glyphs are square, so the width of
    # a line over its characters (Latin and digits counting half) is the size the line was set in.
    # Sizes are given in tenths of the body lines' median, whole numbers, so body lines share one.
    body = sorted(_pitch(line) * 72.0 / max(page.dpi, 1)
                  for page in result.pages.values() for line in page.lines if len(line.text) >= 12)
    unit = body[len(body) // 2] / 10 if body else 0.0
    for number, page in sorted(result.pages.items()):
        warnings.extend(f"page {number}: {warning}" for warning in page.warnings)
        scale = 72.0 / max(page.dpi, 1)
        lines = [
            (line.top * scale, line.bottom * scale, line.x0 * scale, line.x1 * scale, line.text,
             float(round(_pitch(line) * scale / unit)) if unit else (line.bottom - line.top) * scale)
            for line in page.lines
        ]
        grids = []
        for table_index, table in enumerate(page.tables, start=1):
            rows = _honest_rows(table.rows, table.confidences, table.cell_ids, min_confidence, number,
                                table_index, warnings)
            grids.append((table.top * scale, table.bottom * scale, rows, [list(ids) for ids in table.cell_ids]))
        pages[number] = layout_page(number, lines, grids, source="ocr",
                                    characters=sum(len(line.text) for line in page.lines)
                                    + sum(len(text) for table in page.tables for row in table.rows for text in row))
    return pages, warnings


def _pitch(line: Any) -> float:
    """Pixels per em of a text line: its width over its characters (half-width ones count half)."""
    text = "".join(line.text.split())
    ems = sum(1.0 if ord(char) >= 0x2e80 else 0.5 for char in text)
    return (line.x1 - line.x0) / ems if ems else float(line.bottom - line.top)


def _honest_rows(rows: tuple[tuple[str, ...], ...], confidences: tuple[tuple[float, ...], ...],
                 cell_ids: tuple[tuple[int, ...], ...], min_confidence: float, page: int, table: int,
                 warnings: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    doubtful: set[int] = set()
    for row, row_confidences, row_ids in zip(rows, confidences, cell_ids):
        texts = list(row)
        label = next((text for text in row if text and not _DIGIT.search(text)), "")[:20]
        for column, (text, confidence, cell) in enumerate(zip(row, row_confidences, row_ids)):
            if text and _DIGIT.search(text) and confidence < min_confidence:
                texts[column] = ""
                if cell not in doubtful:
                    doubtful.add(cell)
                    warnings.append(
                        f"ocr: page {page} table {table} row {label!r} column {column + 1}: read {text!r} "
                        f"with confidence {confidence:.2f} (< {min_confidence:.2f}); left empty")
        out.append(texts)
    return out


def ocr_summary(result: OcrResult, dpi_of: Mapping[int, int] | None = None) -> dict[str, Any]:
    """What `source.ocr` records: engine, version, pages, mean confidence, dpi."""
    pages = sorted(result.pages)
    confidences = [result.pages[number].mean_confidence for number in pages]
    dpis = sorted({result.pages[number].dpi for number in pages})
    return {
        "engine": result.engine,
        "version": result.version,
        "pages": pages,
        "mean_confidence": round(sum(confidences) / len(confidences), 4) if confidences else None,
        "dpi": dpis[0] if len(dpis) == 1 else dpis,
        "seconds": result.seconds,
        "cached_pages": result.cached_pages,
    }


def uncertain_cells(result: OcrResult, limit: int = 40, below: float = 0.99) -> list[list[Any]]:
    """The least confident numeric table cells, [confidence, text, where], for naming in check warnings."""
    found: list[list[Any]] = []
    for number, page in sorted(result.pages.items()):
        for table_index, table in enumerate(page.tables, start=1):
            seen: set[int] = set()
            for row, confidences, ids in zip(table.rows, table.confidences, table.cell_ids):
                label = next((text for text in row if text and not _DIGIT.search(text)), "")[:16]
                for column, (text, confidence, cell) in enumerate(zip(row, confidences, ids)):
                    if text and _DIGIT.search(text) and confidence < below and cell not in seen:
                        seen.add(cell)
                        found.append([round(confidence, 3), text,
                                      f"page {number} table {table_index} row {label!r} column {column + 1}"])
    found.sort(key=lambda cell: float(cell[0]))
    return found[:limit]


__all__ = ["OcrPage", "layout_pages", "ocr_summary", "uncertain_cells"]
