"""The dataset's columns: a fixed, documented order covering every key of the spec.

Order (see `COLUMNS`; `scrapy dataset --columns` prints it with descriptions):

1. identity: id, site, site_name, adcode, province, agency, publisher, report_year, format,
   title, url, publish_date, index_no, revision, fetched_at, is_report;
2. Table 1, `active_disclosure.<row>.<column>`: every row of docs/report-format.md with the
   columns of BOTH formats (2019 columns first, then 2021), so one table holds every year;
3. Table 2, `applications.<row>.<column>`: the 26 rows × 7 applicant columns in template order;
4. Table 3, `review_litigation.<group>.<column>`: 3 groups × 5 columns;
5. `figures.<name>`: the prose figures;
6. quality: null_cells (cells left null with a warning), from_prose (table cells that a prose
   figure stands in for: the table was missing or cut), checks_run, failing_checks (the item's own failing rules, `;`-separated),
   continuity_failing (failing cross-year rules where this report is year N), warnings_count.

A cell the report does not have is empty (null), never 0.

The order and names are the dataset's own; every column that reads a field takes its type (and,
for the identity columns, its description) from the data model (`govreports.items`, through the
JSON Schema derived from it), so a column cannot name a field the record does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from govreports import spec

ColumnType = Literal["string", "int", "float", "bool"]

# what a description adds to a column's official wording
_COLUMN_NOTES: dict[str, str] = {"change": "signed", "amount_wan_yuan": "万元", "amount_text": "as published"}
FIGURE_LABELS: dict[str, str] = {name: f"{label} (prose)" for name, label in spec.FIGURE_LABELS.items()}
_JSON_TYPES: dict[str, ColumnType] = {"string": "string", "integer": "int", "number": "float", "boolean": "bool"}


@dataclass(frozen=True, slots=True)
class Column:
    """One dataset column: `path` is the dotted path into the item (None for derived columns)."""

    name: str
    type: ColumnType
    description: str
    path: tuple[str, ...] | None = None


@lru_cache(maxsize=1)
def _item_schema() -> dict[str, Any]:
    from govreports.schema.generate import build_schema  # the JSON Schema derived from govreports.items

    return build_schema()


def _model_property(path: tuple[str, ...]) -> dict[str, Any]:
    """The schema of the item field at `path` (following $refs); KeyError if the model has none."""
    schema = _item_schema()
    node: dict[str, Any] = schema
    for part in path:
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        node = node["properties"][part]
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _model_type(path: tuple[str, ...]) -> ColumnType:
    """The column type of a scalar model field (`int | None` → "int")."""
    node = _model_property(path)
    found = {member.get("type") for member in node.get("anyOf", [node])} - {"null", None}
    if len(found) != 1:
        raise TypeError(f"{'.'.join(path)}: no single column type in the model ({sorted(found)})")
    return _JSON_TYPES[found.pop()]


def _from_model(name: str, *path: str) -> Column:
    """A column whose type and description are the model field's (`govreports.items`)."""
    node = _model_property(path)
    description = node.get("description") or name
    if len(path) > 1:
        description += f" ({'.'.join(path)})"
    return Column(name, _model_type(path), description, path)


IDENTITY_COLUMNS: tuple[Column, ...] = (
    _from_model("id", "id"),
    _from_model("site", "site", "id"),
    _from_model("site_name", "site", "name"),
    _from_model("adcode", "site", "adcode"),
    _from_model("province", "site", "province"),
    _from_model("agency", "agency"),
    _from_model("publisher", "publisher"),
    _from_model("report_year", "report_year"),
    _from_model("format", "format"),
    _from_model("title", "title"),
    _from_model("url", "url"),
    _from_model("publish_date", "publish_date"),
    _from_model("index_no", "index_no"),
    _from_model("revision", "revision"),
    _from_model("fetched_at", "source", "fetched_at"),
    _from_model("is_report", "is_report"),
)


