"""Find the three statistics tables in a document and map them to the spec's keys.

Every source is first flattened into one stream of tokens — label cells, value cells and row
ends — so grids (HTML/PDF/DOCX), pipe rows, whitespace rows and one-cell-per-line text are read
by the same state machine. Labels decide everything: which table we are in, which row a run of
values belongs to, which column a table-1 value is. Positions are used only inside a row (the
spec's column order) and for the table-3 row of 15 numbers whose header can be lost.

Blank cells become ``None`` with a warning naming table/row/column; nothing is ever guessed as 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from govreports import spec
from govreports.parsing import table_labels as L
from govreports.parsing.glued import (
    Identity,
    Unglued,
    group_sums_identity,
    plain_digits,
    row_sum_identity,
    unglue,
    unglue_rules,
)
from govreports.parsing.models import Block, Grid, Paragraph
from govreports.parsing.numbers import (
    clean_cell,
    grid_cell,
    has_lookalike_digit,
    is_blank,
    is_value_cell,
    parse_change,
    parse_count,
    parse_money_wan,
    read_count_cell,
)
from govreports.parsing.text import collapse_whitespace

MAX_GRID_ROWS = 400
MAX_GRID_COLUMNS = 80
MAX_TOKENS = 200_000
MAX_ROWS_PER_TABLE = 200  # real tables have ≤ 26 rows; more means the same text repeated or garbage
MAX_WARNINGS = 100
_PIPES = re.compile(r"[|｜]")
# what PDF-to-markdown tools put inside a cell: line breaks as <br>, emphasis marks
_MARKDOWN_INLINE = re.compile(r"<br\s*/?>|\*\*|__|`", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"^\d+$")
_MARKDOWN_RULE = re.compile(r"^[|｜]?\s*:?-{3,}:?\s*(?:[|｜]\s*:?-{3,}:?\s*)*[|｜]?$")
_PAGE_MARKER = re.compile(r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[/,，]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$")
_COUNT_COLUMNS = frozenset(column for column, kind in spec.ACTIVE_COLUMN_TYPES.items() if kind == "count")


Cell = int | float | str | None
"""A mapped cell: a count, a signed change, 万元, or text; None when printed blank."""
Rows = dict[str, dict[str, Cell]]
"""One mapped table: row key → column key → cell (spec keys)."""


@dataclass(frozen=True, slots=True)
class TablesResult:
    """The mapped tables (spec keys), the format the labels name, and what could not be read."""

    tables: dict[str, Rows]
    format: str | None
    warnings: tuple[str, ...]
    # the cells behind the summary warnings: ({table, cause, count, cells}, ...)
    details: tuple[dict[str, Any], ...] = ()


@dataclass(slots=True)
class _Token:
    kind: str  # "label" | "value" | "end" (a row or line ends) | "break" (a grid ends)
    text: str = ""
    line: int = 0  # tokens of one grid row / one text line share it
    col: int | None = None  # grid column (None for text)
    span: int = 1
    grid: int = -1  # grid number, -1 for text
    width: int = 0  # grid width
    # a text cell between pipes holding several space-separated numbers ("95 | 0   0   0 | 95", OCR
    # text that kept some separators): its numbers are tokens of their own sharing this id (> 0)
    joined: int = 0


@dataclass(slots=True)
class _Column:
    key: str | None
    text: str
    start: int | None = None
    end: int | None = None


@dataclass(slots=True)
class _RawRow:
    table: str  # "active_disclosure" | "applications" | "review_litigation"
    key: str
    label: str
    line: int
    expected: int
    values: list[_Token] = field(default_factory=list)
    columns: list[_Column] = field(default_factory=list)
    tentative: bool = False


# ------------------------------------------------------------------------------ tokenizing




def _tokenize(blocks: Sequence[Block], warnings: list[str], ocr_grids: set[int]) -> list[_Token]:
    """The token stream of the blocks; the numbers of the grids read by OCR are added to `ocr_grids`."""
    tokens: list[_Token] = []
    line = 0
    grid_no = 0
    joined_cells = 0
    for block in blocks:
        if len(tokens) > MAX_TOKENS:
            warnings.append(f"tables: document too large; only the first {MAX_TOKENS} cells were read")
            break
        if isinstance(block, Grid):
            grid_no += 1
            rows = block.rows
            if len(rows) > MAX_GRID_ROWS:
                warnings.append(f"tables: a grid of {len(rows)} rows was cut to {MAX_GRID_ROWS}")
                rows = rows[:MAX_GRID_ROWS]
            width = max((len(row) for row in rows), default=0)
            if width > MAX_GRID_COLUMNS:
                warnings.append(f"tables: a grid of {width} columns was cut to {MAX_GRID_COLUMNS}")
                width = MAX_GRID_COLUMNS
            # the cell loop runs for every grid cell of the document: names are bound locally, and the
            # previous label is kept in a local rather than read back from the token's attributes
            append, token_of, read = tokens.append, _Token, grid_cell
            ocr = block.source == "ocr"
            if ocr:
                ocr_grids.add(grid_no)
            for row in rows:
                line += 1
                label: _Token | None = None  # the previous cell, when it is a label
                valued = False  # a number came before on this row (not a blank: header rows have those)
                numbered = ocr and any(_DIGIT.search(str(cell)) for cell in row)
                for col, cell in enumerate(row[:MAX_GRID_COLUMNS]):
                    text, is_value = read(cell)
                    if is_value or (numbered and _ocr_value(text, valued)):
                        append(token_of("value", text, line, col, 1, grid_no, width))
                        label = None
                        if numbered:
                            valued = valued or not is_blank(text)
                    elif label is not None and label.text == text:
                        label.span += 1  # a merged cell repeated by the grid
                    else:
                        label = token_of("label", text, line, col, 1, grid_no, width)
                        append(label)
                append(token_of("end", "", line, None, 1, grid_no, width))
            tokens.append(_Token("break", grid=grid_no))
        elif isinstance(block, Paragraph):
            for raw_line in str(block.text).splitlines():
                stripped = raw_line.strip()
                if not stripped:
                    continue
                line += 1
                if _PIPES.search(stripped):
                    if _MARKDOWN_RULE.match(stripped):
                        continue  # "|---|:---:|": the header rule of a markdown table
                    cells = _PIPES.split(stripped)
                    if cells and not cells[-1].strip():
                        cells = cells[:-1]  # the empty piece after a closing pipe
                    if len(cells) > 1 and not cells[0].strip() and _PIPES.match(stripped):
                        cells = cells[1:]  # the empty piece before an opening pipe ("| 2 | 1 |")
                    if len(cells) > 1 and not any(cell.strip() for cell in cells):
                        continue  # "|  |  |  |" or "||||": a blank separator row ("|" alone is one blank cell)
                    for cell in cells:
                        text = collapse_whitespace(_MARKDOWN_INLINE.sub(" ", cell))
                        kind = "value" if is_value_cell(text) else "label"
                        words = text.split(" ")
                        if kind == "value" and len(words) > 1 and all(_PLAIN_NUMBER.match(w) for w in words):
                            joined_cells += 1
                            tokens.extend(_Token("value", word, line, joined=joined_cells) for word in words)
                            continue
                        tail = len(words)
                        while kind == "label" and tail > 1 and _PLAIN_NUMBER.match(words[tail - 1]):
                            tail -= 1
                        if tail < len(words):  # "一、本年新收政府信息公开申请数量   95 | 0 …": OCR kept no pipe after the label
                            tokens.append(_Token("label", " ".join(words[:tail]), line))
                            tokens.extend(_Token("value", word, line) for word in words[tail:])
                        else:
                            tokens.append(_Token(kind, text, line))
                    tokens.append(_Token("end", line=line))
                    continue
                if _PAGE_MARKER.match(stripped):
                    continue  # "- 4 -", "第 3 页": page furniture inside a split table
                words = stripped.split()
                tail = len(words)
                while tail > 0 and is_value_cell(words[tail - 1]) and words[tail - 1] not in ("无",):
                    tail -= 1
                if tail == len(words):
                    text = collapse_whitespace(stripped)
                    kind = "value" if is_value_cell(text) else "label"
                    tokens.append(_Token(kind, text, line))
                    continue
                if tail > 0:
                    tokens.append(_Token("label", " ".join(words[:tail]), line))
                elif len(words) == 1:
                    tokens.append(_Token("value", words[0], line))
                    continue
                for word in words[tail:]:
                    tokens.append(_Token("value", word, line))
                tokens.append(_Token("end", line=line))
    return tokens


def _ocr_value(text: str, after_number: bool) -> bool:
    """A cell of a scanned grid row holding numbers that the readers reject but that stands for a
    value, so it keeps its column (and is null with a warning, or a count without its specks)
    instead of becoming a label that drops the cell and shifts the row's numbers one column left:
    digits with specks around them and no letter of a label ("3119.", ".1288", "-34..", "0—"); a
    speck alone ("，", "。": as prose it even ended the table); after a number, a short scrap OCR
    read over a seal's stroke ("A", "二")."""
    if len(text) <= 8 and _DIGIT.search(text) and not _HAN.search(text):
        return True
    if not 0 < len(text) <= 4:
        return False
    if not any(char.isalnum() for char in text):
        return True
    return after_number and L.classify(text).kind in ("fragment", "prose")


