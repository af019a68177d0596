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
from itertools import combinations

MAX_SPLITS = 20000  # candidate splits examined before giving up (then: ambiguous)
Identity = Callable[[Sequence[int | None]], bool]


@dataclass(frozen=True, slots=True)
class Unglued:
    """Cell texts for every column (None where unknown) and what happened."""

    cells: tuple[str | None, ...]
    status: str  # "recovered": one split fits; "ambiguous": several (or too many to check)
    glued_columns: tuple[int, ...]  # the columns that came out of glued runs (recovered or nulled)
    splits: int  # how many splits satisfied the identity (0 when the search was cut)


def _is_run(text: str) -> bool:
    return len(text) >= 2 and text.isascii() and text.isdigit()


def _pieces(run: str, count: int) -> Iterator[tuple[str, ...]]:
    """Every way to cut a digit run into `count` numbers without leading zeros ("05" is no number)."""
    for cuts in combinations(range(1, len(run)), count - 1):
        bounds = (0, *cuts, len(run))
        pieces = tuple(run[a:b] for a, b in zip(bounds, bounds[1:]))
        if all(piece == "0" or piece[0] != "0" for piece in pieces):
            yield pieces


def _allocations(lengths: Sequence[int], extra: int) -> Iterator[tuple[int, ...]]:
    """Piece counts per run (each 1..its length) adding `extra` cells in total."""
    if not lengths:
        if extra == 0:
            yield ()
        return
    first, rest = lengths[0], lengths[1:]
    for more in range(0, min(first - 1, extra) + 1):
        for tail in _allocations(rest, extra - more):
            yield (more + 1, *tail)


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
    found: dict[tuple[str, ...], tuple[int, ...]] = {}  # split → the columns its runs became
    examined = 0
    cut_short = False
    for allocation in _allocations([len(texts[i]) for i in runs], extra):
        options = [list(_pieces(texts[i], n)) for i, n in zip(runs, allocation)]
        for choice in _product(options):
            examined += 1
            if examined > MAX_SPLITS:
                cut_short = True
                break
            cells: list[str] = []
            covered: list[int] = []
            by_run = dict(zip(runs, choice))
            for i, text in enumerate(texts):
                pieces = by_run.get(i, (text,))
                if len(pieces) > 1:
                    covered.extend(range(len(cells), len(cells) + len(pieces)))
                cells.extend(pieces)
            if identity is None or identity([_number(c) for c in cells]):
                found[tuple(cells)] = tuple(covered)
                if len(found) > 1 and identity is None:
                    break
        if cut_short or (len(found) > 1 and identity is None):
            break
    if len(found) == 1 and not cut_short:
        cells_found, covered_columns = next(iter(found.items()))
        return Unglued(cells_found, "recovered", covered_columns, 1)
    # ambiguous: the cells before the first run keep their place, the rest are unknown
    first = runs[0]
    nulled = tuple(texts[:first]) + (None,) * (expected - first)
    return Unglued(nulled, "ambiguous", tuple(range(first, expected)), 0 if cut_short else len(found))


def _product(options: list[list[tuple[str, ...]]]) -> Iterator[tuple[tuple[str, ...], ...]]:
    if not options:
        yield ()
        return
    for head in options[0]:
        for tail in _product(options[1:]):
            yield (head, *tail)


def row_sum_identity(parts: int) -> Identity:
    """The first `parts` cells sum to the next one (a table-2 row: six applicant columns = 总计)."""
    def holds(cells: Sequence[int | None]) -> bool:
        if any(cell is None for cell in cells[: parts + 1]):
            return True  # a blank cell: the identity cannot refute this split
        return sum(cells[:parts]) == cells[parts]  # type: ignore[arg-type]
    return holds


def group_sums_identity(groups: int, parts: int) -> Identity:
    """Each group of `parts` cells sums to the cell after it (table 3: 维持+纠正+其他+尚未审结 = 总计)."""
    def holds(cells: Sequence[int | None]) -> bool:
        for g in range(groups):
            chunk = cells[g * (parts + 1): (g + 1) * (parts + 1)]
            if len(chunk) == parts + 1 and all(cell is not None for cell in chunk):
                if sum(chunk[:parts]) != chunk[parts]:  # type: ignore[arg-type]
                    return False
        return True
    return holds
