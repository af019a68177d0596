"""A page image → `OcrPage`: deskewed, its ruled tables found as cell grids, OCR boxes placed.

Table structure comes from the ruling lines (OpenCV morphology: long horizontal and vertical
runs of ink), the way a person reads a printed table: the line positions give the grid slots,
a missing line segment between two slots merges them (a rowspan/colspan), and each OCR box goes
to the cell holding its centre. The grid repeats a merged cell's text in every slot, exactly as
the HTML and PDF paths do, so the label mapper and checks run unchanged.

Own code rather than a library: the table-structure models that exist (PP-Structure, TableMaster)
ship their weights separately or need a GPU to be practical; report tables are fully ruled, for
which morphology is exact and cheap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from govreports.parsing.grid import merged_regions
from govreports.parsing.ocr.engine import Engine
from govreports.parsing.ocr.models import OcrBox, OcrPage, OcrTable

_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")
MAX_SKEW_DEGREES = 3.0
# part of the cache key: a change to how pages are laid out must not reuse old cached pages
LAYOUT_VERSION = "layout-7c"


def clean_gray(image: Any) -> Any:
    """A gray image where coloured marks (red seals, blue stamps) turn pale: the brightest channel.

    Black print is dark in every channel; a red seal is bright in red, so the channel maximum
    keeps the text and drops the seal stamped over it.
    """
    import numpy as np

    if image.ndim == 2:
        return image
    return np.max(image[:, :, :3], axis=2)


def seal_paper(image: Any) -> Any | None:
    """Where a red seal's ink lies on bare paper (bright, strongly red), or None when no pixel does.

    The channel maximum leaves such ink pale gray, not white: the threshold still takes its ring
    and characters for ink, as rulings that split cells and as digits ("19" over a 0) inside
    tables. Print under the seal is dark red (its red channel is low) and stays.
    """
    import numpy as np

    if image.ndim == 2:
        return None
    red = image[:, :, 0].astype(np.int16)
    others = np.maximum(image[:, :, 1], image[:, :, 2]).astype(np.int16)
    mask = (red > 170) & (red - others > 50) & (others > 80)
    return mask if mask.any() else None


def binarize(gray: Any) -> Any:
    """Ink = 255: adaptive, so uneven light and low contrast still separate ink from paper."""
    import cv2

    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def estimate_skew(ink: Any) -> float:
    """The page's tilt in degrees: the angle whose row profile is sharpest (text lines, rulings)."""
    import cv2
    import numpy as np

    height, width = ink.shape
    scale = min(1.0, 900.0 / max(width, 1))
    small = cv2.resize(ink, (max(1, int(width * scale)), max(1, int(height * scale))), interpolation=cv2.INTER_AREA)
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(small, matrix, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.var(profile))

    best = max((step / 10.0 for step in range(-30, 31, 2)), key=sharpness)
    best = max((best + step / 20.0 for step in range(-2, 3)), key=sharpness)
    return best


