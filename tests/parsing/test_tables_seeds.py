"""The five seed documents: every `tables.*` value of expected.json, and exactly its failing checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govreports.checks import run_checks
from govreports.parsing.models import Paragraph
from govreports.parsing.tables import extract_tables
from govreports.spec import APPLICANT_COLUMNS, REVIEW_COLUMNS

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
EXPECTED: dict[str, dict[str, Any]] = {
    name: values
    for name, values in json.loads((SEEDS / "expected.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}


def seed_blocks(name: str) -> list[Paragraph]:
    """The seed text split into lines, one Paragraph each (the test contract of the brief)."""
    return [Paragraph(line) for line in (SEEDS / name).read_text(encoding="utf-8").splitlines()]


def lookup(tables: dict, dotted: str) -> Any:
    value: Any = tables
    for part in dotted.split(".")[1:]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def as_expected(dotted: str, value: Any) -> Any:
    """expected.json writes applicant/review rows as lists in column order."""
    if not isinstance(value, list):
        return value
    columns = APPLICANT_COLUMNS if dotted.startswith("tables.applications.") else REVIEW_COLUMNS
    return dict(zip(columns, value, strict=True))


TABLE_CASES = [
    pytest.param(name, key, value, id=f"{name[:3]}-{key.removeprefix('tables.')}")
    for name, values in EXPECTED.items()
    for key, value in values.items()
    if key.startswith("tables.")
]


@pytest.mark.parametrize(("name", "key", "value"), TABLE_CASES)
def test_seed_table_value_matches_expected(name: str, key: str, value: Any) -> None:
    result = extract_tables(seed_blocks(name))
    assert lookup(result.tables, key) == as_expected(key, value)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_format_and_no_warnings(name: str) -> None:
    result = extract_tables(seed_blocks(name))
    expected_format = EXPECTED[name]["format"]
    assert result.format == (None if expected_format == "pre2019" else expected_format)
    assert result.warnings == ()
    has_tables = any(key.startswith("tables.") for key in EXPECTED[name])
    assert bool(result.tables) == has_tables


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_checks_fail_exactly_as_expected(name: str) -> None:
    result = extract_tables(seed_blocks(name))
    figures = {k.removeprefix("figures."): v for k, v in EXPECTED[name].items() if k.startswith("figures.")}
    checks = run_checks(result.tables, figures, EXPECTED[name]["format"])
    failing = sorted(check["rule"] for check in checks if check["ok"] is False)
    assert failing == sorted(EXPECTED[name]["checks_failing"])
    assert all(check["ok"] is True for check in checks if check["rule"] not in failing)
    if result.tables:
        assert len(checks) >= 30  # balance, results_sum, row_sum, review sums, table-1 rules


def test_seed_004_is_inconsistent_as_printed_and_the_message_names_the_numbers() -> None:
    result = extract_tables(seed_blocks("004_7d9c962fed462d95.txt"))
    checks = {c["rule"]: c for c in run_checks(result.tables, {}, "2019")}
    assert checks["applications.balance.natural_person"]["message"] == (
        "自然人 column: 83 new + 6 carried over = 89 ≠ 95 results + 1 carried forward = 96"
    )
    assert checks["applications.balance.total"]["ok"] is True
