"""Reading the numbers printed in table cells.

Cells arrive as published: full-width digits, nbsp padding, units glued to the number ("12件",
"4.08亿元"), Chinese signs ("增13", "减少1"). A blank or a dash means "not filled" and is returned
as ``None`` — never as 0, which would invent data.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

# what reports print for "not filled" (compared after NFKC and whitespace removal)
EMPTY_MARKERS: frozenset[str] = frozenset(
    {"", "/", "\\", "-", "--", "—", "——", "–", "－", "―", "无", "/无", "空", "…", "...", "×"}
)

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+|&nbsp;?|&#160;|&#12288;", re.IGNORECASE)
_COUNT_UNITS = "件|条|个|项|宗|起|次|份|人次|篇|家|人|户|批"
_COUNT = re.compile(rf"^(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.0+)?(?:{_COUNT_UNITS})?$")
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
_UNIT_TO_WAN: dict[str, Decimal] = {
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
    "万元": Decimal(1),
    "万": Decimal(1),
    "千元": Decimal("0.1"),
    "元": Decimal("0.0001"),
}


def clean_cell(cell: object) -> str:
    """NFKC, every kind of space (incl. a literal "&nbsp;") removed, minus signs unified."""
    if cell is None:
        return ""
    text = unicodedata.normalize("NFKC", str(cell))
    text = _SPACES.sub("", text)
    return text.translate(_CELL_FOLDS)


def is_blank(cell: object) -> bool:
    """True for cells that say "not filled": empty, "/", "-", "—", "无" …"""
    return clean_cell(cell) in EMPTY_MARKERS


def parse_count(cell: object) -> int | None:
    """A non-negative count ("1,234", "１２", "12件") or None (blank or unreadable)."""
    match = _COUNT.match(clean_cell(cell))
    if match is None:
        return None
    return int(match.group(1).replace(",", ""))


def parse_change(cell: object) -> int | None:
    """A signed change: "+5" → 5, "-6" → -6, "增13" → 13, "减少1" → -1, "0" → 0; else None."""
    match = _CHANGE.match(clean_cell(cell))
    if match is None:
        return None
    value = int(match.group("num").replace(",", ""))
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
    match = _MONEY.match(clean_cell(cell))
    if match is None:
        return None
    try:
        number = Decimal(match.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    unit = match.group("unit") or unit_of(header_unit) or "万元"
    return _plain(number * _UNIT_TO_WAN[unit])


def is_value_cell(cell: object) -> bool:
    """True when a cell holds a table value (a number in any accepted form, or a blank marker)."""
    text = clean_cell(cell)
    if text in EMPTY_MARKERS:
        return True
    return bool(_CHANGE.match(text) or _MONEY.match(text))