_DIGIT = re.compile(r"\d")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# specks a scan leaves beside a number ("3119.", ".1288", "-34..", "4:"): a count has no point,
# colon or sign
_SPECKED_COUNT = re.compile(r"^-?[.·:：,，。'`]*(\d+)[.·:：,，。'`]*$")


def _despeckled(token: _Token) -> _Token:
    """An OCR count cell without the specks at its edges ("3119." is 3119); only counts come here
    (tables 2 and 3), where a point cannot be a decimal point."""
    match = _SPECKED_COUNT.match(token.text)
    if match is None or match.group(1) == token.text:
        return token
    return _Token(token.kind, match.group(1), token.line, token.col, token.span, token.grid, token.width,
                  token.joined)


# ------------------------------------------------------------------------------ the state machine


class _Mapper:
    """Walks the token stream and cuts it into raw rows of the three tables."""

    def __init__(self, tokens: list[_Token], warnings: list[str]) -> None:
        self.tokens = tokens
        self.warnings = warnings
        self.table = ""  # "t1", "t2", "t3" or ""
        self.header_mode = False
        self.header_open = False  # a table-1 header is being read (it may span several text lines)
        self.columns: list[_Column] = []
        self.groups: tuple[str, ...] = ()
        self.row: _RawRow | None = None
        self.orphans: list[_Token] = []
        self.orphan_label = ""
        self.rows: list[_RawRow] = []
        self.value_column: dict[tuple[int, int], int] = {}  # (grid, width) → first table-2 value column
        self.value_column_by_width: dict[int, int] = {}
        self.seen_tables: set[str] = set()
        self.last_line_label: dict[int, str] = {}
        # lines holding a label: blank cells there are header padding for table 3
        self.label_lines: set[int] = {t.line for t in tokens if t.kind == "label" and t.text}

    # -- rows
    def close_row(self) -> None:
        row = self.row
        self.row = None
        if row is None or not row.key:
            return
        if row.values:
            self.rows.append(row)

    def open_row(self, table: str, key: str, label: str, line: int, expected: int, tentative: bool = False) -> None:
        self.close_row()
        self.row = _RawRow(table, key, label, line, expected, columns=list(self.columns), tentative=tentative)

    def flush_orphans(self) -> None:
        filled = [t.text for t in self.orphans if not is_blank(t.text)]
        if filled and len(self.orphan_label.replace(" ", "")) <= 20:  # longer: a wrapped prose line
            where = f" after {self.orphan_label!r}" if self.orphan_label else ""
            self.warnings.append(f"tables: {len(filled)} value(s) {filled[:8]} belong to no known row{where}; ignored")
        self.orphans = []
        self.orphan_label = ""

    def _values_follow(self, index: int) -> bool:
        """True when the token after `index` is a value on the same line (the label's own values)."""
        token = self.tokens[index]
        nxt = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        return nxt is not None and nxt.kind == "value" and nxt.line == token.line

    def adopt_orphans(self, index: int) -> None:
        """Values printed before their (wrapped) label go to this label's row; else they are lost."""
        if self.row is None or not self.orphans:
            return
        if any(not is_blank(t.text) for t in self.orphans) and not self._values_follow(index):
            self.row.values.extend(self.orphans)
            self.row.line = -1  # finished: its values came from another line
            self.orphans = []
            self.orphan_label = ""
            self.close_row()
        else:
            self.flush_orphans()

    def _join_wrapped_header(self, text: str) -> bool:
        """A text rendering prints a wrapped header cell as two lines ("本年新" / "公开数量",
        "对外公开" / "总数量"): a piece joins the previous piece, when that names no column yet and
        together they name one. True when joined."""
        last = self.columns[-1]
        if last.key not in (None, L.AMBIGUOUS_COLUMN):
            return False  # the previous piece names a column already: this one starts the next
        key = L.active_column_key(last.text + text)
        if key is None or key == L.AMBIGUOUS_COLUMN:
            return False
        self.columns[-1] = _Column(key, last.text + text)
        return True

    # -- tokens
    def run(self) -> list[_RawRow]:
        for index, token in enumerate(self.tokens):
            if token.kind == "label":
                self.on_label(token, index)
            elif token.kind == "value":
                self.on_value(token)
            elif token.kind == "end":
                self.on_end(token)
            elif token.kind == "break":
                self.header_mode = False
        self.close_row()
        self.flush_orphans()
        return self.rows

    def on_value(self, token: _Token) -> None:
        if not (self.header_mode and is_blank(token.text)):
            self.header_open = False
        row = self.row
        if (
            row is not None
            and row.table == "review_litigation"
            and token.line in self.label_lines
            and is_blank(token.text)
        ):
            return  # padding of a header row of table 3
        if row is not None and (row.line == token.line or len(row.values) < row.expected):
            if (row.line != token.line and token.grid == -1 and not is_blank(token.text) and row.values
                    and row.values[0].line == row.line and all(is_blank(v.text) for v in row.values)):
                row.values.clear()  # the label's line held only padding; its cells are on this line
            row.values.append(token)
            return
        if self.header_mode or not self.table:
            return  # padding of a header row, or a number at the end of a prose line
        if self.orphans and self.orphans[-1].line != token.line:
            self.flush_orphans()
        if not self.orphans:
            self.orphan_label = self.last_line_label.get(token.line, "")
        self.orphans.append(token)

    def on_end(self, token: _Token) -> None:
        self.header_mode = False
        row = self.row
        if row is not None and row.values and row.line == token.line:
            # a text row whose line held only blank cells may go on on the next line (a label cut
            # by a line break: "（二）部分公开（…只计这一情 |  |" / "形，不计其他情形） | 29 | …")
            if (token.grid == -1 and len(row.values) < row.expected
                    and all(is_blank(value.text) for value in row.values)):
                return
            self.close_row()

    def on_label(self, token: _Token, index: int) -> None:
        label = L.classify(token.text)
        kind = label.kind
        if kind == "fragment":
            if self.header_mode and self.table == "t1":
                if token.col is None and self.columns and self._join_wrapped_header(token.text):
                    return
                self.columns.append(_Column(None, token.text, token.col, _end(token)))
            else:
                self.last_line_label[token.line] = token.text
            return
        if kind == "prose":
            self.close_row()
            self.flush_orphans()
            self.table = ""
            self.header_mode = False
            return
        if kind in ("caption", "t1_header", "t2_marker", "t3_marker"):
            self.seen_tables.add(kind)
        if kind == "caption":
            self.close_row()
            self.table, self.columns, self.header_mode, self.header_open = "t1", [], False, False
            return
        if kind == "section":
            self.close_row()
            self.flush_orphans()
            self.table = label.key
            self.header_mode = False
            if label.key == "t3":
                self.open_row("review_litigation", "all", token.text, token.line, 15)
            return
        if kind == "t1_header":
            self.close_row()
            self.table, self.header_mode, self.header_open = "t1", True, True
            self.columns = [_Column(L.active_column_key(text), text) for text in label.columns]
            return
        if kind == "t1_column":
            if self.header_mode or (self.table == "t1" and self.row is None):
                # a header whose 信息内容 cell was lost starts anew, unless the header is printed
                # one cell per line ("信息内容 |" / "本年新制作数量 |" / …) and goes on
                if not self.header_mode and not (self.header_open and token.col is None):
                    self.columns = []
                self.header_mode = True
                self.header_open = True
                self.columns.append(_Column(label.key, token.text, token.col, _end(token)))
            return
        if kind == "t1_row":
            self.header_mode = self.header_open = False
            self.table = "t1"
            expected = len(self.columns) or 3
            self.open_row("active_disclosure", label.key, token.text, token.line, expected)
            self.adopt_orphans(index)
            return
        if kind == "t2_marker":
            if self.row is not None and self.row.table != "applications":
                self.close_row()
            self.table = "t2"
            self.header_mode = False
            if label.key == "natural_person" and token.col is not None:
                self.value_column[(token.grid, token.width)] = token.col
                self.value_column_by_width[token.width] = token.col
            return
        if kind == "t2_row":
            self.table = "t2"
            self.header_mode = False
            if label.groups:
                self.groups = label.groups
            if not label.key:  # a group label alone
                if self.row is not None and self.row.values:
                    self.close_row()
                return
            key = label.key
            if label.alternatives and self.groups:
                # equal scores: the group we are in decides
                for candidate in (key, *label.alternatives):
                    if _group_of(candidate) == self.groups[-1]:
                        key = candidate
                        break
            current = self.row
            if current is not None and current.tentative and not current.values:
                self.row = None  # "（六）其他处理" was the group label of the 2021 sub-rows
            self.open_row("applications", key, token.text, token.line, 7, tentative=label.tentative)
            self.groups = (*label.groups, _group_of(key)) if not label.groups else label.groups
            self.adopt_orphans(index)
            return
        if kind == "t3_marker" or (kind == "total" and self.table == "t3"):
            self.table = "t3"
            self.header_mode = False
            if self.row is None or self.row.table != "review_litigation":
                self.open_row("review_litigation", "all", token.text, token.line, 15)
            return
        # "total" elsewhere: a column header of table 2


