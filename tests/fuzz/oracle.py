"""What a parse result may contain, judged against the input alone.

The parser must never invent a number: every number in the output tables has to be printed in
the input, up to the documented conversions (money to 万元 from 亿元/千元/元, and the sign of a
本年增/减 change). `invented_numbers` lists the ones that are not.
"""

from __future__ import annotations

import html
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator

_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")  # zero-width characters: dropping them joins nothing visible
# Digit runs split by whitespace ("12 34") are two numbers; the parser must not glue them.
# (True restores the tolerance the oracle had while numbers.clean_cell still glued them.)
ACCEPT_GLUED_DIGITS = False
_THIN_SPACE_GROUPS = re.compile(r"\d{1,3}(?:[\u2009\u202f]\d{3})+")
_DIGIT_RUNS = re.compile(r"\d+(?:\s+\d+)+")
_GLUE_WINDOW = 4  # up to this many whitespace-separated digit runs glued into one number


def _glued(text: str) -> list[str]:
    """Numbers made by gluing neighbouring digit runs ("12 34" → "1234"), a few runs at a time."""
    out: list[str] = []
    for match in _DIGIT_RUNS.finditer(text):
        runs = match.group(0).split()
        for start in range(len(runs)):
            for end in range(start + 2, min(len(runs), start + _GLUE_WINDOW) + 1):
                out.append("".join(runs[start:end]))
    return out
# money conversions to 万元 (numbers.py): ×10000 for 亿, ×1 for 万, ×0.1 for 千元, ×0.0001 for 元
_FACTORS = (Decimal(1), Decimal(10000), Decimal("0.1"), Decimal("0.0001"))
SPEC_TABLES = ("active_disclosure", "applications", "review_litigation")


def _ascii_digits(text: str) -> str:
    """Every Unicode decimal digit (full-width, Arabic-Indic …) as its ASCII digit."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def input_numbers(source: str | bytes) -> set[Decimal]:
    """Every number printed in the input (entities decoded, NFKC, any script's digits).

    Digits split by whitespace inside one cell ("12 34") are not joined: a number the parser
    builds by gluing them is reported as invented.
    """
    if isinstance(source, bytes):
        source = source.decode("gb18030", "replace") + "\n" + source.decode("utf-8", "replace")
    unescaped = _INVISIBLE.sub("", html.unescape(source))
    text = _ascii_digits(unicodedata.normalize("NFKC", unescaped))
    # GB 3101 grouping by thin / narrow no-break spaces ("1\u2009234") is one number (numbers.py)
    text += "\n" + "\n".join(_ascii_digits(re.sub(r"[\u2009\u202f]", "", match.group(0)))
                             for match in _THIN_SPACE_GROUPS.finditer(unescaped))
    if ACCEPT_GLUED_DIGITS:
        text += "\n" + "\n".join(_glued(re.sub(r"<[^>]*>", " ", text)))  # markup inside a cell is a space too
    found: set[Decimal] = set()
    for match in _NUMBER.finditer(text):
        raw = match.group(0)
        for candidate in {raw, raw.replace(",", "")}:
            try:
                found.add(Decimal(candidate))
            except InvalidOperation:
                pass
    return found


def allowed_values(numbers: set[Decimal]) -> set[Decimal]:
    return {(sign * number * factor).normalize() for number in numbers for factor in _FACTORS for sign in (1, -1)}


def table_leaves(tables: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(path, value) for every numeric leaf of the spec tables (amount_text is text, skipped)."""
    def walk(path: str, value: Any) -> Iterator[tuple[str, Any]]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "amount_text":
                    yield from walk(f"{path}.{key}", item)
        else:
            yield path, value
    for name, table in tables.items():
        yield from walk(name, table)


def _digit_runs(source: str | bytes) -> list[str]:
    if isinstance(source, bytes):
        source = source.decode("utf-8", "replace")
    return re.findall(r"\d+", _ascii_digits(unicodedata.normalize("NFKC", html.unescape(source))))


def recovered_cells(details: Any) -> set[str]:
    """The cells a parse result says it split out of glued digits (warning_details, glued.py)."""
    cells: set[str] = set()
    for detail in details or ():
        if isinstance(detail, dict) and detail.get("cause") == "glued_recovered":
            cells.update(str(cell).split(":", 1)[0] for cell in detail.get("cells", ()))
    return cells


def invented_numbers(tables: dict[str, Any], source: str | bytes, details: Any = ()) -> list[tuple[str, Any]]:
    """The output numbers that the input does not print (after the documented conversions).

    A cell that the result says it recovered from glued digits (`details`, cause glued_recovered)
    may be a piece of a printed digit run ("21710000218" → 217, 1, 0, …, 218), nothing else.
    """
    recovered = recovered_cells(details)
    runs = _digit_runs(source) if recovered else []
    allowed = allowed_values(input_numbers(source))
    allowed_floats = {float(number) for number in allowed}
    invented = []
    for path, value in table_leaves(tables):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            invented.append((path, value))
            continue
        if isinstance(value, float):
            # money is a float64: "12568084289495.032" comes back as the nearest double
            if value not in allowed_floats:
                invented.append((path, value))
            continue
        if Decimal(value).normalize() not in allowed:  # Decimal(int): no int→str digit limit
            if path in recovered and value >= 0 and any(str(value) in run for run in runs):
                continue
            invented.append((path, value))
    return invented


def shape_problems(tables: dict[str, Any]) -> list[str]:
    """Keys outside the spec, or values of the wrong kind (counts must be non-negative ints)."""
    problems = [f"unknown table {name!r}" for name in tables if name not in SPEC_TABLES]
    for key, row in tables.get("applications", {}).items():
        for column, value in row.items():
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                problems.append(f"applications.{key}.{column} = {value!r}")
    for group, row in tables.get("review_litigation", {}).items():
        for column, value in row.items():
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                problems.append(f"review_litigation.{group}.{column} = {value!r}")
    return problems
