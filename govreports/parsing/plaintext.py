"""Plain text (text extractions of real pages, .txt files) → `Document`.

The text still carries the page around the report: breadcrumbs ("您的位置:首页 - …"), the
信息公开 label lines (索 引 号 … 主题分类 … on one line, or "索引号:… | 体裁分类:… |"), the
"来源:… 发布日期:… 点击数:102 人次" line, footers. Label lines become `Document.meta`, chrome is
dropped, every other non-empty line is one `Paragraph` (tables in text layouts stay lines: the
table recogniser reads them from paragraphs).
"""

from __future__ import annotations

import re

from govreports.parsing.metadata import (
    dated_title_after,
    is_chrome_line,
    looks_like_title,
    names_a_year,
    organ_above_title,
    read_label_lines,
)
from govreports.parsing.models import Document, Paragraph

# "|" or "||": blank table cells of a text rendering (one cell per line), not page chrome
_BLANK_CELLS = re.compile(r"^[|｜][\s|｜]*$")
_PIPE = re.compile(r"[|｜]")
# the label block and page header sit above the report; look no further than this for them
HEADER_LINES = 25
# a printed portal page (browser print to PDF, a capture's text) sets menus and breadcrumbs above
# the title: when the first HEADER_LINES hold no title, it is looked for down to here
PRINTED_HEADER_LINES = 80


def title_index(lines: list[str], start: int, stop: int, skip: set[int]) -> int | None:
    """The first title line in lines[start:stop]; a yearless one ("政府信息公开年报", the breadcrumb's
    column) gives way to a title with a year in the next two lines."""
    for index in range(start, stop):
        if index in skip or not looks_like_title(lines[index]):
            continue
        if not names_a_year(lines[index]):
            dated = dated_title_after(lines, index, min(index + 3, stop), skip)
            if dated is not None:
                return dated
        return index
    return None


def split_header(lines: list[str]) -> tuple[dict[str, str], set[int]]:
    """Meta from the label lines near the top and the indexes of header lines to drop.

    Only the lines before the first long paragraph are searched (a label word inside the report
    is not metadata). Short navigation lines above the title ("政府信息公开") are header too.
    """
    limit = 0
    for limit, line in enumerate(lines[:HEADER_LINES]):
        if len(line.strip()) > 100:
            break
    else:
        limit = min(len(lines), HEADER_LINES)
        if title_index(lines, 0, limit, set()) is None:
            stop = next((i for i in range(limit, min(len(lines), PRINTED_HEADER_LINES)) if len(lines[i]) > 100),
                        min(len(lines), PRINTED_HEADER_LINES))
            found = title_index(lines, limit, stop, set())
            if found is not None:
                limit = min(len(lines), found + 3)  # the 来源/时间 line printed under the title
    meta, used = read_label_lines(lines[:limit])
    title_at = title_index(lines, 0, limit, used)
    if title_at is not None:
        # the organ line of a two-line title ("故城县教育局" / "2020年…报告") is the title's, not header
        keep = title_at - 1 if title_at and organ_above_title(lines[title_at - 1], lines[title_at]) else -1
        for index in range(title_at):
            if index == keep:
                continue
            line = lines[index].strip()
            if index not in used and len(line) <= 30 and not any(mark in line for mark in "。，,；;"):
                used.add(index)
    return meta, used


def text_to_document(text: str) -> Document:
    """Lines → Paragraphs, label lines → meta, chrome lines dropped (counted in warnings)."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    meta, header = split_header(lines)
    blocks: list[Paragraph] = []
    dropped = 0
    for index, line in enumerate(lines):
        if index in header:
            continue
        # "一、本年新收… |" then "|": a blank cell of a one-cell-per-line table; a "|" after a line
        # without pipes only separates cells ("规章" / "|" / "0" / "|") and is dropped like chrome
        blank_cell = bool(_BLANK_CELLS.match(line)) and bool(blocks) and bool(_PIPE.search(blocks[-1].text))
        if is_chrome_line(line) and not blank_cell:
            dropped += 1
            continue
        blocks.append(Paragraph(line))
    warnings: tuple[str, ...] = ()
    if not blocks:
        warnings = ("plaintext: no body text",)
    if dropped:
        meta = {**meta, "chrome_lines_dropped": str(dropped)}
    return Document(blocks=tuple(blocks), meta=meta, warnings=warnings)
