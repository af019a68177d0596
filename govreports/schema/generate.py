"""Build the report item's JSON Schema (draft 2020-12) from `ReportItem` and the spec's keys.

The top-level properties and their JSON types come from the dataclass annotations, so a field
added to `ReportItem` appears here (and a test fails until `report.schema.json` is regenerated
and the field gets a described shape). Nested shapes (site, tables, figures, checks, attachments,
source) come from DESIGN.md §3 and spec/report-format.md via `govreports.spec`.

Regenerate the committed file with `python -m govreports.schema.generate`.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from dataclasses import fields
from typing import Any

from govreports.items import SITE_KEYS, ReportItem
from govreports.schema import SCHEMA_PATH
from govreports import spec

SCHEMA_ID = "https://github.com/govreports/govreports/schema/report.schema.json"

# enforced by pattern: jsonschema only checks "date-time" when rfc3339-validator is installed
_ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
_NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}
_CELL_SCHEMAS: dict[str, dict[str, Any]] = {
    "count": {"type": ["integer", "null"], "minimum": 0},
    "change": {"type": ["integer", "null"]},
    "money": {"type": ["number", "null"], "minimum": 0},
    "text": {"type": ["string", "null"]},
}


def json_type_of(annotation: Any) -> list[str]:
    """The JSON types a Python annotation allows (`str | None` → ["string", "null"])."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        found: list[str] = []
        for member in typing.get_args(annotation):
            found.extend(t for t in json_type_of(member) if t not in found)
        return found
    base = origin or annotation
    mapping: dict[Any, str] = {
        str: "string", int: "integer", float: "number", bool: "boolean",
        list: "array", tuple: "array", dict: "object", type(None): "null",
    }
    if base not in mapping:
        raise TypeError(f"no JSON type for annotation {annotation!r}")
    return [mapping[base]]


def annotation_types(item_class: type = ReportItem) -> dict[str, list[str]]:
    """Field name → JSON types, straight from the item dataclass."""
    hints = typing.get_type_hints(item_class)
    return {f.name: json_type_of(hints[f.name]) for f in fields(item_class)}


