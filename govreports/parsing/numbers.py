"""Reading the numbers printed in table cells.

Cells arrive as published: full-width digits, nbsp padding, units glued to the number ("12件",
"4.08亿元"), Chinese signs ("增13", "减少1"). A blank or a dash means "not filled" and is returned
as ``None`` — never as 0, which would invent data.

Whitespace inside a cell is dropped except between two digits: "12 34", "12<br>34" or a PDF cell
holding two stacked rows are two numbers, and gluing them would invent 1234. Such a cell is a
value cell (it keeps its column) that no reader accepts, so the caller nulls it with a warning.
The one exception is the typographic thousands grouping of GB 3101/SI — a thin space (U+2009) or
narrow no-break space (U+202F) before each group of exactly three digits ("1\u2009234\u2009567"):
no line join or cell join produces those characters. Ordinary spaces, nbsp, U+3000 and line
breaks between digit groups are never taken for grouping, since Chinese reports group with
commas (or not at all) and "12 345" is far more often two cells than one number.

Counts of more than 15 digits and money beyond 10^15 万元 are refused (``None``): no report
prints them, they do not fit the dataset's int64 columns, and reading them unbounded costs
quadratic time (Python refuses int() of more than 4300 digits).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from govreports.parsing.text import collapse_whitespace, memoized_when_short, nfkc

# what reports print for "not filled" (compared after NFKC and whitespace removal)
EMPTY_MARKERS: frozenset[str] = frozenset(
    {"", "/", "\\", "-", "--", "—", "——", "–", "－", "―", "无", "/无", "空", "…", "...", "×"}
)

_SPACES = re.compile(r"(?:[\s\u3000\u00a0\u200b\ufeff]|&nbsp;?|&#160;|&#12288;)+", re.IGNORECASE)
# GB 3101 thousands grouping: a thin or narrow no-break space before each group of three digits
_THIN_SPACE_GROUPING = re.compile(r"(?<!\d)\d{1,3}(?:[\u2009\u202f]\d{3})+(?!\d)")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")  # zero-width: "12\u200b34" reads as 1234
MAX_COUNT_DIGITS = 15  # 999 999 999 999 999: far beyond any report, well inside int64
MAX_MONEY_WAN = Decimal(10) ** 15
_MAX_MONEY_CHARS = 40  # longer number text is not money (and Decimal of 10 000 digits is costly)
_COUNT_UNITS = "件|条|个|项|宗|起|次|份|人次|篇|家|人|户|批"
_COUNT = re.compile(rf"^(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.0+)?(?:{_COUNT_UNITS})?$")
# one cell holding several numbers ("12 34", "0 0 0"): a value cell that no reader accepts
_SEVERAL_NUMBERS = re.compile(r"^[-+]?\d[\d.,]*(?: [-+]?[\d.,]*\d[\d.,]*)+$")
_CHANGE = re.compile(
    rf"^(?P<sign>\+|-|增加了?|增长了?|增|新增|上升|减少了?|减|下降|降低)?"
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.0+)?(?:{_COUNT_UNITS})?$"
)
_NEGATIVE_SIGNS = ("-", "减", "下降", "降低")
_MONEY = re.compile(r"^(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?P<unit>亿元|万元|千元|元|亿|万)?$")
# Traditional spellings of the few characters cells use, and stray minus signs
_CELL_FOLDS = str.maketrans(
    {"萬": "万", "億": "亿", "條": "条", "個": "个", "項": "项", "減": "减", "無": "无", "\u2212": "-", "\u2010": "-", "\u2011": "-"}
)
_FOLDABLE = re.compile("[" + "".join(chr(code) for code in _CELL_FOLDS) + "]")
# the only Han characters a value cell can hold (signs, units, blank markers, their Traditional forms);
# NFKC and the cleaning keep every other one, so a text holding one is no value
_VALUE_HAN = "增加了长上升新减少下降低件条个项宗起次份人篇家户批亿元万千无空萬億條個項減無其中含包括内修订订正"
_NON_VALUE_HAN = re.compile(rf"(?![{_VALUE_HAN}])[\u4e00-\u9fff]")
_UNIT_TO_WAN: dict[str, Decimal] = {
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
    "万元": Decimal(1),
    "万": Decimal(1),
    "千元": Decimal("0.1"),
    "元": Decimal("0.0001"),
}


def _ungroup(match: re.Match[str]) -> str:
    return match.group(0).replace("\u2009", "").replace("\u202f", "")


def _space(match: re.Match[str]) -> str:
    """One space between two digits (a decimal point or comma may sit on either side), else none."""
    text = match.string
    before = text[max(0, match.start() - 2):match.start()]
    after = text[match.end():match.end() + 2]
    digit_before = before[-1:].isdigit() or (len(before) == 2 and before[1] in ".," and before[0].isdigit())
    digit_after = after[:1].isdigit() or (after[:1] in (".", ",") and after[1:2].isdigit())
    return " " if digit_before and digit_after else ""


# the same few cell texts ("0", "/", "12") recur in every table: short ones are read once
_CACHED_CELL_CHARS = 40


@memoized_when_short(_CACHED_CELL_CHARS)
def _clean_text(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    if "\u2009" in text or "\u202f" in text:
        text = _THIN_SPACE_GROUPING.sub(_ungroup, text)
    text = _SPACES.sub(_space, nfkc(text))
    return text.translate(_CELL_FOLDS) if _FOLDABLE.search(text) else text  # translate is slow on long text



def clean_cell(cell: object) -> str:
    """NFKC, spaces (incl. a literal "&nbsp;") removed, minus signs unified.

    A space run between two digits stays as one space ("12 34" → "12 34", never "1234"), so
    the number readers refuse the cell; a thin-space thousands grouping is joined first.
    """
    if cell is None:
        return ""
    return _clean_text(cell if type(cell) is str else str(cell))


def _count_digits(number: str) -> int | None:
    """int of a digit run with grouping commas, or None past MAX_COUNT_DIGITS digits."""
    digits = number.replace(",", "")
    if len(digits) > MAX_COUNT_DIGITS:
        return None
    return int(digits)


# the mapper asks both questions of every value cell, several times: one memo answers both, and a
# short cell's answer is one lookup
@memoized_when_short(_CACHED_CELL_CHARS)
def read_count_cell(cell: object) -> tuple[bool, int | None]:
    """(`is_blank(cell)`, `parse_count(cell)`)."""
    text = clean_cell(cell)
    return text in EMPTY_MARKERS, _count_of(text)


def is_blank(cell: object) -> bool:
    """True for cells that say "not filled": empty, "/", "-", "—", "无" …"""
    return read_count_cell(cell)[0]


def parse_count(cell: object) -> int | None:
    """A non-negative count ("1,234", "１２", "12件") or None (blank or unreadable)."""
    return read_count_cell(cell)[1]


# a count with its explanation in the cell: "22（其中修订16件）", or cut by a line break "22（其中修订"
_NOTED_COUNT = re.compile(rf"^(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:{_COUNT_UNITS})?\((?:其中|含|包括|内含)[^()]*\)?$")


@memoized_when_short(_CACHED_CELL_CHARS)
def _count_of(text: str) -> int | None:
    match = _COUNT.match(text) or _NOTED_COUNT.match(text)
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) > 1 and digits[0] == "0":
        return None  # "00", "066": no report prints a count so; an OCR misread or two glued cells
    return _count_digits(digits)



def parse_change(cell: object) -> int | None:
    """A signed change: "+5" → 5, "-6" → -6, "增13" → 13, "减少1" → -1, "0" → 0; else None."""
    match = _CHANGE.match(clean_cell(cell))
    if match is None:
        return None
    value = _count_digits(match.group("num"))
    if value is None:
        return None
    sign = match.group("sign") or ""
    return -value if sign.startswith(_NEGATIVE_SIGNS) else value


def unit_of(header: str | None) -> str | None:
    """The money unit a header or unit note names ("本年收费金额（单位：万元）" → "万元")."""
    if not header:
        return None
    text = clean_cell(header)
    for unit in ("亿元", "万元", "千元"):
        if unit in text:
            return unit
    if "元" in text:
        return "元"
    return None


def _plain(value: Decimal) -> float | int:
    """An int when integral, else the shortest float for the decimal."""
    if value == value.to_integral_value():
        return int(value)
    return float(format(value.normalize(), "f"))


def parse_money_wan(cell: object, header_unit: str | None = None) -> float | int | None:
    """Money in 万元: "4.08亿元" → 40800, "251000元" → 25.1, "76320.9万元" → 76320.9.

    A bare number takes the unit named by `header_unit` (a unit or a whole header text),
    and 万元 when the header names none.
    """
    text = clean_cell(cell)
    match = _MONEY.match(text) if len(text) <= _MAX_MONEY_CHARS else None
    if match is None:
        return None
    try:
        number = Decimal(match.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    unit = match.group("unit") or unit_of(header_unit) or "万元"
    amount = number * _UNIT_TO_WAN[unit]
    if amount >= MAX_MONEY_WAN:
        return None
    return _plain(amount)


def is_value_cell(cell: object) -> bool:
    """True when a cell holds a table value (a number in any accepted form, or a blank marker)."""
    if type(cell) is str and len(cell) > _CACHED_CELL_CHARS and _NON_VALUE_HAN.search(cell):
        return False  # a label or a prose line: no need to clean it
    text = clean_cell(cell)
    return _is_value_text(text)


@memoized_when_short(_CACHED_CELL_CHARS)
def _is_value_text(text: str) -> bool:
    if text in EMPTY_MARKERS:
        return True
    return bool(_CHANGE.match(text) or _MONEY.match(text) or _SEVERAL_NUMBERS.match(text) or _lookalike(text)
                or _NOTED_COUNT.match(text))


# OCR reads 0 as O, 1 as l or I (and 5/8/2 as S/B/Z): such a cell is a value cell that no reader
# accepts, so it keeps its column and becomes null with a warning, never a corrected digit
_LOOKALIKE_CELL = re.compile(r"^[\dOoIlSBZ]{1,15}$")
_LOOKALIKE_LETTER = re.compile(r"[OoIlSBZ]")
_LONE_LOOKALIKES = frozenset({"O", "o", "l", "I"})


def _lookalike(text: str) -> bool:
    if not _LOOKALIKE_CELL.match(text) or not _LOOKALIKE_LETTER.search(text):
        return False
    return text in _LONE_LOOKALIKES or any(ch.isdigit() for ch in text)


def has_lookalike_digit(cell: object) -> bool:
    """True for a number cell with a look-alike letter in it ("1O", "l2", a lone "O")."""
    return _lookalike(clean_cell(cell))


# grids repeat the same short cells ("0", "/", row labels) over and over: each is read once, for
# the table mapper and for the text rows (metadata.grid_lines) alike
@memoized_when_short(200)
def grid_cell(cell: object) -> tuple[str, bool]:
    """A grid cell's text, whitespace collapsed, and whether it is a value cell."""
    text = collapse_whitespace(str(cell)) if cell is not None else ""
    return text, is_value_cell(text)
