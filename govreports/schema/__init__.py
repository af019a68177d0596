"""The JSON Schema of the report item and a validator for feeds and tests.

`report.schema.json` is generated from `ReportItem` plus the spec's keys (see `generate.py`);
`validate_item(item)` returns human-readable errors ("tables.applications.granted.total: -1 is
less than the minimum of 0"), empty when the item conforms.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator


__all__ = ["SCHEMA_PATH", "load_schema", "validate_item"]

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The committed schema file (regenerate with `python -m govreports.schema.generate`)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _where(path: Any) -> str:
    return ".".join(str(part) for part in path) or "(item)"


def validate_item(item: Mapping[str, Any]) -> list[str]:
    """Every way the item departs from the schema, as `path: message`, in a stable order."""
    if not isinstance(item, Mapping):
        return [f"(item): expected a JSON object, got {type(item).__name__}"]
    errors = sorted(_validator().iter_errors(dict(item)), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"{_where(error.absolute_path)}: {error.message}" for error in errors]