def _end(token: _Token) -> int | None:
    return None if token.col is None else token.col + token.span - 1


def _group_of(key: str) -> str:
    for row in L.APPLICATION_ROW_MATCHERS:
        if row.key == key:
            return row.group
    return ""


# ------------------------------------------------------------------------------ mapping raw rows


def _fit(values: list[_Token], expected: int) -> tuple[list[str | None], bool]:
    """Exactly `expected` cell texts: padding trimmed, missing cells None. Second item: had to guess."""
    texts = [t.text for t in values]
    while len(texts) > expected and texts and is_blank(texts[-1]):
        texts.pop()
    while len(texts) > expected and texts and is_blank(texts[0]):
        texts.pop(0)
    guessed = len(texts) != expected
    if len(texts) > expected:
        texts = texts[:expected]
    out: list[str | None] = list(texts)
    out.extend([None] * (expected - len(out)))
    return out, guessed


# cause → how a summary warning names the cells ("125 blank cells in 5 columns → null")
CELL_CAUSES: dict[str, tuple[str, str]] = {
    "blank": ("blank cell", "blank cells"),
    "missing": ("missing cell", "missing cells"),
    "unreadable": ("cell that cannot be read as a count or amount", "cells that cannot be read as a count or amount"),
    "lookalike": ("number with a look-alike letter (O for 0, l for 1)", "numbers with look-alike letters (O for 0, l for 1)"),
    "glued": ("cell lost in glued digits (no single split fits the format)",
              "cells lost in glued digits (no single split fits the format)"),
    "unplaced": ("cell after a cell of several numbers (its column is unknown)",
                 "cells after a cell of several numbers (their columns are unknown)"),
    "glued_recovered": ("cell recovered from glued digits (one split fits the format)",
                        "cells recovered from glued digits (one split fits the format)"),
}
_NULLING_CAUSES = frozenset(CELL_CAUSES) - {"glued_recovered"}


