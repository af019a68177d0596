"""The data model, defined once: what a spider yields and the report record govreports publishes.

`ReportPage` is what a spider yields: raw bytes plus where they came from. `ParsePipeline` turns it
into a `ReportItem`, the published record (docs/report-format.md). Both are dataclasses handled
through itemadapter; the exporters write `ReportItem` fields in declaration order, and the nested
shapes are `TypedDict`s, so at run time they stay the plain dicts and lists the JSON shows.

Everything else about the record is derived from these classes, never written a second time:
- the JSON Schema (`govreports/schema/`: `python -m govreports.schema.generate`),
- the validation of items and feeds (`govreports.schema.validate_item`, `scrapy dataset`),
- the dataset's column types and descriptions (`govreports/dataset/columns.py`).
The table and figure keys come from `govreports/spec.py` (the national templates' vocabulary): the
per-row cell shapes below are generated from it at import time; for the type checker they are the
plain `dict[str, Cell]` mappings they are at run time.

Why pydantic validates (measured on this machine, a full 2019-format item with 199 table cells,
median of 2,000 runs): `jsonschema` 4.26 took 3.5 ms per item; pydantic 2.14 `TypeAdapter`
(strict) 0.18 ms, and reports every error with its path. msgspec 0.23 converts faster still
(0.01 ms) but silently drops unknown keys of a `TypedDict` (only its own Structs forbid them), so it
would pass an unknown table row; the runtime shapes must stay dicts for the checks, the dedup hash
and the feeds, which rules out Structs. Encoding is Scrapy's JSON exporter's job either way.

The fields added with schema versioning (`is_report`, `warning_details`, `provenance`,
`source.ocr`) are always written but not required when a feed is validated, so feeds written
before them still pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from govreports import spec
from govreports.parsing import PARSER_VERSION

# the shape of ReportItem, written to `provenance.schema_version`: bump when fields are added,
# renamed or change meaning
ITEM_SCHEMA_VERSION = 1

_STRICT = ConfigDict(extra="forbid", strict=True)

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"})]
# by pattern: a "date-time" format check would need rfc3339-validator in every checker
IsoDateTime = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$",
          json_schema_extra={"format": "date-time"}),
]
Count = Annotated[int, Field(ge=0)]
Cell = int | float | str | None
"""A table cell as published: a count, a signed change, 万元 (float allowed) or text; null when blank."""

_CELL_TYPES: dict[spec.CellType, object] = {
    "count": Count | None,
    "change": int | None,
    "money": Annotated[float, Field(ge=0)] | None,
    "text": str | None,
}


def check_rule_pattern() -> str:
    """The rule names `govreports.checks` may write: each family of `spec.RULE_FAMILIES` followed by
    the row, column or figure it is about (a family without a known suffix takes any key)."""
    columns, rows = "|".join(spec.APPLICANT_COLUMNS), "|".join(spec.APPLICATION_ROWS)
    active_rows = "|".join(spec.ACTIVE_ROWS)
    suffixes = {
        "applications.balance": columns,
        "applications.results_sum": columns,
        "applications.row_sum": rows,
        "review_litigation.sum": "|".join(spec.REVIEW_GROUPS),
        "active_disclosure.published_le_total": active_rows,
        "active_disclosure.issued_le": active_rows,
        "prose_vs_table": "|".join(spec.FIGURE_TYPES),
        "continuity.carried_over": None,
        "continuity.in_force": active_rows,
    }
    alternatives = []
    for family in spec.RULE_FAMILIES:
        escaped = family.replace(".", r"\.")
        suffix = suffixes.get(family, "[a-z0-9_]+")
        alternatives.append(escaped if suffix is None else rf"{escaped}\.({suffix})")
    return "^(" + "|".join(alternatives) + ")$"


if TYPE_CHECKING:
    CheckRule = str
    FormatName = str
    ScriptName = str
else:
    CheckRule = Annotated[str, Field(pattern=check_rule_pattern())]
    FormatName = Literal[spec.FORMATS]  # a tuple subscript is the same as listing the values
    ScriptName = Literal[spec.SCRIPTS]


# --- nested shapes ------------------------------------------------------------------------------


@with_config(_STRICT)
class Site(TypedDict):
    """The registry entry of the portal the report came from; nulls when unknown."""

    id: Annotated[str | None, Field(description="registry id of the portal")]
    name: Annotated[str | None, Field(description="portal name")]
    adcode: Annotated[str | None, Field(description="administrative division code")]
    province: Annotated[str | None, Field(description="province")]
    level: Annotated[str | None, Field(description="province | prefecture | county")]


SITE_KEYS: tuple[str, ...] = tuple(Site.__annotations__)


@with_config(_STRICT)
class Section(TypedDict):
    """One numbered part of the report (一、概述 …) and its text."""

    heading: str
    text: str


@with_config(_STRICT)
class Check(TypedDict):
    """One arithmetic identity of the format (docs/report-format.md, "Checks"); `ok` null when undecidable."""

    rule: CheckRule
    ok: bool | None
    message: str


@with_config(_STRICT)
class Attachment(TypedDict):
    """A file the report page links to, and whether its content was parsed."""

    url: Annotated[str, Field(min_length=1)]
    name: str | None
    media_type: str | None
    sha256: Sha256 | None
    parsed: bool


@with_config(_STRICT)
class Ocr(TypedDict):
    """How a scanned report's text was recognised (null for born-digital files)."""

    engine: str
    version: str
    pages: list[Annotated[int, Field(ge=1)]] | Count  # the page numbers read (or how many)
    mean_confidence: Annotated[float, Field(ge=0, le=1)] | None
    dpi: Count | list[Count] | None  # one resolution, or each one found
    tables: list[str]  # the tables whose cells came from OCR
    # the OCR stage's own account: time, pages from its cache, the least confident numeric cells
    seconds: NotRequired[Annotated[float, Field(ge=0)]]
    cached_pages: NotRequired[Count]
    cells: NotRequired[list[tuple[float, str, str]]]  # [confidence, text as read, where]