def flatten_page(image: Any) -> tuple[Any, bool]:
    """A photographed page cut out of its background and warped to a rectangle (perspective undone).

    The page is the largest bright quadrilateral; a scan (the page is the whole image) is left alone.
    """
    import cv2
    import numpy as np

    gray = clean_gray(image)
    height, width = gray.shape
    blurred = cv2.GaussianBlur(gray, (7, 7), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 25)))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return image, False
    page = max(contours, key=cv2.contourArea)
    if cv2.contourArea(page) < 0.4 * width * height:
        return image, False
    hull = cv2.convexHull(page)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        return image, False
    points = np.asarray(quad.reshape(4, 2), dtype=np.float32)
    sums, differences = points.sum(axis=1), np.diff(points, axis=1).ravel()
    ordered = np.array([points[np.argmin(sums)], points[np.argmin(differences)],
                        points[np.argmax(sums)], points[np.argmax(differences)]], dtype=np.float32)
    corners = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    if float(np.abs(ordered - corners).max()) < 0.01 * max(width, height):
        return image, False  # the page fills the image: a scan
    top_width = float(np.linalg.norm(ordered[1] - ordered[0]))
    bottom_width = float(np.linalg.norm(ordered[2] - ordered[3]))
    left_height = float(np.linalg.norm(ordered[3] - ordered[0]))
    right_height = float(np.linalg.norm(ordered[2] - ordered[1]))
    out_width, out_height = int(max(top_width, bottom_width)), int(max(left_height, right_height))
    target = np.array([[0, 0], [out_width - 1, 0], [out_width - 1, out_height - 1], [0, out_height - 1]],
                      dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(ordered, target)
    flat = cv2.warpPerspective(image, matrix, (out_width, out_height), borderValue=(255, 255, 255))
    # the page's own edge (a shadow, the background's rim) is not a ruling line: trim it off
    margin_x, margin_y = max(4, out_width // 50), max(4, out_height // 50)
    return flat[margin_y : out_height - margin_y, margin_x : out_width - margin_x].copy(), True


def rotate(image: Any, angle: float) -> Any:
    import cv2

    if abs(angle) < 0.05:
        return image
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    border = 255 if image.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=border)


@dataclass(slots=True)
class _Cell:
    x0: float
    top: float
    x1: float
    bottom: float
    boxes: list[OcrBox]


@dataclass(slots=True)
class _Table:
    x0: int
    top: int
    x1: int
    bottom: int
    xs: list[int]
    ys: list[int]
    slot_cell: list[list[int]]  # [row][column] → cell index
    cells: list[_Cell]


def ruling_masks(ink: Any) -> tuple[Any, Any]:
    """Horizontal and vertical ruling lines (ink runs far longer than any character)."""
    import cv2

    height, width = ink.shape
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, width // 30), 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(30, height // 60))))
    # bridge gaps a speckled or faint scan leaves in a line, without making lines longer
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 3)))
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 15)))
    return horizontal, vertical


def _cluster(values: Sequence[float], tolerance: float) -> list[int]:
    out: list[list[float]] = []
    for value in sorted(values):
        if out and value - out[-1][-1] <= tolerance:
            out[-1].append(value)
        else:
            out.append([value])
    return [round(sum(group) / len(group)) for group in out]