@dataclass(slots=True)
class _CellIssues:
    """Cell-level problems of one table, summarised as one warning per cause (issue 15)."""

    table: str
    cells: dict[str, list[str]] = field(default_factory=dict)  # cause → ["row.column" or "row.column: 'text'"]

    def add(self, cause: str, where: str, text: str | None = None) -> None:
        self.cells.setdefault(cause, []).append(f"{where}: {text!r}" if text is not None else where)

    def warnings(self) -> list[str]:
        out = []
        for cause, cells in self.cells.items():
            columns = {cell.split(":", 1)[0].rsplit(".", 1)[-1] for cell in cells}
            noun = CELL_CAUSES[cause][len(cells) != 1]
            shown = ", ".join(cells[:3]) + (", …" if len(cells) > 3 else "")
            tail = " → null" if cause in _NULLING_CAUSES else ""
            out.append(f"{self.table}: {len(cells)} {noun} in {len(columns)} column{'s' if len(columns) != 1 else ''}"
                       f"{tail} ({shown})")
        return out

    def details(self) -> list[dict[str, Any]]:
        return [{"table": self.table, "cause": cause, "count": len(cells), "cells": list(cells)}
                for cause, cells in self.cells.items()]


def _cause_of_unreadable(text: str) -> str:
    return "lookalike" if has_lookalike_digit(text) else "unreadable"