@with_config(_STRICT)
class Source(TypedDict):
    """The bytes the record was parsed from."""

    media_type: str | None
    encoding: str | None
    sha256: Sha256 | None
    fetched_at: Annotated[IsoDateTime | None, Field(description="when the kept revision was fetched")]
    rendered: bool
    ocr: NotRequired[Ocr | None]


@with_config(_STRICT)
class WarningDetail(TypedDict):
    """The structured fact behind a readable warning: which table, what went wrong, how often, where."""

    table: str | None
    cause: str
    count: Annotated[int, Field(ge=1)]
    cells: list[str]  # dotted cell paths, e.g. "applications.granted.total"


@with_config(_STRICT)
class Provenance(TypedDict):
    """Which code made the record from which archived responses."""

    schema_version: Annotated[int, Field(ge=1)]
    parser_version: str
    sources: list[str]  # WARC-Record-IDs of the archived responses the record was parsed from


def new_provenance() -> Provenance:
    """Provenance of a record made now by this code (sources filled by the archive)."""
    return {"schema_version": ITEM_SCHEMA_VERSION, "parser_version": PARSER_VERSION, "sources": []}


# --- tables and figures, generated from the spec's keys -----------------------------------------


def _cells_class(name: str, columns: tuple[str, ...], types: dict[str, spec.CellType]) -> type:
    annotations = {column: _CELL_TYPES[types[column]] for column in columns}
    cls: type = TypedDict(name, annotations, total=False)  # type: ignore[misc]  # its keys come from the spec
    cls.__pydantic_config__ = _STRICT  # type: ignore[attr-defined]  # what @with_config sets
    return cls


def _rows_class(name: str, rows: dict[str, tuple[str, ...]], types: dict[str, spec.CellType],
                shared_cells: str | None = None) -> type:
    """Rows → their cells; `shared_cells` names the one cells class of a table whose rows all have the same columns."""
    if shared_cells is not None:
        cells = _cells_class(shared_cells, next(iter(rows.values())), types)
        annotations = dict.fromkeys(rows, cells)
    else:
        annotations = {row: _cells_class(f"{name}_{row}", columns, types) for row, columns in rows.items()}
    cls: type = TypedDict(name, annotations, total=False)  # type: ignore[misc]  # its keys come from the spec
    cls.__pydantic_config__ = _STRICT  # type: ignore[attr-defined]
    return cls


