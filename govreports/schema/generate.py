"""Write the report item's JSON Schema (draft 2020-12), derived from the model in `govreports.items`.

Nothing here describes a field: pydantic turns `ReportItem` and its nested `TypedDict`s into the
schema, and this module only adds what a schema file needs around it (id, title, the fields a
feed line must have) and the one rule pydantic cannot see in the types: Table 1 of a 2019 report
uses 2019 columns, of a 2021 report 2021 columns (`items.ACTIVE_DISCLOSURE_BY_FORMAT`).

Regenerate the committed file with `python -m govreports.schema.generate` (`--check`: exit 1
when it is stale).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from govreports.items import ACTIVE_DISCLOSURE_BY_FORMAT, REPORT_FIELDS, REQUIRED_FIELDS, ReportItem
from govreports.schema import SCHEMA_PATH

SCHEMA_ID = "https://github.com/govreports/govreports/schema/report.schema.json"


class _Generator(GenerateJsonSchema):
    """pydantic's generator without the titles it makes up from field names ("Report Year")."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _schema_of(model: Any) -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(model).json_schema(
        mode="serialization", schema_generator=_Generator, ref_template="#/$defs/{model}")
    return schema


def _format_rules(defs: dict[str, Any]) -> list[dict[str, Any]]:
    rules = []
    for report_format, model in ACTIVE_DISCLOSURE_BY_FORMAT.items():
        table = _schema_of(model)
        defs.update(table.pop("$defs", {}))
        rules.append({
            "if": {"properties": {"format": {"const": report_format}}, "required": ["format"]},
            "then": {"properties": {"tables": {"properties": {"active_disclosure": table}}}},
        })
    return rules


def build_schema() -> dict[str, Any]:
    """The whole schema; property order follows the dataclass (and so the exporters)."""
    item = _schema_of(ReportItem)
    defs: dict[str, Any] = item.pop("$defs", {})
    rules = _format_rules(defs)
    assert tuple(item["properties"]) == REPORT_FIELDS
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "govreports report item",
        "description": "One 政府信息公开工作年度报告 as published by govreports (docs/report-format.md).",
        "type": "object",
        "properties": item["properties"],
        "required": list(REQUIRED_FIELDS),
        "additionalProperties": False,
        "allOf": rules,
        "$defs": dict(sorted(defs.items())),
    }


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