class _Builder:
    def __init__(self, rows: list[_RawRow], fmt: str | None, mapper: _Mapper, warnings: list[str],
                 ocr_grids: set[int]) -> None:
        self.rows = rows
        self.ocr_grids = ocr_grids  # numbers of the grids read by OCR from scans
        self.fmt = fmt
        self.mapper = mapper
        self.warnings = warnings
        self.issues = _CellIssues("")
        self.details: list[dict[str, Any]] = []
        self.explained: set[str] = set()  # null cells already accounted for (glued, ambiguous split)
        self.specks: list[str] = []  # OCR count cells read without specks ("row: '3119.'")

    def _unglue_or_fit(self, values: list[_Token], paths: list[str], identity: Identity | None) -> tuple[list[str | None], bool]:
        """The row's cell texts: glued digit runs of a text rendering split back when the format's
        identity leaves one split (glued.py), else `_fit`. Second item: had to guess."""
        expected = len(paths)
        unglued = _read_rules_as_ones(values, expected, identity)
        values = _rejoin_unless_exact(values, expected, identity)
        if unglued is None and values and len(values) < expected and all(t.col is None for t in values):
            unglued = unglue([clean_cell(t.text) for t in values], expected, identity)
        if unglued is not None:
            source = " ".join(t.text for t in values)
            for column in unglued.glued_columns:
                cause = "glued" if unglued.cells[column] is None else "glued_recovered"
                self.issues.add(cause, paths[column], source)
                self.explained.add(paths[column])
            return list(unglued.cells), False
        if values and len(values) < expected and all(t.col is None for t in values):
            several = next((i for i, t in enumerate(values) if " " in clean_cell(t.text)), None)
            if several is not None:
                # a cell holding several numbers stands for an unknown number of cells: the cells
                # after it cannot be placed, so they are null rather than shifted into wrong columns
                texts = [t.text for t in values[: several + 1]]
                for column in range(several + 1, expected):
                    self.issues.add("unplaced", paths[column])
                    self.explained.add(paths[column])
                return [*texts, *([None] * (expected - len(texts)))], False
        return _fit(values, expected)

    def _despeckled(self, values: list[_Token], where: str) -> list[_Token]:
        """The count cells of a row without the specks a scan left beside their digits, said in a warning."""
        ocr_grids = self.ocr_grids
        if not ocr_grids:
            return values
        out = [_despeckled(token) if token.grid in ocr_grids else token for token in values]
        self.specks.extend(f"{where}: {old.text!r}" for old, new in zip(values, out) if old is not new)
        return out

    def _read_count(self, text: str | None, where: str) -> int | None:
        if text is None and where in self.explained:
            return None  # a glued cell whose split is ambiguous: already said
        if text is None:
            self.issues.add("missing", where)
            return None
        blank, value = read_count_cell(text)
        if blank:
            self.issues.add("blank", where)
            return None
        if value is None:
            self.issues.add(_cause_of_unreadable(text), where, text)
        return value

    def build(self) -> dict[str, Rows]:
        tables: dict[str, Rows] = {}
        outer = self.warnings
        for name, build in (
            ("active_disclosure", self.active_disclosure),
            ("applications", self.applications),
            ("review_litigation", self.review_litigation),
        ):
            self.warnings = []
            self.issues = _CellIssues(name)
            self.specks = []
            table = build()
            if self.specks:
                self.warnings.append(f"{name}: {len(self.specks)} OCR count cell(s) read without the specks beside "
                                     f"their digits ({', '.join(self.specks[:3])}{', …' if len(self.specks) > 3 else ''})")
            if table and not any(v is not None for row in table.values() for v in _leaves(row)):
                # a blank form (e.g. the Word template): no data, said once rather than per cell
                outer.append(f"{name}: table found but every cell is blank; left out")
            elif table:
                tables[name] = table
                outer.extend(self.warnings)
                outer.extend(self.issues.warnings())
                self.details.extend(self.issues.details())
            else:
                outer.extend(self.warnings)
        self.warnings = outer
        return tables

    def _store(self, out: Rows, key: str, value: dict[str, Cell], where: str) -> None:
        if key in out:
            if out[key] != value:
                self.warnings.append(f"{where}: printed twice with different values; the first is kept")
            return
        out[key] = value

    # -- table 2
    def _application_cells(self, row: _RawRow) -> list[_Token]:
        values = row.values
        grid_values = [t for t in values if t.col is not None]
        if grid_values and len(grid_values) == len(values):
            token = grid_values[0]
            start = self.mapper.value_column.get((token.grid, token.width))
            if start is None:
                start = self.mapper.value_column_by_width.get(token.width)
            if start is not None:
                kept = [t for t in values if t.col is not None and t.col >= start]
                if kept:
                    return kept
        return values

    def applications(self) -> Rows:
        out: Rows = {}
        for row in self.rows:
            if row.table != "applications":
                continue
            where = f"applications.{row.key}"
            paths = [f"{where}.{column}" for column in spec.APPLICANT_COLUMNS]
            cells_read = self._despeckled(self._application_cells(row), where)
            texts, guessed = self._unglue_or_fit(cells_read, paths, row_sum_identity(6))
            if guessed:
                self.warnings.append(
                    f"{where}: {len(row.values)} value cells for 7 columns ({[t.text for t in row.values][:10]})"
                )
            cells: dict[str, Cell] = {  # the cell paths written above, not formatted again
                column: self._read_count(text, path) for column, text, path in zip(spec.APPLICANT_COLUMNS, texts, paths)
            }
            self._store(out, row.key, cells, where)
        if out:
            present = set(out)
            leaves = spec.RESULT_ROWS_2021 if present.intersection(spec.OTHER_HANDLING_ROWS_2021) else spec.RESULT_ROWS_2019
            required = ("new_received", "carried_over", *leaves, "results_total", "carried_forward")
            missing = [key for key in required if key not in present]
            if missing:
                self.warnings.append(f"applications: rows not found: {', '.join(missing)}")
            out = {key: out[key] for key in spec.APPLICATION_ROWS if key in out}
        return out

    # -- table 3
    def review_litigation(self) -> Rows:
        out: Rows = {}
        for row in self.rows:
            if row.table != "review_litigation":
                continue
            paths = [f"review_litigation.{group}.{column}" for group in spec.REVIEW_GROUPS for column in spec.REVIEW_COLUMNS]
            texts, guessed = self._unglue_or_fit(self._despeckled(row.values, "review_litigation"), paths,
                                                 group_sums_identity(3, 4))
            if guessed:
                self.warnings.append(
                    f"review_litigation: {len(row.values)} value cells for 15 columns ({[t.text for t in row.values][:20]})"
                )
            groups: Rows = {}
            for g, group in enumerate(spec.REVIEW_GROUPS):
                groups[group] = {
                    column: self._read_count(texts[g * 5 + c], f"review_litigation.{group}.{column}")
                    for c, column in enumerate(spec.REVIEW_COLUMNS)
                }
            if out:
                if out != groups:
                    self.warnings.append("review_litigation: printed twice with different values; the first is kept")
                continue
            out = groups
        return out

    # -- table 1
    def _format_for_active(self) -> str:
        if self.fmt in ("2019", "2021"):
            return self.fmt
        for row in self.rows:
            if row.table == "active_disclosure" and row.key in ("other_services", "procurement"):
                return "2019"
            if row.table == "active_disclosure" and row.key in ("licensing", "punishment", "coercion"):
                filled = [t for t in row.values if not is_blank(t.text)]
                return "2019" if len(filled) >= 3 else "2021"
        return "2019"

    def _active_columns(self, row: _RawRow, fmt: str) -> list[_Column]:
        """The row's columns: its block header when that fits the row, else the format's order."""
        printed = L.ACTIVE_PRINTED_COLUMNS
        layout = printed[fmt].get(row.key) or printed["2019"][row.key]
        allowed = set(printed["2019"].get(row.key, ())) | set(printed["2021"].get(row.key, ()))
        allowed.add(L.AMBIGUOUS_COLUMN)
        header = [c for c in row.columns if c.key is not None]
        where = f"active_disclosure.{row.key}"
        if header and all(c.key in allowed for c in header):
            columns = [_Column(c.key, c.text, c.start, c.end) for c in header]
            if len(columns) < len(layout):
                columns = _split_repeated_truncations(columns, len(layout))
            unresolved = [i for i, c in enumerate(columns) if c.key == L.AMBIGUOUS_COLUMN]
            if len(columns) == len(layout):
                for i in unresolved:  # "本年新 | 本年新 | 对外公开总数量": the block's order decides
                    columns[i].key = layout[i]
            else:
                spare = [key for key in layout if key not in {c.key for c in columns}]
                for i in unresolved:
                    columns[i].key = spare.pop(0) if spare else None
            return [c for c in columns if c.key]
        if header:
            self.warnings.append(
                f"{where}: header {[c.text for c in header]} does not fit the row; "
                f"columns taken in the order of the {fmt} format"
            )
        else:
            self.warnings.append(f"{where}: no column header; columns taken in the order of the {fmt} format")
        return [_Column(key, "") for key in layout]

    def active_disclosure(self) -> Rows:
        out: Rows = {}
        fmt = self._format_for_active()
        for row in self.rows:
            if row.table != "active_disclosure":
                continue
            columns = self._active_columns(row, fmt)
            texts = _align(columns, row.values)
            if texts is None:
                # table 1 has no equality among a row's cells: only a run with one split at all is recovered
                paths = [f"active_disclosure.{row.key}.{c.key}" for c in columns]
                texts, guessed = self._unglue_or_fit(_unmerge(row.values, len(columns)), paths, None)
                if guessed:
                    self.warnings.append(
                        f"active_disclosure.{row.key}: {len(row.values)} value cells for columns "
                        f"{[c.key for c in columns]}"
                    )
            cells: dict[str, Cell] = {}
            for column, text in zip(columns, texts):
                where = f"active_disclosure.{row.key}.{column.key}"
                if column.key == "amount" or (column.key == "amount_wan_yuan" and row.key == "procurement"):
                    amount = self._money(text, column.text, f"active_disclosure.{row.key}.amount_wan_yuan")
                    cells["amount_wan_yuan"] = amount
                    cells["amount_text"] = text if text and not is_blank(text) else None
                elif column.key == "amount_wan_yuan":
                    cells["amount_wan_yuan"] = self._money(text, column.text or "万元", where)
                elif column.key == "change":
                    cells["change"] = self._change(text, where)
                elif column.key in _COUNT_COLUMNS:
                    cells[column.key] = self._read_count(text, where)
            if row.key == "procurement":
                cells = {
                    "projects": cells.get("projects"),
                    "amount_wan_yuan": cells.get("amount_wan_yuan"),
                    "amount_text": cells.get("amount_text"),
                }
            self._store(out, row.key, cells, f"active_disclosure.{row.key}")
        return {key: out[key] for key in spec.ACTIVE_ROWS if key in out}

    def _money(self, text: str | None, header: str, where: str) -> float | int | None:
        if text is None and where in self.explained:
            return None
        if text is None or is_blank(text):
            self.issues.add("blank", where)
            return None
        value = parse_money_wan(text, header or None)
        if value is None:
            self.issues.add(_cause_of_unreadable(text), where, text)
        return value

    def _change(self, text: str | None, where: str) -> int | None:
        if text is None and where in self.explained:
            return None
        if text is None or is_blank(text):
            self.issues.add("blank", where)
            return None
        value = parse_change(text)
        if value is None:
            self.issues.add(_cause_of_unreadable(text), where, text)
        return value


