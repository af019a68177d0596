"""Validation of report items and the committed JSON Schema, both derived from `govreports.items`.

`validate_item(item)` returns human-readable errors ("tables.applications.granted.total: Input
should be greater than or equal to 0 (got -1)"), empty when the item conforms. It validates with
the model itself (pydantic, strict: no "61" for 61), checks that every field of the record is
present, and holds Table 1 to the columns of the report's own format. Why pydantic and what it
costs per item: the docstring of `govreports/items.py`.

`report.schema.json` is the same model as a JSON Schema for people and other tools
(`python -m govreports.schema.generate` writes it; a test fails when it is stale).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from govreports.items import ACTIVE_DISCLOSURE_BY_FORMAT, REQUIRED_FIELDS, ReportItem

__all__ = ["SCHEMA_PATH", "load_schema", "validate_item"]

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The committed schema file (regenerate with `python -m govreports.schema.generate`)."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@lru_cache(maxsize=1)
def item_adapter() -> TypeAdapter[ReportItem]:
    return TypeAdapter(ReportItem)


@cache
def _format_adapter(report_format: str) -> TypeAdapter[Any]:
    return TypeAdapter(ACTIVE_DISCLOSURE_BY_FORMAT[report_format])


def _where(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(item)"


# pydantic's wording where it would confuse (a dataclass's "keyword argument") or drown the value
_PLAIN_MESSAGES = {
    "unexpected_keyword_argument": "Extra inputs are not permitted",
    "string_pattern_mismatch": "String does not match the expected pattern",
}


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _messages(error: ValidationError, prefix: tuple[int | str, ...] = ()) -> list[str]:
    messages = []
    for detail in error.errors(include_url=False):
        where = _where(prefix + tuple(detail["loc"]))
        shown = f" (got {_short(detail['input'])})" if detail["type"] not in ("missing", "extra_forbidden") else ""
        if detail["type"] == "extra_forbidden":
            shown = f" ({detail['loc'][-1]!r})"
        message = _PLAIN_MESSAGES.get(detail["type"], detail["msg"])
        messages.append(f"{where}: {message}{shown}")
    return messages


def validate_item(item: Mapping[str, Any]) -> list[str]:
    """Every way the item departs from the model, as `path: message`, in a stable order."""
    if not isinstance(item, Mapping):
        return [f"(item): expected a JSON object, got {type(item).__name__}"]
    errors = [f"{name}: required field missing" for name in REQUIRED_FIELDS if name not in item]
    try:
        # as JSON: strict mode takes an object for the dataclass only from JSON input
        item_adapter().validate_json(json.dumps(item, ensure_ascii=False, default=repr), strict=True)
    except ValidationError as error:
        errors.extend(_messages(error))
    report_format = item.get("format")
    tables = item.get("tables")
    if report_format in ACTIVE_DISCLOSURE_BY_FORMAT and isinstance(tables, Mapping) and "active_disclosure" in tables:
        try:
            _format_adapter(str(report_format)).validate_json(
                json.dumps(tables["active_disclosure"], ensure_ascii=False, default=repr), strict=True)
        except ValidationError as error:
            errors.extend(f"{message} in a {report_format}-format report"
                          for message in _messages(error, ("tables", "active_disclosure")))
    return sorted(dict.fromkeys(errors))
