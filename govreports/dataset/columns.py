"""The dataset's columns: a fixed, documented order covering every key of the spec.

Order (see `COLUMNS`; `scrapy dataset --columns` prints it with descriptions):

1. identity: id, site, site_name, adcode, province, agency, publisher, report_year, format,
   title, url, publish_date, index_no, revision, fetched_at;
2. Table 1, `active_disclosure.<row>.<column>`: every row of spec/report-format.md with the
   columns of BOTH formats (2019 columns first, then 2021), so one table holds every year;
3. Table 2, `applications.<row>.<column>`: the 26 rows × 7 applicant columns in template order;
4. Table 3, `review_litigation.<group>.<column>`: 3 groups × 5 columns;
5. `figures.<name>`: the prose figures;
6. quality: null_cells (cells left null with a warning), from_prose (table cells that a prose figure stands in for: the table was missing or
   cut), checks_run, failing_checks (the item's own failing rules, `;`-separated),
   continuity_failing (failing cross-year rules where this report is year N), warnings_count.

A cell the report does not have is empty (null), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from govreports import spec

ColumnType = Literal["string", "int", "float"]

# what a description adds to a column's official wording
_COLUMN_NOTES: dict[str, str] = {"change": "signed", "amount_wan_yuan": "万元", "amount_text": "as published"}
FIGURE_LABELS: dict[str, str] = {name: f"{label} (prose)" for name, label in spec.FIGURE_LABELS.items()}
_CELL_TYPE: dict[str, ColumnType] = {"count": "int", "change": "int", "money": "float", "text": "string"}


@dataclass(frozen=True, slots=True)
class Column:
    """One dataset column: `path` is the dotted path into the item (None for derived columns)."""

    name: str
    type: ColumnType
    description: str
    path: tuple[str, ...] | None = None


IDENTITY_COLUMNS: tuple[Column, ...] = (
    Column("id", "string", "stable report id (sha1 of the dedup key)", ("id",)),
    Column("site", "string", "registry id of the portal (site.id)", ("site", "id")),
    Column("site_name", "string", "portal name (site.name)", ("site", "name")),
    Column("adcode", "string", "administrative division code (site.adcode)", ("site", "adcode")),
    Column("province", "string", "province (site.province)", ("site", "province")),
    Column("agency", "string", "the reporting organ", ("agency",)),
    Column("publisher", "string", "发布机构 / 来源", ("publisher",)),
    Column("report_year", "int", "the year reported on", ("report_year",)),
    Column("format", "string", "pre2019 | 2019 | 2021 | unknown", ("format",)),
    Column("title", "string", "title as published", ("title",)),
    Column("url", "string", "source page", ("url",)),
    Column("publish_date", "string", "ISO date the page gives", ("publish_date",)),
    Column("index_no", "string", "索引号", ("index_no",)),
    Column("revision", "int", "1 when first seen, +1 per change", ("revision",)),
    Column("fetched_at", "string", "when the kept revision was fetched (source.fetched_at)", ("source", "fetched_at")),
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


def _cell(table: str, row: str, column: str, type_: ColumnType, description: str) -> Column:
    return Column(f"{table}.{row}.{column}", type_, description, ("tables", table, row, column))


def _cell_columns() -> tuple[Column, ...]:
    return (
        *(
            _cell("active_disclosure", row, column, _CELL_TYPE[spec.ACTIVE_COLUMN_TYPES[column]],
                  f"主动公开 {spec.ACTIVE_ROW_LABELS[row]} · {_active_column_description(column)}")
            for row, columns in spec.ACTIVE_ROWS.items()
            for column in columns
        ),
        *(
            _cell("applications", row, column, "int",
                  f"依申请 {_application_row_description(row)} · {spec.APPLICANT_COLUMN_LABELS[column]}")
            for row in spec.APPLICATION_ROWS
            for column in spec.APPLICANT_COLUMNS
        ),
        *(
            _cell("review_litigation", group, column, "int",
                  f"{spec.REVIEW_GROUP_LABELS[group]} · {spec.REVIEW_COLUMN_LABELS[column]}")
            for group in spec.REVIEW_GROUPS
            for column in spec.REVIEW_COLUMNS
        ),
    )


CELL_COLUMNS: tuple[Column, ...] = _cell_columns()

FIGURE_COLUMNS: tuple[Column, ...] = tuple(
    Column(f"figures.{name}", _CELL_TYPE[kind], FIGURE_LABELS[name], ("figures", name))
    for name, kind in spec.FIGURE_TYPES.items()
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