def _read_rules_as_ones(values: list[_Token], expected: int, identity: Identity | None) -> Unglued | None:
    """OCR text of a ruled table whose rules came out as "1" (glued.unglue_rules), tried only when
    the row's digits as printed fit the format in no way: as many cells as columns that break the
    format's identity, or fewer cells that no split without rules can make fit."""
    if identity is None or not values or len(values) > expected or any(t.col is not None for t in values):
        return None
    texts = [clean_cell(t.text) for t in values]
    if not all(map(plain_digits, texts)) or not any("1" in text for text in texts):
        return None
    if len(texts) == expected:
        if identity([int(text) for text in texts]):
            return None
    else:
        plain = unglue(texts, expected, identity)
        if plain is None or plain.status == "recovered" or plain.splits or plain.cut_short:
            return None
    return unglue_rules(texts, expected, identity)


def _rejoin_unless_exact(values: list[_Token], expected: int, identity: Identity | None) -> list[_Token]:
    """A pipe cell's several numbers count as cells of their own only when that gives the row
    exactly its cells and the format's identity holds on them (it is our reading, not the
    print); otherwise the cell is one (unreadable) value again, as published."""
    if not any(t.joined for t in values):
        return values
    if len(values) == expected:
        numbers = [parse_count(t.text) for t in values]
        if identity is None or identity(numbers):
            return values
    out: list[_Token] = []
    for token in values:
        if token.joined and out and out[-1].joined == token.joined:
            out[-1] = _Token("value", f"{out[-1].text} {token.text}", out[-1].line, joined=token.joined)
        else:
            out.append(token)
    return out


