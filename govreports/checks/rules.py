"""The arithmetic identities of the national tables, run over one parsed report.

Each check is a named rule (docs/report-format.md, "Checks") with a message a person can act on:
it names the numbers. A check whose inputs are missing (a blank cell, a row not found) is left
out — it is never reported as passing. Checks report; they never correct a published number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from govreports import spec
from govreports.items import Check  # the record's shape of a check, defined once
Number = int | float


def _number(value: Any) -> Number | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _check(rule: str, ok: bool, message: str) -> Check:
    return {"rule": rule, "ok": ok, "message": message}


def _fmt(value: Number) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _relation(left: Number, right: Number) -> str:
    return "=" if left == right else "≠"


def _row_sums(
    table: dict, keys: Iterable[str], part_columns: Sequence[str], rule: str,
    describe: Callable[[str, list[Number]], str],
) -> Iterable[Check]:
    """`<rule>.<key>`: a row's part cells sum to its `total` cell; rows with a missing cell are left out."""
    for key in keys:
        values = table.get(key)
        if not isinstance(values, dict):
            continue
        parts = [_number(values.get(column)) for column in part_columns]
        yield from _sum_check(f"{rule}.{key}", parts, _number(values.get("total")),
                              lambda: f"{describe(key, parts)} =")  # type: ignore[arg-type]


def _sum_check(rule: str, parts: Sequence[Number | None], total: Number | None,
               describe: Callable[[], str]) -> Iterable[Check]:
    """`rule`: the parts sum to the total ("<describe> <sum> =/≠ 总计 <total>"); nothing when a cell is missing."""
    if total is None or any(part is None for part in parts):
        return
    summed = sum(parts)  # type: ignore[arg-type]
    yield _check(rule, summed == total, f"{describe()} {_fmt(summed)} {_relation(summed, total)} 总计 {_fmt(total)}")


def _application_checks(applications: dict) -> Iterable[Check]:
    def cell(row: str, column: str) -> Number | None:
        values = applications.get(row)
        return _number(values.get(column)) if isinstance(values, dict) else None

    for column in spec.APPLICANT_COLUMNS:
        label = spec.APPLICANT_COLUMN_LABELS[column]
        new, carried, results, forward = (
            cell(row, column) for row in ("new_received", "carried_over", "results_total", "carried_forward")
        )
        if None not in (new, carried, results, forward):
            left, right = new + carried, results + forward  # type: ignore[operator]
            yield _check(
                f"applications.balance.{column}",
                left == right,
                f"{label} column: {_fmt(new)} new + {_fmt(carried)} carried over = {_fmt(left)} {_relation(left, right)} "
                f"{_fmt(results)} results + {_fmt(forward)} carried forward = {_fmt(right)}",
            )

    present = {key for key in applications if key in spec.APPLICATION_ROWS}
    has_2021_rows = bool(present.intersection(spec.OTHER_HANDLING_ROWS_2021))
    leaves = spec.RESULT_ROWS_2021 if has_2021_rows else spec.RESULT_ROWS_2019
    if all(key in present for key in leaves) and "results_total" in present:
        for column in spec.APPLICANT_COLUMNS:
            yield from _sum_check(
                f"applications.results_sum.{column}", [cell(row, column) for row in leaves], cell("results_total", column),
                lambda: f"{spec.APPLICANT_COLUMN_LABELS[column]} column: the {len(leaves)} result rows sum to",
            )

    yield from _row_sums(
        applications, spec.APPLICATION_ROWS, spec.APPLICANT_COLUMNS[:6], "applications.row_sum",
        lambda row, parts: f"{row}: {' + '.join(_fmt(p) for p in parts)}",
    )


def _review_checks(review: dict) -> Iterable[Check]:
    yield from _row_sums(
        review, spec.REVIEW_GROUPS, spec.REVIEW_COLUMNS[:4], "review_litigation.sum",
        lambda group, parts: (
            f"{spec.REVIEW_GROUP_LABELS[group]}: 维持 {_fmt(parts[0])} + 纠正 {_fmt(parts[1])} "
            f"+ 其他 {_fmt(parts[2])} + 尚未审结 {_fmt(parts[3])}"
        ),
    )