def _same_columns(rows: tuple[str, ...], columns: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return dict.fromkeys(rows, columns)


if TYPE_CHECKING:
    TableRows = dict[str, dict[str, Cell]]
    ActiveDisclosure = TableRows
    Applications = TableRows
    ReviewLitigation = TableRows
    Figures = dict[str, Cell]
else:
    ActiveDisclosure = _rows_class("ActiveDisclosure", spec.ACTIVE_ROWS, spec.ACTIVE_COLUMN_TYPES)
    Applications = _rows_class(
        "Applications", _same_columns(spec.APPLICATION_ROWS, spec.APPLICANT_COLUMNS),
        dict.fromkeys(spec.APPLICANT_COLUMNS, "count"), shared_cells="ApplicantCounts")
    ReviewLitigation = _rows_class(
        "ReviewLitigation", _same_columns(spec.REVIEW_GROUPS, spec.REVIEW_COLUMNS),
        dict.fromkeys(spec.REVIEW_COLUMNS, "count"), shared_cells="ReviewCounts")
    Figures = _cells_class("Figures", tuple(spec.FIGURE_TYPES), spec.FIGURE_TYPES)

ACTIVE_DISCLOSURE_BY_FORMAT: dict[str, type] = {
    "2019": _rows_class("ActiveDisclosure2019", spec.ACTIVE_ROWS_2019, spec.ACTIVE_COLUMN_TYPES),
    "2021": _rows_class("ActiveDisclosure2021", spec.ACTIVE_ROWS_2021, spec.ACTIVE_COLUMN_TYPES),
}
"""Table 1 as each format prints it: a 2019 report may use only 2019 columns, a 2021 one 2021's."""


@with_config(_STRICT)
class Tables(TypedDict, total=False):
    """The three statistics tables, keyed by the spec's row and column keys; a cell not found is absent."""

    active_disclosure: ActiveDisclosure
    applications: Applications
    review_litigation: ReviewLitigation


# --- the two records ----------------------------------------------------------------------------

@dataclass(kw_only=True, slots=True)
class ReportPage:
    """A candidate report as downloaded: the spider's whole contribution."""

    url: str
    body: bytes
    site: dict[str, Any] = field(default_factory=dict)
    media_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)
    declared_encoding: str | None = None
    # hints from the list page the link was found on: {"link_text", "list_date", "column_url"}
    hints: dict[str, Any] = field(default_factory=dict)
    # attachments of the page already fetched by the spider: [{url, name, media_type, body}]
    attachments: list[dict[str, Any]] = field(default_factory=list)
    rendered: bool = False
    fetched_at: str | None = None
    # the raw exchange as downloaded (govreports.archive.capture), consumed by ArchivePipeline
    capture: dict[str, Any] | None = None
    # where the archive holds the bytes: [{url, record_id, digest, role}] (set by ArchivePipeline)
    sources: list[dict[str, Any]] = field(default_factory=list)
    # what the OCR pool read from the scanned bodies: {sha256 of the body | "page-images": OcrResult}
    ocr: dict[str, Any] = field(default_factory=dict)


def _doc(text: str) -> Any:
    return Field(description=text)


@with_config(_STRICT)
@dataclass(kw_only=True)  # no slots: a parse worker attaches what it prepared (govreports/prepared.py)
class ReportItem:
    """One report as published: one JSON object per line of a feed (docs/report-format.md)."""

    id: Annotated[str, Field(pattern=r"^[0-9a-f]{40}$"), _doc("stable report id (sha1 of the dedup key)")] = ""
    url: Annotated[str, Field(min_length=1), _doc("source page: detail page, attachment, or file:// for extract")] = ""
    site: Site = field(default_factory=lambda: Site(id=None, name=None, adcode=None, province=None, level=None))
    title: Annotated[str, _doc("title as published")] = ""
    agency: Annotated[str | None, _doc("the reporting organ")] = None
    report_year: Annotated[int | None, Field(ge=1990, le=2100), _doc("the year reported on")] = None
    publish_date: Annotated[IsoDate | None, _doc("ISO date the page gives")] = None
    index_no: Annotated[str | None, Field(pattern=r"^\S+$"), _doc("索引号")] = None
    publisher: Annotated[str | None, _doc("发布机构 / 来源")] = None
    doc_no: Annotated[str | None, _doc("文号")] = None
    topic: Annotated[str | None, _doc("主题分类")] = None
    format: Annotated[FormatName, _doc("pre2019 | 2019 | 2021 | unknown")] = "unknown"
    is_report: Annotated[bool, _doc("false for a notice, 解读, 一图读懂 or news page the classifier rejected")] = True
    script: Annotated[ScriptName, _doc("hans | hant: the script the report is written in")] = "hans"
    text: Annotated[str, _doc("the body text, tables as lines")] = ""
    sections: list[Section] = field(default_factory=list)
    tables: Tables = field(default_factory=lambda: Tables())
    figures: Figures = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_details: list[WarningDetail] = field(default_factory=list)  # the cells behind `warnings`
    attachments: list[Attachment] = field(default_factory=list)
    source: Source = field(default_factory=dict)  # type: ignore[assignment]  # the parser fills it
    provenance: Provenance = field(default_factory=new_provenance)
    revision: Annotated[int, Field(ge=1), _doc("1 when first seen, +1 per change")] = 1


REPORT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ReportItem))
ADDED_FIELDS: frozenset[str] = frozenset({"is_report", "warning_details", "provenance"})
"""Fields added with schema versioning: written always, absent from feeds written before them."""
REQUIRED_FIELDS: tuple[str, ...] = tuple(name for name in REPORT_FIELDS if name not in ADDED_FIELDS)
"""Fields a feed line must have; the later ones default when absent (feeds written before them)."""


def field_of(item: ReportItem | Mapping[str, Any], name: str) -> Any:
    """A field of a report built by the pipeline or read back from a feed line (a dict).

    Not ItemAdapter: it imports Scrapy, which a parse worker has no other use for."""
    if isinstance(item, ReportItem):
        return getattr(item, name, None)
    return item.get(name)