def _object(properties: dict[str, Any], *, required: tuple[str, ...] = (), extra: Any = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": extra}
    if required:
        schema["required"] = list(required)
    return schema


def _cells(columns: tuple[str, ...], column_types: dict[str, str]) -> dict[str, Any]:
    return _object({column: dict(_CELL_SCHEMAS[column_types[column]]) for column in columns})


def _active_disclosure(rows: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    return _object({row: _cells(columns, spec.ACTIVE_COLUMN_TYPES) for row, columns in rows.items()})


def _tables_schema() -> dict[str, Any]:
    applicant = dict.fromkeys(spec.APPLICANT_COLUMNS, "count")
    review = dict.fromkeys(spec.REVIEW_COLUMNS, "count")
    return _object({
        "active_disclosure": {"$ref": "#/$defs/active_disclosure"},
        "applications": _object({row: _cells(spec.APPLICANT_COLUMNS, applicant) for row in spec.APPLICATION_ROWS}),
        "review_litigation": _object({group: _cells(spec.REVIEW_COLUMNS, review) for group in spec.REVIEW_GROUPS}),
    })


def _rule_pattern() -> str:
    columns = "|".join(spec.APPLICANT_COLUMNS)
    rows = "|".join(spec.APPLICATION_ROWS)
    groups = "|".join(spec.REVIEW_GROUPS)
    active_rows = "|".join(spec.ACTIVE_ROWS)
    figures = "|".join(spec.FIGURE_TYPES)
    alternatives = [
        rf"applications\.(balance|results_sum)\.({columns})",
        rf"applications\.row_sum\.({rows})",
        rf"review_litigation\.sum\.({groups})",
        rf"active_disclosure\.(published_le_total|issued_le)\.({active_rows})",
        rf"figures\.agree\.({figures})",
        r"continuity\.carried_over",
        rf"continuity\.in_force\.({active_rows})",
    ]
    return "^(" + "|".join(alternatives) + ")$"


def _detailed_properties() -> dict[str, dict[str, Any]]:
    """The shape of every field of DESIGN.md §3 (types must match the dataclass annotations)."""
    figures = {name: dict(_CELL_SCHEMAS[kind]) for name, kind in spec.FIGURE_TYPES.items()}
    return {
        "id": {"type": "string", "pattern": "^[0-9a-f]{40}$", "description": "sha1 of the dedup key (DESIGN §5)"},
        "url": {"type": "string", "minLength": 1, "description": "detail page, attachment, or file:// for extract"},
        "site": _object(
            {key: dict(_NULLABLE_STRING) for key in SITE_KEYS},
            required=SITE_KEYS,
        ) | {"description": "registry entry; nulls when unknown"},
        "title": {"type": "string", "description": "as published, original script"},
        "agency": {"type": ["string", "null"], "description": "the reporting organ"},
        "report_year": {"type": ["integer", "null"], "minimum": 1990, "maximum": 2100},
        "publish_date": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"},
        "index_no": {"type": ["string", "null"], "pattern": r"^\S+$", "description": "索引号, whitespace removed"},
        "publisher": {"type": ["string", "null"], "description": "发布机构 / 来源"},
        "doc_no": {"type": ["string", "null"], "description": "文号"},
        "topic": {"type": ["string", "null"], "description": "主题分类"},
        "format": {"type": "string", "enum": list(spec.FORMATS)},
        "script": {"type": "string", "enum": list(spec.SCRIPTS)},
        "text": {"type": "string"},
        "sections": {
            "type": "array",
            "items": _object({"heading": {"type": "string"}, "text": {"type": "string"}}, required=("heading", "text")),
        },
        "tables": _tables_schema(),
        "figures": _object(figures, extra=False) | {
            "patternProperties": {r"^[a-z_]+_text$": {"type": ["string", "null"]}},
        },
        "checks": {
            "type": "array",
            "items": _object(
                {
                    "rule": {"type": "string", "pattern": _rule_pattern()},
                    "ok": {"type": ["boolean", "null"]},
                    "message": {"type": "string"},
                },
                required=("rule", "ok", "message"),
            ),
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
        "attachments": {
            "type": "array",
            "items": _object(
                {
                    "url": {"type": "string", "minLength": 1},
                    "name": {"type": ["string", "null"]},
                    "media_type": {"type": ["string", "null"]},
                    "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
                    "parsed": {"type": "boolean"},
                },
                required=("url", "name", "media_type", "sha256", "parsed"),
            ),
        },
        "source": _object(
            {
                "media_type": {"type": ["string", "null"]},
                "encoding": {"type": ["string", "null"]},
                "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
                "fetched_at": {"type": ["string", "null"], "format": "date-time", "pattern": _ISO_DATETIME},
                "rendered": {"type": "boolean"},
                # present when pages were read by OCR (issue 16)
                "ocr": _object(
                    {
                        "engine": {"type": "string"},
                        "version": {"type": "string"},
                        "pages": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                        "mean_confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                        "dpi": {"type": ["integer", "array"]},
                        "seconds": {"type": "number"},
                        "cached_pages": {"type": "integer", "minimum": 0},
                        "tables": {"type": "array", "items": {"type": "string"}},
                        "cells": {"type": "array", "items": {"type": "array"}},
                    },
                    required=("engine", "version", "pages", "mean_confidence", "dpi", "tables"),
                ),
            },
            required=("media_type", "encoding", "sha256", "fetched_at", "rendered"),
        ),
        "revision": {"type": "integer", "minimum": 1},
    }


def _format_rules() -> list[dict[str, Any]]:
    """A 2019 report may only use 2019 columns in Table 1, a 2021 report only 2021 columns."""
    rules = []
    for name, rows in (("2019", spec.ACTIVE_ROWS_2019), ("2021", spec.ACTIVE_ROWS_2021)):
        rules.append({
            "if": {"properties": {"format": {"const": name}}, "required": ["format"]},
            "then": {"properties": {"tables": {"properties": {"active_disclosure": _active_disclosure(rows)}}}},
        })
    return rules


def build_schema() -> dict[str, Any]:
    """The whole schema; property order follows the dataclass (and so the exporters)."""
    detailed = _detailed_properties()
    properties = {name: detailed[name] for name in annotation_types() if name in detailed}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "govreports report item",
        "description": "One 政府信息公开工作年度报告 as published by govreports (DESIGN.md §3, spec/report-format.md).",
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        "allOf": _format_rules(),
        "$defs": {"active_disclosure": _active_disclosure(spec.ACTIVE_ROWS)},
    }


def drift(schema: dict[str, Any], item_class: type = ReportItem) -> list[str]:
    """Differences between a schema and the item dataclass; empty when they agree."""
    problems: list[str] = []
    annotated = annotation_types(item_class)
    properties: dict[str, Any] = schema.get("properties", {})
    for name in annotated:
        if name not in properties:
            problems.append(f"{item_class.__name__}.{name} has no schema property")
    for name in properties:
        if name not in annotated:
            problems.append(f"schema property {name!r} is not a {item_class.__name__} field")
    for name, types_ in annotated.items():
        declared = properties.get(name, {}).get("type")
        if declared is None:
            continue
        declared_set = {declared} if isinstance(declared, str) else set(declared)
        if declared_set != set(types_):
            problems.append(f"{name}: schema type {sorted(declared_set)} ≠ annotation type {sorted(types_)}")
    if list(properties) != list(annotated) and not problems:
        problems.append(f"schema property order differs from the {item_class.__name__} field order")
    if set(schema.get("required", [])) != set(annotated):
        problems.append(f"schema 'required' is not exactly the {item_class.__name__} fields")
    return problems


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write report.schema.json (or check it with --check: exit 1 when stale)."""
    argv = sys.argv[1:] if argv is None else argv
    text = render(build_schema())
    if "--check" in argv:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH} is stale: run python -m govreports.schema.generate", file=sys.stderr)
            return 1
        return 0
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
