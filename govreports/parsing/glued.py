"""Digit runs that stand for several table cells: recovered only when the format leaves one split.

Text renderings of tables sometimes lose the separators between cells: a 规范性文件 row comes out
as "8855698", a table-3 row as "713000074". Such a run is split back into cells only when an
identity of the format (a table-2 row's six applicant columns sum to its 总计; each table-3 group's
four results sum to its 总计) leaves exactly one split among all possible ones. An inequality
(table 1: 制发 ≤ 现行有效 + 废止) does not single out a split, so table-1 runs are recovered only
when there is a single split at all ("000" for three cells). Otherwise the cells are null with a
warning: a guessed number is worse than none.

Hand-written: this is a small exhaustive search bounded by MAX_SPLITS; no library does it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

MAX_SPLITS = 5000  # candidate splits examined before giving up (then: ambiguous)
# a whole table-3 row glued with its rules is under 100 digits: a longer run is no row of counts
# (and Python refuses to read a number of over 4,300 digits)
MAX_RUN_DIGITS = 200
Identity = Callable[[Sequence[int | None]], bool]


@dataclass(frozen=True, slots=True)
class Unglued:
    """Cell texts for every column (None where unknown) and what happened."""

    cells: tuple[str | None, ...]
    status: str  # "recovered": one split fits; "ambiguous": several (or too many to check)
    glued_columns: tuple[int, ...]  # the columns that came out of glued runs (recovered or nulled)
    splits: int  # how many splits satisfied the identity (0 when the search was cut)
    cut_short: bool = False  # the search gave up before it had looked at every split


def plain_digits(text: str) -> bool:
    """ASCII digits only, no longer than a whole row of counts glued with its rules (MAX_RUN_DIGITS)."""
    return text.isascii() and text.isdigit() and len(text) <= MAX_RUN_DIGITS


def _is_run(text: str) -> bool:
    return len(text) >= 2 and text.isascii() and text.isdigit()


def _pieces(run: str, count: int) -> Iterator[tuple[str, ...]]:
    """Every way to cut a digit run into `count` numbers without leading zeros ("05" is no number)."""
    if count == 1:
        if run == "0" or run[0] != "0":
            yield (run,)
        return
    longest = 1 if run[0] == "0" else len(run) - count + 1
    for cut in range(1, longest + 1):
        for tail in _pieces(run[cut:], count - 1):
            yield (run[:cut], *tail)


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isascii() and text.isdigit() else None


def unglue(texts: Sequence[str], expected: int, identity: Identity | None) -> Unglued | None:
    """Split glued digit runs so the row has `expected` cells; None when no run can explain the gap.

    `identity` is the format's equality over the row's numbers (None: the format has none for
    this row, so only a row with a single possible split is recovered).
    """
    extra = expected - len(texts)
    runs = [i for i, text in enumerate(texts) if _is_run(text)]
    if extra <= 0 or not runs or sum(len(texts[i]) - 1 for i in runs) < extra:
        return None
    # depth-first over the tokens; the identity is checked on every prefix (a table-3 group is
    # refuted as soon as its five cells are known), so the search stays small
    found: dict[tuple[str, ...], tuple[int, ...]] = {}
    capacity = [len(text) if _is_run(text) else 1 for text in texts]
    room_after = [sum(capacity[i + 1:]) for i in range(len(texts))]
    examined = 0
    cut_short = False

    def search(index: int, cells: tuple[str, ...], covered: tuple[int, ...]) -> None:
        nonlocal examined, cut_short
        if cut_short or (identity is None and len(found) > 1):
            return
        examined += 1
        if examined > MAX_SPLITS:
            cut_short = True
            return
        if index == len(texts):
            if len(cells) == expected and (identity is None or identity([_number(c) for c in cells])):
                found[cells] = covered
            return
        text = texts[index]
        later = len(texts) - index - 1
        most = expected - len(cells) - later  # the later tokens take at least one cell each
        choices: Iterator[tuple[str, ...]] = (
            (piece for n in range(1, min(len(text), most) + 1) for piece in _pieces(text, n))
            if _is_run(text) else iter([(text,)])
        )
        for pieces in choices:
            examined += 1  # every split looked at counts, refuted or not
            if examined > MAX_SPLITS:
                cut_short = True
                return
            grown = cells + pieces
            if expected - len(grown) > room_after[index] or len(grown) > expected - later:
                continue
            if identity is not None and not identity([_number(c) for c in grown]):
                continue
            spread = tuple(range(len(cells), len(grown))) if len(pieces) > 1 else ()
            search(index + 1, grown, covered + spread)

    search(0, (), ())
    if len(found) == 1 and not cut_short:
        cells_found, covered_columns = next(iter(found.items()))
        return Unglued(cells_found, "recovered", covered_columns, 1)
    # ambiguous: the cells before the first run keep their place, the rest are unknown
    first = runs[0]
    nulled = tuple(texts[:first]) + (None,) * (expected - first)
    return Unglued(nulled, "ambiguous", tuple(range(first, expected)), 0 if cut_short else len(found), cut_short)


def row_sum_identity(parts: int) -> Identity:
    """The first `parts` cells sum to the next one (a table-2 row: six applicant columns = 总计)."""
    def holds(cells: Sequence[int | None]) -> bool:
        known = [cell for cell in cells[: parts + 1] if cell is not None]
        if len(known) <= parts:
            return True  # an unfinished row or a blank cell: the identity cannot refute this split
        return sum(known[:parts]) == known[parts]
    return holds


def group_sums_identity(groups: int, parts: int) -> Identity:
    """Each group of `parts` cells sums to the cell after it (table 3: 维持+纠正+其他+尚未审结 = 总计)."""
    def holds(cells: Sequence[int | None]) -> bool:
        for g in range(groups):
            chunk = cells[g * (parts + 1): (g + 1) * (parts + 1)]
            known = [cell for cell in chunk if cell is not None]
            if len(known) == parts + 1 and sum(known[:parts]) != known[parts]:
                return False
        return True
    return holds


class _CutShort(Exception):
    """The search looked at MAX_SPLITS readings without finishing."""


def unglue_rules(texts: Sequence[str], expected: int, identity: Identity) -> Unglued | None:
    """Read OCR digit runs of a ruled table whose rules came out as the digit "1".

    Tesseract reads the vertical rules of a bordered table as "1" about as often as "|":
    "50|1010101010150" is 50|0|0|0|0|0|50, "1351" is |351. Every run is read as cells with exactly
    one "1" between neighbours, and maybe one "1" before the first and after the last (a rule the
    OCR also printed as "|" or a space). A cell is recovered when every reading that fits the
    format's identity gives it the same value; cells the readings disagree on are null. None when
    no reading fits (or the search is cut): the damage is of another kind.
    """
    if not texts or not all(map(plain_digits, texts)):
        return None
    readings: set[tuple[str, ...]] = set()
    examined = 0

    def cells_from(index: int, start: int, cells: tuple[str, ...]) -> None:
        run = texts[index]
        for end in range(start + 1, len(run) + 1):
            if end - start > 1 and run[start] == "0":
                break  # "05" is no number
            grown = (*cells, run[start:end])
            if len(grown) <= expected and identity([int(cell) for cell in grown]):
                after_cell(index, end, grown)

    def after_cell(index: int, pos: int, cells: tuple[str, ...]) -> None:
        nonlocal examined
        examined += 1
        if examined > MAX_SPLITS:
            raise _CutShort
        run = texts[index]
        if pos == len(run) or (pos == len(run) - 1 and run[pos] == "1"):  # the run ends (maybe with a rule)
            next_run(index + 1, cells)
        if pos < len(run) - 1 and run[pos] == "1":  # the rule between two cells of the run
            cells_from(index, pos + 1, cells)

    def next_run(index: int, cells: tuple[str, ...]) -> None:
        if index == len(texts):
            if len(cells) == expected:
                readings.add(cells)
            return
        run = texts[index]
        cells_from(index, 0, cells)
        if run[0] == "1" and len(run) > 1:  # a rule before the run's first cell
            cells_from(index, 1, cells)

    try:
        next_run(0, ())
    except _CutShort:
        return None
    if not readings:
        return None
    agreed = tuple(values.pop() if len(values) == 1 else None
                   for values in (set(column) for column in zip(*readings)))
    status = "recovered" if len(readings) == 1 else "ambiguous"
    return Unglued(agreed, status, tuple(range(expected)), len(readings))