def _active_checks(active: dict) -> Iterable[Check]:
    for row in spec.DOCUMENT_ROWS:
        values = active.get(row)
        if not isinstance(values, dict):
            continue
        if "total_published" in values:
            made, published, total = (
                _number(values.get(k)) for k in ("new_made", "new_published", "total_published")
            )
            if None in (made, published, total):
                continue
            ok = published <= total and made <= total  # type: ignore[operator]
            yield _check(
                f"active_disclosure.published_le_total.{row}",
                ok,
                f"{row}: 本年新制作 {_fmt(made)}, 本年新公开 {_fmt(published)} "  # type: ignore[arg-type]
                f"{'≤' if ok else 'not both ≤'} 对外公开总数 {_fmt(total)}",  # type: ignore[arg-type]
            )
        elif "in_force" in values:
            issued, repealed, in_force = (_number(values.get(k)) for k in ("issued", "repealed", "in_force"))
            if None in (issued, repealed, in_force):
                continue
            bound = in_force + repealed  # type: ignore[operator]
            ok = issued <= bound  # type: ignore[operator]
            yield _check(
                f"active_disclosure.issued_le.{row}",
                ok,
                f"{row}: 本年制发 {_fmt(issued)} {'≤' if ok else '>'} 现行有效 {_fmt(in_force)} "  # type: ignore[arg-type]
                f"+ 本年废止 {_fmt(repealed)} = {_fmt(bound)}",
            )


# figure → (what the prose counts, the table cells it is compared with)
_PROSE_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "applications_received": ("applications received", ("本年新收",)),
    "applications_carried_over": ("applications carried over", ("上年结转",)),
    "applications_granted": ("applications granted", ("予以公开",)),
    "applications_completed": ("applications completed", ("办理结果总计",)),
    "applications_carried_forward": ("applications carried forward", ("结转下年度",)),
    "review_total": ("administrative reviews", ("行政复议总计",)),
    "litigation_total": ("lawsuits", ("直接起诉", "复议后起诉")),
}


def _figure_checks(tables: dict, figures: dict) -> Iterable[Check]:
    """`prose_vs_table.<figure>`: a prose figure against the table cell(s) it restates.

    Soft: a disagreement is flagged, the table is never changed. 本年收到 in prose may include
    the carried-over applications, so `applications_received` also agrees with 新收 + 上年结转.
    """
    def table_value(path: tuple[str, str, str]) -> Number | None:
        rows = tables.get(path[0])
        values = rows.get(path[1]) if isinstance(rows, dict) else None
        return _number(values.get(path[2])) if isinstance(values, dict) else None

    for name, paths in spec.FIGURE_TABLE_CELLS.items():
        prose = _number(figures.get(name))
        found = [table_value(path) for path in paths]
        cells = [cell for cell in found if cell is not None]
        if prose is None or len(cells) != len(found):
            continue
        table: Number = sum(cells)
        accepted: set[Number] = {table}
        what, cell_names = _PROSE_WORDS[name]
        detail = "table " + " + ".join(f"{label} {_fmt(c)}" for label, c in zip(cell_names, cells))
        if len(cells) > 1:
            detail += f" = {_fmt(table)}"
        if name == "applications_received":
            carried = table_value(("applications", "carried_over", "total"))
            if carried is not None:
                accepted.add(table + carried)
                detail += f" (with 上年结转: {_fmt(table + carried)})"
        yield _check(f"prose_vs_table.{name}", prose in accepted, f"prose says {_fmt(prose)} {what}; {detail}")


def run_checks(tables: dict, figures: dict | None = None, format: str | None = None) -> list[Check]:
    """Every identity that can be evaluated on this report, as ``[{rule, ok, message}]``.

    `format` ("2019", "2021", "pre2019", …) is accepted for symmetry with the item; the table-1
    rules follow the columns actually present (2019: 对外公开总数量, 2021: 现行有效件数).
    """
    tables = tables if isinstance(tables, dict) else {}
    figures = figures if isinstance(figures, dict) else {}
    checks: list[Check] = []
    applications = tables.get("applications")
    if isinstance(applications, dict):
        checks.extend(_application_checks(applications))
    review = tables.get("review_litigation")
    if isinstance(review, dict):
        checks.extend(_review_checks(review))
    active = tables.get("active_disclosure")
    if isinstance(active, dict):
        checks.extend(_active_checks(active))
    checks.extend(_figure_checks(tables, figures))
    return checks