def _split_repeated_truncations(columns: list[_Column], wanted: int) -> list[_Column]:
    """Undo the grid's merge of two distinct header cells that were truncated to the same text.

    "本年新 | 本年新 | 对外公开总数量" arrives as one label spanning two grid columns, exactly like a
    colspan=2 cell; when the block needs more columns than the header has, an ambiguous
    (truncated) header spanning several grid columns is taken as that many cells.
    """
    out: list[_Column] = []
    missing = wanted - len(columns)
    for column in columns:
        first, last = column.start, column.end
        span = (last - first + 1) if first is not None and last is not None else 1
        if column.key == L.AMBIGUOUS_COLUMN and first is not None and span > 1 and missing > 0:
            pieces = min(span, missing + 1)
            for offset in range(pieces):
                start = first + offset
                end = column.end if offset == pieces - 1 else start
                out.append(_Column(column.key, column.text, start, end))
            missing -= pieces - 1
        else:
            out.append(column)
    return out


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    return [value]


def _unmerge(values: list[_Token], expected: int) -> list[_Token]:
    """Collapse a merged value cell repeated by the grid, when that gives exactly `expected` values."""
    cols = [v.col for v in values if v.col is not None]
    if len(values) <= expected or len(cols) < len(values):
        return values
    collapsed = [
        v for i, v in enumerate(values)
        if i == 0 or not (v.text == values[i - 1].text and cols[i] == cols[i - 1] + 1)
    ]
    return collapsed if len(collapsed) == expected else values


