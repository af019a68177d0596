"""Top-level sections of a report: 一、… 二、… (and 第一部分 / 一. variants of older reports).

Headings are kept as published (original script). Table rows that look like headings
("一、本年新收政府信息公开申请数量", "三、本年度办理结果 | (一)予以公开 | 2 …") are not headings: they
carry cell separators, are followed by a bare number, or are known table row labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from govreports.parsing.models import Block, Grid, Paragraph
from govreports.parsing.text import collapse_whitespace, simplify

_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*[、.．]|第[一二三四五六七八九十]{1,3}(?:部分|章|节|项)[、.．:：\s]?)\s*\S"
)
_NUMBER_ONLY = re.compile(r"^[\s\d.,，+\-%／/—–增减万亿元件条]*$")
# labels of the applications table that start with a Chinese numeral
_TABLE_ROW_LABELS = re.compile(r"^[一二三四五六七八九十]+[、.．](?:本年新收|上年结转|本年度办理结果|结转下年度|本年度办理|本年办理)")
MAX_HEADING_CHARS = 50


def _grid_rows_text(grid: Grid) -> list[str]:
    from govreports.parsing.metadata import grid_lines

    return grid_lines(grid)


def is_heading(line: str, next_line: str | None = None) -> bool:
    """True when a line opens a top-level section of the report."""
    text = collapse_whitespace(line)
    if not text or len(text) > MAX_HEADING_CHARS or "|" in text:
        return False
    simplified = simplify(text)
    if not _HEADING.match(simplified) or _TABLE_ROW_LABELS.match(re.sub(r"\s+", "", simplified)):
        return False
    if re.search(r"[。；;]", simplified[:-1]):
        return False
    return not (next_line is not None and _NUMBER_ONLY.match(next_line.strip()) and next_line.strip())


def block_lines(blocks: Sequence[Block]) -> list[tuple[str, bool]]:
    """The text lines of the blocks, each with whether it may be a heading (table rows may not);
    `parse_report` builds them once for the body text and the sections."""
    lines: list[tuple[str, bool]] = []  # (text, may be a heading)
    for block in blocks:
        if isinstance(block, Paragraph):
            lines.append((block.text, True))
        else:
            lines.extend((row, False) for row in _grid_rows_text(block))
    return lines


def split_sections(blocks: Sequence[Block]) -> list[dict[str, str]]:
    """[{heading, text}] in order; text before the first heading belongs to no section."""
    return sections_of_lines(block_lines(blocks))


def sections_of_lines(lines: Sequence[tuple[str, bool]]) -> list[dict[str, str]]:
    """`split_sections` of lines `block_lines` gave."""
    sections: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    body: list[str] = []
    for index, (text, may_be_heading) in enumerate(lines):
        following = lines[index + 1][0] if index + 1 < len(lines) else None
        if may_be_heading and is_heading(text, following):
            if current is not None:
                current["text"] = "\n".join(body)
                sections.append(current)
            current = {"heading": collapse_whitespace(text), "text": ""}
            body = []
        elif current is not None:
            body.append(text)
    if current is not None:
        current["text"] = "\n".join(body)
        sections.append(current)
    return sections