def find_tables(horizontal: Any, vertical: Any) -> list[_Table]:
    """Each ruled table: its line positions and the cells (slots merged where a line is missing)."""
    import cv2

    height, width = horizontal.shape
    frame = cv2.dilate(cv2.bitwise_or(horizontal, vertical), cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(frame, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    tables: list[_Table] = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if w < width * 0.25 or h < max(40, height * 0.03):
            continue
        table = _table_in(horizontal, vertical, x, y, w, h, long_line=max(60, height // 20))
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda table: table.top)
    return tables


def _table_in(horizontal: Any, vertical: Any, x: int, y: int, w: int, h: int, long_line: int) -> _Table | None:
    import cv2

    tolerance = 8
    h_region = horizontal[y : y + h, x : x + w]
    v_region = vertical[y : y + h, x : x + w]
    h_contours, _ = cv2.findContours(h_region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    v_contours, _ = cv2.findContours(v_region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    h_rects = [cv2.boundingRect(c) for c in h_contours]
    # a ruling line runs from one horizontal line to another, or is longer than any character;
    # a long stroke of a large character (the 丨 of a heading) is short and stops short of both.
    # (A table cut by a page break has no line at its bottom: its verticals end in the open.)
    reach = cv2.dilate(h_region, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 13)))
    v_rects = [
        (rx, ry, rw, rh) for rx, ry, rw, rh in (cv2.boundingRect(c) for c in v_contours)
        if rh >= long_line
        or (reach[ry : ry + 2, rx : rx + rw].any() and reach[max(0, ry + rh - 2) : ry + rh, rx : rx + rw].any())
    ]
    # the frame's box may take in strokes of a heading standing on the table's top line: the table
    # is only as tall as its own rulings
    kept = [rect for rect in h_rects if rect[2] >= w * 0.05] + v_rects
    if kept:
        first = min(ry for _, ry, _, _ in kept)
        last = max(ry + rh for _, ry, _, rh in kept)
        if first > 3 or last < h - 3:
            return _table_in(horizontal, vertical, x, y + first, w, last - first, long_line) if last - first > 20 else None
    v_region = v_region.copy()
    for contour in v_contours:
        rx, ry, rw, rh = cv2.boundingRect(contour)
        if (rx, ry, rw, rh) not in v_rects:
            v_region[ry : ry + rh, rx : rx + rw] = 0
    ys = _cluster([ry + rh / 2 for rx, ry, rw, rh in h_rects if rw >= w * 0.05], tolerance)
    xs = _cluster([rx + rw / 2 for rx, ry, rw, rh in v_rects if rh >= 15], tolerance)
    ys = _with_edges(ys, h, tolerance)
    xs = _with_edges(xs, w, tolerance)
    if len(ys) < 3 or len(xs) < 2:
        return None
    # above the top border only a continued table (cut by a page break) has its column lines; a
    # heading whose strokes touch the border does not
    full = [ry + rh // 2 for rx, ry, rw, rh in h_rects if rw >= w * 0.6]
    if full and min(full) > tolerance:
        border = min(full)
        above = sum(1 for _, ry, _, _ in v_rects if ry < border - tolerance)
        if above < max(2, (len(xs) - 1) // 2):
            return _table_in(horizontal, vertical, x, y + border - 2, w, h - border + 2, long_line)
    rows, columns = len(ys) - 1, len(xs) - 1

    def present(mask: Any, along_x: bool, fixed: int, start: int, end: int) -> bool:
        lo, hi = start + (end - start) // 5, end - (end - start) // 5
        if hi <= lo:
            return True
        if along_x:  # a horizontal boundary at y=fixed from x=start to end
            band = mask[max(0, fixed - 4) : fixed + 5, lo:hi]
            covered = band.max(axis=0) if band.size else band
        else:
            band = mask[lo:hi, max(0, fixed - 4) : fixed + 5]
            covered = band.max(axis=1) if band.size else band
        return bool(covered.size) and float((covered > 0).mean()) >= 0.6

    regions = merged_regions(
        rows, columns,
        lambda r, c: not present(v_region, False, xs[c + 1], ys[r], ys[r + 1]),
        lambda r, c: not present(h_region, True, ys[r + 1], xs[c], xs[c + 1]))
    cell_of_root: dict[int, int] = {}
    cells: list[_Cell] = []
    slot_cell: list[list[int]] = []
    for r in range(rows):
        row: list[int] = []
        for c in range(columns):
            root = regions[r][c]
            if root not in cell_of_root:
                cell_of_root[root] = len(cells)
                cells.append(_Cell(x + xs[c], y + ys[r], x + xs[c + 1], y + ys[r + 1], []))
            index = cell_of_root[root]
            cell = cells[index]
            cell.x0, cell.top = min(cell.x0, x + xs[c]), min(cell.top, y + ys[r])
            cell.x1, cell.bottom = max(cell.x1, x + xs[c + 1]), max(cell.bottom, y + ys[r + 1])
            row.append(index)
        slot_cell.append(row)
    return _Table(x, y, x + w, y + h, xs, ys, slot_cell, cells)


def _with_edges(positions: list[int], extent: int, tolerance: int) -> list[int]:
    if not positions or positions[0] > tolerance:
        positions = [0, *positions]
    if positions[-1] < extent - 1 - tolerance:
        positions = [*positions, extent - 1]
    return positions


def join_texts(texts: Sequence[str]) -> str:
    """Pieces of one line joined: no space between CJK pieces, one between ASCII words."""
    out = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if out and _ASCII_WORD_END.search(out) and _ASCII_WORD_START.match(text):
            out += " "
        out += text
    return out


def group_lines(boxes: Sequence[OcrBox]) -> list[list[OcrBox]]:
    """Boxes on the same printed line (they overlap vertically by half their height), left to right."""
    lines: list[list[OcrBox]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        middle = (box.top + box.bottom) / 2
        if lines:
            last = lines[-1]
            top = min(b.top for b in last)
            bottom = max(b.bottom for b in last)
            if top <= middle <= bottom and (box.bottom - box.top) < 3 * (bottom - top):
                last.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


def _line_box(line: Sequence[OcrBox]) -> OcrBox:
    return OcrBox(
        text=join_texts([box.text for box in line]),
        confidence=min(box.confidence for box in line),
        x0=min(box.x0 for box in line), top=min(box.top for box in line),
        x1=max(box.x1 for box in line), bottom=max(box.bottom for box in line),
    )


def _place(boxes: Sequence[OcrBox], tables: list[_Table]) -> tuple[list[OcrBox], list[tuple[_Table, OcrBox]]]:
    """Put each box into the table cell holding its centre.

    Returns the boxes outside every table, and the boxes that run across cells of one row
    ("1 1 0 0 2 1 0 0": the detector saw one text line over eight cells) for reading cell by cell.
    """
    outside: list[OcrBox] = []
    straddling: list[tuple[_Table, OcrBox]] = []
    for box in boxes:
        cx, cy = (box.x0 + box.x1) / 2, (box.top + box.bottom) / 2
        table = next((t for t in tables if t.x0 <= cx <= t.x1 and t.top <= cy <= t.bottom), None)
        if table is None:
            outside.append(box)
            continue
        crossed = [cell for cell in table.cells
                   if cell.top <= cy <= cell.bottom and min(box.x1, cell.x1) - max(box.x0, cell.x0) > 6]
        if len(crossed) > 1:
            straddling.append((table, box))
            continue
        best: _Cell | None = None
        best_overlap = 0.0
        for cell in table.cells:
            overlap = max(0.0, min(box.x1, cell.x1) - max(box.x0, cell.x0)) * max(
                0.0, min(box.bottom, cell.bottom) - max(box.top, cell.top))
            if cell.x0 <= cx <= cell.x1 and cell.top <= cy <= cell.bottom:
                overlap += 1e9  # the centre decides
            if overlap > best_overlap:
                best, best_overlap = cell, overlap
        if best is not None:
            best.boxes.append(box)
    return outside, straddling


def _recognize_in(engine: Engine, image: Any, ink: Any, x0: float, top: float, x1: float, bottom: float,
                  min_height: int) -> OcrBox | None:
    """Read the ink inside one box (a cell, or the part of a text line inside a cell)."""
    import cv2

    left, upper, right, lower = int(x0), int(top), int(x1), int(bottom)
    if right - left < 4 or lower - upper < 4:
        return None
    region = ink[upper:lower, left:right]
    count, _, stats, _ = cv2.connectedComponentsWithStats(region, connectivity=8)
    marks = [stats[i] for i in range(1, count) if stats[i][cv2.CC_STAT_HEIGHT] >= min_height]
    if not marks:
        return None
    mx0 = min(int(m[cv2.CC_STAT_LEFT]) for m in marks)
    my0 = min(int(m[cv2.CC_STAT_TOP]) for m in marks)
    mx1 = max(int(m[cv2.CC_STAT_LEFT] + m[cv2.CC_STAT_WIDTH]) for m in marks)
    my1 = max(int(m[cv2.CC_STAT_TOP] + m[cv2.CC_STAT_HEIGHT]) for m in marks)
    pad = max(4, (my1 - my0) // 4)
    crop = image[max(0, upper + my0 - pad) : upper + my1 + pad, max(0, left + mx0 - pad) : left + mx1 + pad]
    if crop.size == 0:
        return None
    text, confidence = engine.recognize(crop)
    text = text.strip()
    if not text:
        return None
    return OcrBox(text, confidence, float(left + mx0), float(upper + my0), float(left + mx1), float(upper + my1))


def _read_cells(engine: Engine, image: Any, ink: Any, straddling: list[tuple[_Table, OcrBox]],
                tables: list[_Table], dpi: int) -> None:
    """Cell-by-cell reading where the page-wide pass fell short.

    A line of text running across cells is read again inside each cell it crosses; a cell the
    detector left empty but which holds ink (a lone "0" is easy to miss) is read on its own.
    """
    min_height = max(6, dpi // 25)
    for table, box in straddling:
        cy = (box.top + box.bottom) / 2
        for cell in table.cells:
            if not (cell.top <= cy <= cell.bottom) or min(box.x1, cell.x1) - max(box.x0, cell.x0) <= 6:
                continue
            found = _recognize_in(engine, image, ink, max(box.x0 - 2, cell.x0 + 3), box.top - 2,
                                  min(box.x1 + 2, cell.x1 - 3), box.bottom + 2, min_height)
            if found is not None:
                cell.boxes.append(found)
    for table in tables:
        for cell in table.cells:
            if cell.boxes:
                continue
            found = _recognize_in(engine, image, ink, cell.x0 + 4, cell.top + 4, cell.x1 - 4, cell.bottom - 4,
                                  min_height)
            if found is not None:
                cell.boxes.append(found)


def _ocr_table(table: _Table) -> OcrTable | None:
    texts: list[str] = []
    confidences: list[float] = []
    for cell in table.cells:
        lines = group_lines(cell.boxes)
        texts.append(join_texts([join_texts([box.text for box in line]) for line in lines]))
        confidences.append(min((box.confidence for box in cell.boxes), default=1.0))
    rows: list[tuple[str, ...]] = []
    confidence_rows: list[tuple[float, ...]] = []
    id_rows: list[tuple[int, ...]] = []
    for slot_row in table.slot_cell:
        row = tuple(texts[index] for index in slot_row)
        if not any(row):
            continue
        rows.append(row)
        confidence_rows.append(tuple(confidences[index] for index in slot_row))
        id_rows.append(tuple(slot_row))
    if len(rows) < 2:
        return None
    return OcrTable(float(table.top), float(table.bottom), tuple(rows), tuple(confidence_rows), tuple(id_rows))


def read_page(image: Any, engine: Engine, dpi: int) -> OcrPage:
    """OCR one page image (RGB or gray numpy array) into lines and ruled tables."""
    import cv2
    import numpy as np

    image, flattened = flatten_page(image)
    gray = clean_gray(image)
    seal = seal_paper(image)
    ink = binarize(gray)
    angle = estimate_skew(ink)
    warnings: list[str] = ["ocr: a photographed page, flattened (perspective undone)"] if flattened else []
    if abs(angle) >= MAX_SKEW_DEGREES - 0.05:
        warnings.append(f"ocr: page tilted {angle:.1f}° or more; tables may be misread")
    gray = rotate(gray, angle)
    ink = rotate(ink, angle) if abs(angle) >= 0.05 else ink
    if abs(angle) >= 0.05:
        ink = binarize(gray)
    horizontal, vertical = ruling_masks(ink)
    tables = find_tables(horizontal, vertical)
    if seal is not None and tables:
        # a seal stamped over a table: its ink goes, and the table is found again without it
        # (only inside tables: red print elsewhere, a red-headed document's heading, is kept)
        paper = rotate(np.where(seal, 0, 255).astype(np.uint8), angle) < 128
        inside = np.zeros_like(paper)
        for table in tables:
            inside[max(0, table.top - 4) : table.bottom + 5, max(0, table.x0 - 4) : table.x1 + 5] = True
        # a ruling the seal crosses is print under the seal: a thin line blurred into the red
        # would be taken with it, and the cells on both sides would merge
        paper &= inside & (cv2.bitwise_or(horizontal, vertical) == 0)
        if paper.any():
            gray[paper] = 255
            ink = binarize(gray)
            horizontal, vertical = ruling_masks(ink)
            tables = find_tables(horizontal, vertical)
    # the engine reads the page without its ruling lines (they otherwise come back as 1, l or |)
    lines_mask = cv2.dilate(cv2.bitwise_or(horizontal, vertical), cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    in_tables = np.zeros_like(lines_mask)
    for table in tables:  # only table rulings: a bold title's long strokes are not lines
        in_tables[max(0, table.top - 4) : table.bottom + 5, max(0, table.x0 - 4) : table.x1 + 5] = 255
    lines_mask = cv2.bitwise_and(lines_mask, in_tables)
    cleaned = gray.copy()
    cleaned[lines_mask > 0] = 255
    page_image = cv2.cvtColor(cleaned, cv2.COLOR_GRAY2BGR)
    boxes = [box for box in engine.read(page_image) if box.text.strip()]
    outside, straddling = _place(boxes, tables)
    text_ink = cv2.bitwise_and(ink, cv2.bitwise_not(lines_mask))
    _read_cells(engine, page_image, text_ink, straddling, tables, dpi)
    boxes = [box for table in tables for cell in table.cells for box in cell.boxes] + outside
    ocr_tables = [t for t in (_ocr_table(table) for table in tables) if t is not None]
    lines = tuple(_line_box(line) for line in group_lines(outside))
    mean = float(np.mean([box.confidence for box in boxes])) if boxes else 0.0
    height, width = gray.shape
    return OcrPage(width=int(width), height=int(height), dpi=dpi, lines=lines, tables=tuple(ocr_tables),
                   mean_confidence=round(mean, 4), skew_degrees=round(angle, 2), warnings=tuple(warnings))


def is_finite(value: float) -> bool:
    return math.isfinite(value)