def _align(columns: list[_Column], values: list[_Token]) -> list[str | None] | None:
    """Values by grid position under their header columns; None when positions do not agree.

    Merged header cells cover several grid columns; a value merged the same way repeats its text,
    so every column must find one consistent text. When the data row was merged differently from
    the header (a real deviation), the caller falls back to the order of the values.
    """
    if not columns or any(c.start is None for c in columns) or any(v.col is None for v in values):
        return None
    texts: list[str | None] = []
    used: set[int] = set()
    for column in columns:
        start, end = column.start, column.end
        inside = [v for v in values
                  if v.col is not None and start is not None and end is not None and start <= v.col <= end]
        if not inside:
            return None
        filled = {v.text for v in inside if not is_blank(v.text)}
        if len(filled) > 1:
            return None
        used.update(id(v) for v in inside)
        texts.append(next(iter(filled)) if filled else inside[0].text)
    if any(id(v) not in used and not is_blank(v.text) for v in values):
        return None
    return texts


# ------------------------------------------------------------------------------ entry point


def extract_tables(blocks: Sequence[Block]) -> TablesResult:
    """Find and map the 主动公开 / 依申请 / 复议诉讼 tables in a document's blocks.

    Never raises on malformed input: whatever could not be read is listed in `warnings`.
    """
    warnings: list[str] = []
    try:
        ocr_grids: set[int] = set()
        tokens = _tokenize(blocks, warnings, ocr_grids)
        fmt, format_warnings = L.detect_format([t.text for t in tokens if t.kind == "label"])
        warnings.extend(format_warnings)
        mapper = _Mapper(tokens, warnings)
        rows = _limit_rows(mapper.run(), warnings)
        builder = _Builder(rows, fmt, mapper, warnings, ocr_grids)
        tables = builder.build()
    except Exception as exc:  # garbage in must never crash the crawl
        warnings.append(f"tables: internal error {type(exc).__name__}: {exc}")
        return TablesResult(tables={}, format=None, warnings=tuple(warnings))
    if mapper.seen_tables and not rows:
        warnings.append("tables: table labels found but no row could be mapped")
    return TablesResult(tables=tables, format=fmt, warnings=_summarise(warnings), details=tuple(builder.details))


def _limit_rows(rows: list[_RawRow], warnings: list[str]) -> list[_RawRow]:
    kept: list[_RawRow] = []
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.table] = counts.get(row.table, 0) + 1
        if counts[row.table] <= MAX_ROWS_PER_TABLE:
            kept.append(row)
    for table, count in counts.items():
        if count > MAX_ROWS_PER_TABLE:
            warnings.append(f"{table}: {count} rows found; only the first {MAX_ROWS_PER_TABLE} were read")
    return kept


def _summarise(warnings: list[str]) -> tuple[str, ...]:
    """Each warning once, at most MAX_WARNINGS of them plus a count of the rest."""
    unique = list(dict.fromkeys(warnings))
    if len(unique) <= MAX_WARNINGS:
        return tuple(unique)
    return (*unique[:MAX_WARNINGS], f"tables: {len(unique) - MAX_WARNINGS} more warnings not listed")
