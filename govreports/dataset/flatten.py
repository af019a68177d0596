"""One report item → one dataset row (a dict keyed by `COLUMN_NAMES`).

Values are checked against the column type: a value of the wrong type is blanked and reported
(never coerced to 0, never dropped silently); keys the spec does not know are reported too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govreports.dataset.columns import CELL_COLUMNS, COLUMNS, FIGURE_COLUMNS, Column
from govreports import spec

_KNOWN_CELL_PATHS = {column.path for column in CELL_COLUMNS + FIGURE_COLUMNS}


def _lookup(item: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = item
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _typed(value: Any, column: Column) -> tuple[Any, str | None]:
    """The value in the column's type, or None plus why it was blanked."""
    if value is None:
        return None, None
    if column.type == "string":
        if isinstance(value, (dict, list)):
            return None, f"{column.name}: expected text, got {type(value).__name__}"
        return str(value), None
    if column.type == "bool":
        return (value, None) if isinstance(value, bool) else (None, f"{column.name}: expected true or false, got {value!r}")
    if isinstance(value, bool):
        return None, f"{column.name}: expected a number, got {value!r}"
    if column.type == "int":
        if isinstance(value, int):
            return value, None
        if isinstance(value, float) and value.is_integer():
            return int(value), None
        return None, f"{column.name}: expected an integer, got {value!r}"
    if isinstance(value, (int, float)):
        return float(value), None
    return None, f"{column.name}: expected a number, got {value!r}"


def _unknown_keys(item: dict[str, Any]) -> Iterable[str]:
    """Table/figure keys outside the spec (they have no column, so say so)."""
    tables = item.get("tables")
    if isinstance(tables, dict):
        for table, rows in tables.items():
            if not isinstance(rows, dict):
                yield f"tables.{table}"
                continue
            for row, cells in rows.items():
                if not isinstance(cells, dict):
                    yield f"tables.{table}.{row}"
                    continue
                for column in cells:
                    if ("tables", table, row, column) not in _KNOWN_CELL_PATHS:
                        yield f"tables.{table}.{row}.{column}"
    figures = item.get("figures")
    if isinstance(figures, dict):
        for name in figures:
            if name not in spec.FIGURE_TYPES and not name.endswith("_text"):
                yield f"figures.{name}"


def _prose_stand_ins(row: dict[str, Any]) -> list[str]:
    """Fill the table cells a missing or cut table left empty from the prose figure restating them.

    Only a figure that restates one cell stands in (litigation_total is a sum of two). Returns the
    columns so filled, for the `from_prose` column that marks them.
    """
    filled: list[str] = []
    for figure, paths in spec.FIGURE_TABLE_CELLS.items():
        value = row.get(f"figures.{figure}")
        if value is None or len(paths) != 1:
            continue
        name = ".".join(paths[0])
        if name in row and row[name] is None:
            row[name] = value
            filled.append(name)
    return filled


def failing_rules(item: dict[str, Any]) -> list[str]:
    checks = item.get("checks")
    if not isinstance(checks, list):
        return []
    return [str(c.get("rule")) for c in checks if isinstance(c, dict) and c.get("ok") is False]


def flatten_item(item: dict[str, Any], continuity_failing: Iterable[str] = ()) -> tuple[dict[str, Any], list[str]]:
    """The row for one report plus the problems met while filling it."""
    row: dict[str, Any] = {}
    problems: list[str] = []
    for column in COLUMNS:
        if column.path is None:
            continue
        value, problem = _typed(_lookup(item, column.path), column)
        row[column.name] = value
        if problem:
            problems.append(problem)
    problems.extend(f"{key}: not a key of the spec; no column for it" for key in _unknown_keys(item))
    details = item.get("warning_details")
    row["null_cells"] = sum(
        d.get("count", 0) for d in details if isinstance(d, dict) and d.get("cause") != "glued_recovered"
    ) if isinstance(details, list) else 0
    row["from_prose"] = ";".join(_prose_stand_ins(row)) or None
    checks = item.get("checks") if isinstance(item.get("checks"), list) else []
    row["checks_run"] = sum(1 for c in checks if isinstance(c, dict) and c.get("ok") in (True, False))
    row["failing_checks"] = ";".join(failing_rules(item)) or None
    row["continuity_failing"] = ";".join(continuity_failing) or None
    warnings = item.get("warnings")
    row["warnings_count"] = len(warnings) if isinstance(warnings, list) else 0
    return row, problems