def _only_in(key: str, layouts: dict[str, tuple[str, ...]]) -> str | None:
    """The one format (of those in `layouts`: format → keys) that has `key`, else None."""
    formats = [fmt for fmt, keys in layouts.items() if key in keys]
    return formats[0] if len(formats) == 1 else None


def _described(wording: str, notes: list[str | None]) -> str:
    present = [note for note in notes if note]
    return f"{wording} ({', '.join(present)})" if present else wording


_ACTIVE_LAYOUTS = {
    fmt: tuple(column for columns in rows.values() for column in columns)
    for fmt, rows in (("2019", spec.ACTIVE_ROWS_2019), ("2021", spec.ACTIVE_ROWS_2021))
}
_RESULT_LAYOUTS = {"2019": spec.RESULT_ROWS_2019, "2021": spec.RESULT_ROWS_2021}


def _active_column_description(column: str) -> str:
    notes = [_only_in(column, _ACTIVE_LAYOUTS), _COLUMN_NOTES.get(column)]
    return _described(spec.ACTIVE_COLUMN_LABELS[column], notes)


# row → the group its label is printed under (results_total is the 总计 of 本年度办理结果)
_ROW_GROUPS: dict[str, str] = {
    row: group for group, rows in spec.APPLICATION_RESULT_GROUPS.items() for row in rows
} | {"results_total": "办理结果"}


def _application_row_description(row: str) -> str:
    """"不予公开·属于国家秘密": the group, the row's wording, and the format if only one has the row."""
    wording = spec.APPLICATION_ROW_LABELS[row]
    group = _ROW_GROUPS.get(row)
    return _described(f"{group}·{wording}" if group else wording, [_only_in(row, _RESULT_LAYOUTS)])


def _cell(table: str, row: str, column: str, description: str) -> Column:
    path = ("tables", table, row, column)
    return Column(f"{table}.{row}.{column}", _model_type(path), description, path)


def _cell_columns() -> tuple[Column, ...]:
    return (
        *(
            _cell("active_disclosure", row, column, f"主动公开 {spec.ACTIVE_ROW_LABELS[row]} · {_active_column_description(column)}")
            for row, columns in spec.ACTIVE_ROWS.items()
            for column in columns
        ),
        *(
            _cell("applications", row, column, f"依申请 {_application_row_description(row)} · {spec.APPLICANT_COLUMN_LABELS[column]}")
            for row in spec.APPLICATION_ROWS
            for column in spec.APPLICANT_COLUMNS
        ),
        *(
            _cell("review_litigation", group, column, f"{spec.REVIEW_GROUP_LABELS[group]} · {spec.REVIEW_COLUMN_LABELS[column]}")
            for group in spec.REVIEW_GROUPS
            for column in spec.REVIEW_COLUMNS
        ),
    )


CELL_COLUMNS: tuple[Column, ...] = _cell_columns()

FIGURE_COLUMNS: tuple[Column, ...] = tuple(
    Column(f"figures.{name}", _model_type(("figures", name)), FIGURE_LABELS.get(name, name), ("figures", name))
    for name in spec.FIGURE_TYPES
)

QUALITY_COLUMNS: tuple[Column, ...] = (
    Column("null_cells", "int", "table cells the parser left null with a warning (warning_details: blank, "
           "unreadable, look-alike, glued …)"),
    Column("from_prose", "string", "table cells filled from a prose figure because the table was missing or cut, "
           "';'-separated"),
    Column("checks_run", "int", "item checks with a result (ok true or false)"),
    Column("failing_checks", "string", "the item's failing check rules, ';'-separated"),
    Column("continuity_failing", "string", "failing cross-year rules with this report as year N, ';'-separated"),
    Column("warnings_count", "int", "parser warnings on the item"),
)

COLUMNS: tuple[Column, ...] = IDENTITY_COLUMNS + CELL_COLUMNS + FIGURE_COLUMNS + QUALITY_COLUMNS
COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
